"""What a visitor close to the screen sees of the invented pixels: colour fidelity on grayscale
copies, the fine texture kept under small motion, and a gallery sheet of 2x crops of the mouth
and eyes in the poses where the engine invents the most.

Pure rendering and measuring: `kiosk.evaluation.run` finds the portraits and writes the files.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from kiosk.exhibits.samples import SAMPLE_SOURCES, SampleContentError
from kiosk.motion.controls import motion_from_controls
from kiosk.renderer.engine import Animation, Engine
from kiosk.renderer.face_rig import PaintingRig
from kiosk.tracking import landmarks as lm

GALLERY_PORTRAITS = (
    "mona_lisa",
    "girl_with_a_pearl_earring",
    "painted_old_woman",
    "einstein_colourised",
)
# (label, controls, which part of the face the crop shows)
GALLERY_POSES: tuple[tuple[str, dict[str, float], str], ...] = (
    ("still", {}, "mouth"),
    ("open 0.3", {"jaw_open": 0.3}, "mouth"),
    ("open 0.6", {"jaw_open": 0.6}, "mouth"),
    ("open 0.9", {"jaw_open": 0.9}, "mouth"),
    ("smile", {"smile": 0.8}, "mouth"),
    ("mid-blink", {"blink": 0.5}, "eyes"),
    ("closed eyes", {"blink": 1.0}, "eyes"),
    ("wink", {"blink_left": 1.0}, "eyes"),
)
# The poses that invent colour (open mouth, closing lids): colour fidelity is measured on these.
COLOUR_POSES: tuple[dict[str, float], ...] = (
    {"jaw_open": 0.9},
    {"jaw_open": 0.5, "smile": 0.5},
    {"blink": 0.5},
    {"blink": 1.0},
    {"blink_left": 1.0, "jaw_open": 0.7},
)
# Small motions (a visitor standing nearly still): the face keeps its texture under these.
SMALL_MOTIONS: tuple[dict[str, float], ...] = (
    {"yaw": 3.0},
    {"pitch": 2.0},
    {"roll": 2.0},
    {"smile": 0.15},
)
DETAIL_SIGMA = 1.0  # px: what a Gaussian of this sigma removes is the fine texture
MAX_TILE = 480  # px: a crop is shown at 2x unless that makes it wider than this


def grayscale(image: np.ndarray) -> np.ndarray:
    """A three-channel grayscale copy (every pixel's channels equal)."""
    return cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)


def sepia(image: np.ndarray) -> np.ndarray:
    """A sepia-toned copy: luma times a warm brown (a toned photographic print)."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32)[..., None]
    tone = np.array([0.62, 0.84, 1.0], np.float32)  # BGR
    return np.clip(grey * tone + 0.5, 0, 255).astype(np.uint8)


def channel_spread(image: np.ndarray) -> int:
    """The largest difference between any pixel's channels (0 for a grayscale image)."""
    return int((image.max(axis=2).astype(np.int16) - image.min(axis=2)).max())


def colour_fidelity(engine: Engine, rig: PaintingRig) -> int:
    """The largest channel spread over renders of `rig` (built from a grayscale image) in the
    poses that invent pixels: 0..3 means it stays grayscale."""
    return max(
        channel_spread(engine.render(rig, [motion_from_controls(c)])) for c in COLOUR_POSES
    )


def _face_mask(rig: PaintingRig, erode_iod: float = 0.08) -> np.ndarray:
    """The face oval of the rig's first face, shrunk a little (its edge moves with the head)."""
    face = rig.faces[0]
    mask = np.zeros(rig.image.shape[:2], np.uint8)
    oval = np.round(face.landmarks[lm.as_index(lm.FACE_OVAL), :2]).astype(np.int32)
    cv2.fillPoly(mask, [oval], 255)
    k = max(3, int(face.frame.iod * erode_iod) | 1)
    return cv2.erode(mask, np.ones((k, k), np.uint8)) > 0


