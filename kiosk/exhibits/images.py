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
from kiosk.problems import show_value
from kiosk.safe_yaml import FileTooBigError, read_bounded_bytes


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
        raise ExhibitError(show_value(relative), "", str(exc)) from exc
    shown = display_path(Path(content_root) / relative)
    root = Path(content_root).resolve()
    try:
        target = (root / relative).resolve()
    except RuntimeError as exc:  # Python 3.11 raises this for a symlink loop
        raise ExhibitError(
            shown, "", "is a symbolic link that leads back to itself; copy the image there"
        ) from exc
    except (OSError, ValueError) as exc:
        raise ExhibitError(shown, "", f"cannot be looked up ({exc}); check the name") from exc
    if not target.is_relative_to(root):
        raise ExhibitError(
            shown,
            "",
            f"points outside the content folder {display_path(root)}; "
            "copy the image into it instead of linking to it",
        )
    try:
        exists, is_file = target.exists(), target.is_file()
    except (OSError, ValueError) as exc:
        raise ExhibitError(shown, "", f"cannot be looked up ({exc}); check the name") from exc
    if not exists:
        raise ExhibitError(
            shown,
            "",
            "image not found; check the file name (it is case-"
            "sensitive) and that the image is in the content folder",
        )
    if not is_file:
        raise ExhibitError(shown, "", "is not a file; name an image file")
    return target


def read_image_file(
    path: Path, limits: LimitsConfig, pixels_left: int | None = None
) -> tuple[np.ndarray, bytes]:
    """Decode one image file into BGR uint8 (3 channels) and return it with its raw bytes.
    pixels_left: what the total budget (limits.max_total_image_pixels) still allows; an image
    over it is refused from its header, before it is decoded."""
    shown = display_path(path)
    try:
        data = read_bounded_bytes(path, limits.max_image_bytes)
    except FileTooBigError as exc:
        raise ExhibitError(
            shown,
            "",
            f"the file is {exc.size:,} bytes, over the limit of "
            f"{limits.max_image_bytes:,}; save a smaller version",
        ) from exc
    if not data:
        raise ExhibitError(shown, "", "the file is empty; copy the image again")
    fmt = _check_header(data, shown, limits, pixels_left)
    if fmt == "GIF":
        image = _decode_still_gif(data, shown)
    else:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)  # EXIF rotation
    if image is None or image.size == 0:
        raise ExhibitError(shown, "", "the image is damaged or incomplete; export it again")
    if fmt == "JPEG" and _ends_in_decoder_fill(image):
        raise ExhibitError(
            shown,
            "",
            "the JPEG's picture data ends early (its bottom is missing, filled with grey); "
            "copy or export it again",
        )
    return np.ascontiguousarray(image), data


# libjpeg fills what a cut-off JPEG lacks with this grey instead of failing; the last full
# row of 8x8 blocks all of exactly this value means the data ran out before the picture did.
_JPEG_FILL = 128
_JPEG_BLOCK_ROWS = 8


def _ends_in_decoder_fill(image: np.ndarray) -> bool:
    tail = image[-_JPEG_BLOCK_ROWS:]
    return image.shape[0] > _JPEG_BLOCK_ROWS and bool(np.all(tail == _JPEG_FILL))


def _decode_still_gif(data: bytes, shown: str) -> np.ndarray:
    """A one-frame GIF, as BGR (OpenCV reads no GIF); an animated one is refused: an exhibit
    is a still painting that the kiosk itself animates."""
    with Image.open(io.BytesIO(data)) as im:
        if getattr(im, "n_frames", 1) > 1:
            raise ExhibitError(
                shown,
                "",
                f"is an animated GIF ({im.n_frames} frames); the kiosk animates a still "
                "painting itself: export one frame as PNG or JPEG and name that",
            )
        try:
            rgb = np.asarray(im.convert("RGB"))
        except (OSError, ValueError) as exc:
            raise ExhibitError(shown, "", "the GIF is damaged; export it again") from exc
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)  # the one RGB -> BGR turn for GIFs


def load_image(content_root: Path, relative: str, limits: LimitsConfig) -> np.ndarray:
    """Load an exhibit image as BGR uint8 with 3 channels (grey and alpha are converted)."""
    return read_image_file(resolve_image_path(content_root, relative), limits)[0]


def over_total_pixels(limits: LimitsConfig) -> str:
    """The message for an image that would take all exhibits' images over their budget."""
    return (
        f"with this image, all exhibit images together would be over "
        f"limits.max_total_image_pixels ({limits.max_total_image_pixels:,} pixels); use a "
        "smaller image, disable another exhibit, or raise the limit in config.yaml"
    )


def _check_header(
    data: bytes, shown: str, limits: LimitsConfig, pixels_left: int | None = None
) -> str:
    """Read only the header: refuse non-images and pixel bombs before anything is decoded.
    Returns Pillow's name of the format ("JPEG", "PNG", "GIF", ...)."""
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
    if pixels_left is not None and width * height > pixels_left:
        raise ExhibitError(shown, "", over_total_pixels(limits))
    if fmt == "JPEG" and b"\xff\xd9" not in data[-4096:]:
        # libjpeg decodes a cut-off JPEG into a half-grey picture instead of failing.
        raise ExhibitError(shown, "", "the JPEG is incomplete (cut off); copy or export it again")
    return fmt
