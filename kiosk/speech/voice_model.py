"""A voice's model patched to also return each phoneme's length in samples, written once to
the cache by a child process and then loaded from there.

Piper's own patching (onnx.load, then serialising 60 MB) holds Python's GIL for about 0.3 s,
which would freeze the kiosk's display thread; a child process does it, and ONNX Runtime
then loads the file, which holds the GIL only briefly (16 ms measured, against 226 ms).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from kiosk.speech.voices import VoiceError, VoiceFile

PATCH_TIMEOUT_S = 120.0
_KEPT_MODELS = 6  # patched voices kept (about 60-120 MB each)


def patched_model(voice: VoiceFile, identity: str, folder: Path) -> Path:
    """The voice's patched model in `folder` (made now if it is not there)."""
    name = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32] + ".onnx"
    path = folder / name
    if path.is_file():
        path.touch()  # recently used
        return path
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    code = "import sys; from kiosk.speech.voice_model import write_patched as w; w(*sys.argv[1:])"
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(voice.model), str(tmp)],
            capture_output=True, text=True, timeout=PATCH_TIMEOUT_S,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        tmp.unlink(missing_ok=True)
        raise VoiceError(f"{voice.model}: reading the voice took over {exc.timeout:g} s") from exc
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or ["no message"])[-1][:200]
        raise VoiceError(f"{voice.model}: the voice does not load ({last}); replace the file")
    tmp.replace(path)
    _trim(folder)
    return path


def write_patched(source: str, destination: str) -> None:
    """(In the child process.) Piper's alignment patch of `source`, saved to `destination`."""
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    model = onnx.load(source)
    try:
        add_alignment_output(model)
    except ValueError:  # already patched, or a model without the tensor: used as it is
        pass
    Path(destination).write_bytes(model.SerializeToString())


def _trim(folder: Path) -> None:
    models = sorted(folder.glob("*.onnx"), key=lambda p: p.stat().st_mtime)
    for old in models[:-_KEPT_MODELS]:
        old.unlink(missing_ok=True)
