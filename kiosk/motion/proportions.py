"""Moving expressions between faces of different proportions.

Offsets are measured on one face (a visitor, or the reference face clips are written for) and
shown on another (a painting). Lid offsets are scaled per lid point by the ratio of the two
faces' lid gaps, so a full blink closes any eye fully; mouth offsets by the ratio of mouth widths,
so a wide-mouthed visitor does not tear a small painted mouth.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np

from kiosk.tracking import landmarks as lm

_R_UP = lm.as_index(lm.RIGHT_EYE_UPPER)
_R_LO = lm.as_index(lm.RIGHT_EYE_LOWER)
_L_UP = lm.as_index(lm.LEFT_EYE_UPPER)
_L_LO = lm.as_index(lm.LEFT_EYE_LOWER)
_R_RING = lm.as_index(lm.RIGHT_EYE_UPPER_RING)
_L_RING = lm.as_index(lm.LEFT_EYE_UPPER_RING)
_IRISES = lm.as_index(lm.RIGHT_IRIS + lm.LEFT_IRIS)


@lru_cache(maxsize=1)
def reference_face() -> np.ndarray:
    """The neutral face (478, 3) that driver clips are written for, canonical IOD units.

    Averaged from the public-domain sample portraits by scripts/make_reference_face.py.
    """
    with resources.files("kiosk.motion.data").joinpath("reference_face.npy").open("rb") as f:
        face = np.load(f).astype(np.float32)
    face.setflags(write=False)
    return face


def lid_gaps(shape: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertical lid gaps (7 per eye) of a canonical shape."""
    return shape[_R_LO, 1] - shape[_R_UP, 1], shape[_L_LO, 1] - shape[_L_UP, 1]


def eye_width(shape: np.ndarray) -> float:
    """Mean corner-to-corner width of the two eyes."""
    r = np.linalg.norm(shape[lm.RIGHT_EYE_OUTER, :2] - shape[lm.RIGHT_EYE_INNER, :2])
    left = np.linalg.norm(shape[lm.LEFT_EYE_OUTER, :2] - shape[lm.LEFT_EYE_INNER, :2])
    return float((r + left) / 2)


def mouth_width(shape: np.ndarray) -> float:
    return float(np.linalg.norm(shape[lm.MOUTH_LEFT, :2] - shape[lm.MOUTH_RIGHT, :2]))


@lru_cache(maxsize=1)
def mouth_weights() -> np.ndarray:
    """1 on the lips and jaw, fading to 0 across the cheeks, from the reference face."""
    ref = reference_face()
    centre = ref[list(lm.LIPS_OUTER), :2].mean(axis=0)
    radius = mouth_width(ref) * 0.9
    d = np.linalg.norm(ref[:, :2] - centre, axis=1)
    w = np.clip(1.5 - d / radius, 0.0, 1.0)
    w[lm.as_index(lm.JAW)] = 1.0
    return w.astype(np.float32)


def offset_scale(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Per-landmark factors (V, 3) that turn offsets measured on face `source` into offsets that
    suit face `target` (both canonical shapes). They depend on the two faces only, so callers
    work them out once per face, not per frame.

    The mouth's offsets are not scaled: a smile or an opening keeps its size relative to the
    face (inter-ocular distance), as the visitor made it. Scaled to the mouth's width, paintings
    (whose mouths are mostly narrower for their faces than a visitor's) smiled at 0.72 and
    opened at 0.83 of the visitor's size, median over the eval's 98 pairs."""
    scale = np.ones(source.shape, np.float32)
    # Gaze: the iris travels in proportion to the eye's width.
    eye_ratio = np.clip(eye_width(target) / max(eye_width(source), 1e-6), 0.5, 2.0)
    scale[_IRISES, :2] = eye_ratio
    src_r, src_l = lid_gaps(source)
    tgt_r, tgt_l = lid_gaps(target)
    for up, lo, ring, s, t in (
        (_R_UP, _R_LO, _R_RING, src_r, tgt_r),
        (_L_UP, _L_LO, _L_RING, src_l, tgt_l),
    ):
        ratio = np.clip(t / np.maximum(s, 1e-3), 0.3, 3.0).astype(np.float32)
        scale[up, 1] = ratio
        scale[lo, 1] = ratio
        scale[ring, 1] = ratio
    return scale
