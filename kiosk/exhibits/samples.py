"""Built-in sample portraits, copied from images that ship inside installed wheels (no network).

- grace_hopper.jpg: official U.S. Navy portrait of Grace Hopper, public domain (Matplotlib).
- astronaut.png: NASA portrait of astronaut Eileen Collins, public domain (scikit-image).
"""

from __future__ import annotations

import importlib.resources
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from kiosk.problems import display_path

SAMPLES_FOLDER = "samples"


class SampleContentError(RuntimeError):
    """A sample image could not be found in its package or copied."""


def _grace_hopper() -> Path:
    try:
        import matplotlib
    except ImportError as exc:
        raise SampleContentError(
            "the Grace Hopper sample needs matplotlib; install it with: pip install matplotlib"
        ) from exc
    return Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"


def _astronaut() -> Path:
    try:
        # Only the package's data folder is read: skimage.data functions may download.
        return Path(str(importlib.resources.files("skimage") / "data" / "astronaut.png"))
    except ModuleNotFoundError as exc:
        raise SampleContentError(
            "the astronaut sample needs scikit-image; install it with: pip install scikit-image"
        ) from exc


SAMPLE_SOURCES: dict[str, Callable[[], Path]] = {
    "grace_hopper.jpg": _grace_hopper,
    "astronaut.png": _astronaut,
}


def ensure_sample_content(content_root: Path) -> list[Path]:
    """Make sure content_root/samples/ holds the sample images; returns their paths."""
    folder = Path(content_root) / SAMPLES_FOLDER
    out = []
    for name, find_source in SAMPLE_SOURCES.items():
        target = folder / name
        if not target.is_file():
            source = find_source()
            if not source.is_file():
                raise SampleContentError(
                    f"sample image {name} not found at {source}; "
                    "reinstall the package that ships it"
                )
            try:
                _atomic_copy(source, target)
            except OSError as exc:
                raise SampleContentError(_cannot_copy(name, source, folder, exc)) from exc
        out.append(target)
    return out


def _cannot_copy(name: str, source: Path, folder: Path, exc: OSError) -> str:
    """Why a sample could not be put in place, and what a person does about it."""
    shown = display_path(folder)
    if folder.exists() and not folder.is_dir():
        return (
            f"{shown} is a file, not a folder: the kiosk keeps its sample portraits in that "
            "folder; move the file away (the folder is then made by itself)"
        )
    return (
        f"cannot copy the sample portrait {name} into {shown} ({exc.strerror or exc}); make the "
        f"content folder (paths.content in config.yaml) writable by the kiosk's user, or copy "
        f"{source} there by hand"
    )


def _atomic_copy(source: Path, target: Path) -> None:
    """Copy so that target is either absent or complete, never half-written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as dst, open(source, "rb") as src:
            if source.suffix.lower() == ".png":
                dst.write(_without_colour_profile(src.read()))
            else:
                shutil.copyfileobj(src, dst)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _without_colour_profile(png: bytes) -> bytes:
    """The PNG without its iCCP chunk (an embedded colour profile). scikit-image's astronaut
    carries a profile libpng calls "known incorrect", and libpng printed a warning about it to
    the terminal every time the kiosk decoded the sample; the pixels are the same without it."""
    if not png.startswith(_PNG_SIGNATURE):
        return png
    out, at = [_PNG_SIGNATURE], len(_PNG_SIGNATURE)
    while at + 8 <= len(png):
        length = int.from_bytes(png[at : at + 4], "big")
        end = at + 12 + length  # length, type, data, CRC
        if png[at + 4 : at + 8] != b"iCCP":
            out.append(png[at:end])
        at = end
    return b"".join(out)
