"""Safe loading of exhibit images: untrusted files, confined to the content root, size-limited."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from kiosk.config import LimitsConfig, display_path
from kiosk.exhibits.schema import ExhibitError, check_relative_path


@dataclass(frozen=True)
class StatKey:
    """Identifies one version of a file cheaply, so unchanged images are not re-read."""

    mtime_ns: int
    size: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> StatKey:
        st = path.stat()
        return cls(st.st_mtime_ns, st.st_size, st.st_ino)


def image_digest(data: bytes) -> str:
    """SHA-256 of the file's bytes: the renderer keys its rig cache by content, not by name."""
    return hashlib.sha256(data).hexdigest()


def resolve_image_path(content_root: Path, relative: str) -> Path:
    """The real path of an image inside content_root (symlinks followed); ExhibitError if not."""
    try:
        check_relative_path(relative)
    except ValueError as exc:
        raise ExhibitError(relative, "", str(exc)) from exc
    root = Path(content_root).resolve()
    target = (root / relative).resolve()
    shown = display_path(Path(content_root) / relative)
    if not target.is_relative_to(root):
        raise ExhibitError(
            shown,
            "",
            f"points outside the content folder {display_path(root)}; "
            "copy the image into it instead of linking to it",
        )
    if not target.exists():
        raise ExhibitError(
            shown,
            "",
            "image not found; check the file name (it is case-"
            "sensitive) and that the image is in the content folder",
        )
    if not target.is_file():
        raise ExhibitError(shown, "", "is not a file; name an image file")
    return target


def read_image_file(path: Path, limits: LimitsConfig) -> tuple[np.ndarray, bytes]:
    """Decode one image file into BGR uint8 (3 channels) and return it with its raw bytes."""
    shown = display_path(path)
    size = path.stat().st_size
    if size == 0:
        raise ExhibitError(shown, "", "the file is empty; copy the image again")
    if size > limits.max_image_bytes:
        raise ExhibitError(
            shown,
            "",
            f"the file is {size:,} bytes, over the limit of "
            f"{limits.max_image_bytes:,}; save a smaller version",
        )
    with open(path, "rb") as f:
        data = f.read(limits.max_image_bytes + 1)
    if not data or len(data) > limits.max_image_bytes:  # changed since stat()
        raise ExhibitError(shown, "", "the file changed while it was read; try again")
    _check_header(data, shown, limits)
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)  # applies EXIF rotation
    if image is None or image.size == 0:
        raise ExhibitError(shown, "", "the image is damaged or incomplete; export it again")
    return np.ascontiguousarray(image), data


def load_image(content_root: Path, relative: str, limits: LimitsConfig) -> np.ndarray:
    """Load an exhibit image as BGR uint8 with 3 channels (grey and alpha are converted)."""
    return read_image_file(resolve_image_path(content_root, relative), limits)[0]


def _check_header(data: bytes, shown: str, limits: LimitsConfig) -> None:
    """Read only the header: refuse non-images and pixel bombs before anything is decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                width, height = im.size
                fmt = im.format
    except Image.DecompressionBombError as exc:  # Pillow's own, much higher, safety limit
        raise ExhibitError(
            shown,
            "",
            f"the image is far over the limit of "
            f"{limits.max_image_pixels:,} pixels ({exc}); "
            "save a smaller version",
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ExhibitError(
            shown, "", "is not an image OpenCV and Pillow can read; save it as JPEG or PNG"
        ) from exc
    if width * height > limits.max_image_pixels:
        raise ExhibitError(
            shown,
            "",
            f"the image is {width} x {height} pixels, over the limit of "
            f"{limits.max_image_pixels:,} pixels; save a smaller version",
        )
    if fmt == "JPEG" and b"\xff\xd9" not in data[-4096:]:
        # libjpeg decodes a cut-off JPEG into a half-grey picture instead of failing.
        raise ExhibitError(shown, "", "the JPEG is incomplete (cut off); copy or export it again")
