"""The synthetic camera's test pattern: a portrait moving smoothly in the frame.

Deterministic in time, so that it is usable offline and in tests as well as by the synthetic
source (kiosk.camera.sources.SyntheticSource), which paces it like a camera.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

BACKGROUND = (92, 96, 100)  # BGR, a neutral wall grey


@dataclass(frozen=True, slots=True)
class SyntheticMotion:
    """Parameters of the test pattern's similarity transform at one instant."""

    angle_deg: float  # counter-clockwise, within +-8
    scale: float  # within 1 +- 0.05
    tx: float  # fraction of frame width
    ty: float  # fraction of frame height


def synthetic_motion(t: float) -> SyntheticMotion:
    """Smooth, periodic head-like motion: sums of sines with incommensurate periods."""
    tau = 2 * math.pi
    angle = 5.0 * math.sin(tau * t / 5.3) + 3.0 * math.sin(tau * t / 2.9 + 1.0)
    scale = 1.0 + 0.035 * math.sin(tau * t / 7.1 + 0.4) + 0.015 * math.sin(tau * t / 3.7)
    tx = 0.06 * math.sin(tau * t / 6.1) + 0.02 * math.sin(tau * t / 2.3 + 2.0)
    ty = 0.03 * math.sin(tau * t / 4.3 + 0.5) + 0.01 * math.sin(tau * t / 1.9)
    return SyntheticMotion(angle, scale, tx, ty)


def compose_pattern(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The BGR portrait fitted into ~80% of a `size` (w, h) frame, centred on the background."""
    w, h = size
    canvas = np.empty((h, w, 3), np.uint8)
    canvas[:] = BACKGROUND
    ih, iw = image.shape[:2]
    s = min(0.8 * h / ih, 0.8 * w / iw)
    pw, ph = max(1, round(iw * s)), max(1, round(ih * s))
    x, y = (w - pw) // 2, (h - ph) // 2
    canvas[y : y + ph, x : x + pw] = cv2.resize(image, (pw, ph), interpolation=cv2.INTER_AREA)
    return canvas


def render_pattern(base: np.ndarray, t: float) -> np.ndarray:
    """The composed pattern `base` moved by `synthetic_motion(t)`."""
    h, w = base.shape[:2]
    m = synthetic_motion(t)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), m.angle_deg, m.scale)
    matrix[0, 2] += m.tx * w
    matrix[1, 2] += m.ty * h
    return cv2.warpAffine(
        base,
        matrix,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=BACKGROUND,
    )