def high_frequency_energy(image: np.ndarray, mask: np.ndarray) -> float:
    """Mean squared fine detail (the luma minus its sigma-1 blur) inside `mask`."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32)
    fine = grey - cv2.GaussianBlur(grey, (0, 0), DETAIL_SIGMA)
    return float(np.mean(fine[mask] ** 2))


def detail_ratio(
    engine: Engine, rig: PaintingRig, animation: Animation | None = None
) -> float:
    """The face's fine-texture energy under small motions over the still painting's (1: kept;
    a warp that resamples with a soft filter loses some at every sub-pixel shift).
    `animation`: the settings rendered with (None: the defaults)."""
    animation = animation or Animation()
    mask = _face_mask(rig)
    still = high_frequency_energy(rig.image, mask)
    if still <= 1e-6:
        return float("nan")
    moved = [
        high_frequency_energy(engine.render(rig, [motion_from_controls(c)], animation), mask)
        for c in SMALL_MOTIONS
    ]
    return float(np.mean(moved) / still)


def crop_box(rig: PaintingRig, part: str) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the mouth or the eyes of the rig's first face, with room to move."""
    face = rig.faces[0]
    pts, iod = face.landmarks[:, :2], face.frame.iod
    if part == "mouth":
        centre = pts[lm.as_index(lm.LIPS_OUTER)].mean(axis=0) + (0.0, 0.2 * iod)
        half = np.array([0.85, 0.6]) * iod
    else:
        eyes = lm.as_index(lm.RIGHT_EYE_CONTOUR + lm.LEFT_EYE_CONTOUR)
        centre = pts[eyes].mean(axis=0) - (0.0, 0.05 * iod)
        half = np.array([1.05, 0.38]) * iod
    h, w = rig.image.shape[:2]
    x0, y0 = np.maximum(np.round(centre - half).astype(int), 0)
    x1, y1 = np.minimum(np.round(centre + half).astype(int), (w, h))
    return int(x0), int(y0), int(x1), int(y1)


def tile(image: np.ndarray, box: tuple[int, int, int, int], label: str) -> np.ndarray:
    """`box` of `image` at 2x (smaller if that is wider than MAX_TILE), labelled: one crop of
    the gallery (scripts/crops_sheet.py draws its before/after sheets with the same)."""
    x0, y0, x1, y1 = box
    crop = image[y0:y1, x0:x1]
    scale = min(2.0, MAX_TILE / max(crop.shape[1], 1))
    size = (round(crop.shape[1] * scale), round(crop.shape[0] * scale))
    scaled = cv2.resize(crop, size, interpolation=cv2.INTER_NEAREST if scale == 2.0 else
                        cv2.INTER_AREA)  # fmt: skip
    text = f"{label} ({scale:.1f}x)"
    cv2.rectangle(scaled, (0, 0), (scaled.shape[1], 18), (0, 0, 0), -1)
    cv2.putText(scaled, text, (4, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (255, 255, 255), 1)
    return scaled


def gallery_row(engine: Engine, rig: PaintingRig, title: str) -> np.ndarray:
    """One portrait's 2x crops in `GALLERY_POSES`, in two bands (mouth poses, eye poses)."""
    bands: dict[str, list[np.ndarray]] = {"mouth": [], "eyes": []}
    for label, controls, part in GALLERY_POSES:
        out = engine.render(rig, [motion_from_controls(controls)])
        bands[part].append(tile(out, crop_box(rig, part), label))
    rows = [np.hstack(tiles) for tiles in bands.values() if tiles]
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 4), (0, width - r.shape[1]), (0, 0))) for r in rows]
    banner = np.zeros((24, width, 3), np.uint8)
    cv2.putText(banner, title, (6, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 1)
    return np.vstack([banner, *rows])


def stack_rows(rows: list[np.ndarray]) -> np.ndarray:
    """Rows of different widths, left-aligned on black."""
    width = max(r.shape[1] for r in rows)
    return np.vstack([np.pad(r, ((0, 8), (0, width - r.shape[1]), (0, 0))) for r in rows])


def sample_portraits() -> dict[str, Path]:
    """The built-in samples (Grace Hopper, the astronaut) from the wheels that ship them;
    those whose package is missing are left out."""
    found = {}
    for name, source in SAMPLE_SOURCES.items():
        try:
            path = source()
        except SampleContentError:
            continue
        if path.is_file():
            found[Path(name).stem] = path
    return found
