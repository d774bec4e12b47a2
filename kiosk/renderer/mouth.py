"""The inside of an opening mouth: a shaded cavity with upper and lower teeth that follow the
lips, coloured from the painting's own palette. It replaces the lip texture the warp would
otherwise stretch across the gap, and fades in with the gap so closed lips show no seam."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.renderer.rig import MouthPalette
from kiosk.tracking import landmarks as lm

_UPPER = lm.as_index(lm.LIPS_INNER_UPPER)  # corner 78 ... corner 308
_LOWER = lm.as_index((78, *lm.LIPS_INNER_LOWER[::-1], 308))  # corner 78 ... corner 308
_SUB = 4  # fixed-point bits for sub-pixel polygon drawing
_SUBF = float(1 << _SUB)


def _poly(points: np.ndarray) -> np.ndarray:
    return np.round(points * _SUBF).astype(np.int32).reshape(-1, 1, 2)


def draw_mouth_interior(
    out: np.ndarray, targets: np.ndarray, palette: MouthPalette, origin: tuple[int, int] = (0, 0)
) -> None:
    """Paint the mouth interior into `out` (BGR, modified in place) for landmark `targets`.

    `origin` is the image position of `out`'s top-left pixel (when `out` is a region crop).
    """
    upper = targets[_UPPER, :2].astype(np.float64) - origin
    lower = targets[_LOWER, :2].astype(np.float64) - origin
    width = float(np.linalg.norm(upper[-1] - upper[0]))
    gap = float(
        np.linalg.norm(targets[lm.LOWER_LIP_INNER_MID, :2] - targets[lm.UPPER_LIP_INNER_MID, :2])
    )
    if width < 4.0 or gap < 0.015 * width:
        return
    opacity = float(np.clip((gap - 0.015 * width) / (0.05 * width), 0.0, 1.0))
    pad = int(np.ceil(0.1 * width)) + 3
    allpts = np.concatenate([upper, lower])
    x0 = max(0, int(np.floor(allpts[:, 0].min())) - pad)
    y0 = max(0, int(np.floor(allpts[:, 1].min())) - pad)
    x1 = min(out.shape[1], int(np.ceil(allpts[:, 0].max())) + pad)
    y1 = min(out.shape[0], int(np.ceil(allpts[:, 1].max())) + pad)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    upper_l = upper - (x0, y0)
    lower_l = lower - (x0, y0)
    h, w = y1 - y0, x1 - x0

    # Cavity: darkest in the middle, a little lighter towards the lips.
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [_poly(np.concatenate([upper_l, lower_l[::-1]]))], 255, cv2.LINE_AA, _SUB)
    centre = (upper_l.mean(axis=0) + lower_l.mean(axis=0)) / 2
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    rx = max(width / 2, 1.0)
    ry = max(gap / 2, 1.0)
    radial = np.clip(np.sqrt(((xx - centre[0]) / rx) ** 2 + ((yy - centre[1]) / ry) ** 2), 0, 1)
    cavity = palette.cavity[None, None, :] * (0.55 + 0.7 * radial[..., None])
    interior = cavity.astype(np.float32)

    # Teeth: a band hanging from the upper lip and a shorter one rising from the lower lip,
    # narrower than the mouth (no teeth in the corners), shaded darker towards the sides.
    tooth_h = min(0.42 * gap, 0.11 * width)
    teeth = np.zeros((h, w), np.uint8)
    inner = slice(2, -2)
    up = upper_l[inner]
    lo = lower_l[inner]
    cv2.fillPoly(
        teeth, [_poly(np.concatenate([up, (up + (0, tooth_h))[::-1]]))], 255, cv2.LINE_AA, _SUB
    )
    if gap > 0.12 * width:
        low_h = min(0.3 * gap, 0.07 * width)
        cv2.fillPoly(
            teeth, [_poly(np.concatenate([lo, (lo - (0, low_h))[::-1]]))], 200, cv2.LINE_AA, _SUB
        )
    side = np.clip(1.0 - np.abs((xx - centre[0]) / rx) ** 2, 0.0, 1.0)
    teeth_col = palette.teeth[None, None, :] * (0.45 + 0.55 * side[..., None])
    t_alpha = (
        cv2.GaussianBlur(teeth, (0, 0), max(0.6, width * 0.008)).astype(np.float32)[..., None] / 255
    )
    interior = interior * (1 - t_alpha) + teeth_col * t_alpha
    # A soft shadow under the upper lip sells the depth.
    shadow = np.zeros((h, w), np.uint8)
    cv2.polylines(
        shadow, [_poly(upper_l)], False, 255, max(1, int(width * 0.03)), cv2.LINE_AA, _SUB
    )
    shadow_a = cv2.GaussianBlur(shadow, (0, 0), max(1.0, width * 0.02)).astype(np.float32)[
        ..., None
    ]
    interior *= 1.0 - 0.45 * shadow_a / 255

    alpha = cv2.GaussianBlur(mask, (0, 0), max(0.7, width * 0.012)).astype(np.float32) / 255
    alpha = np.minimum(alpha, mask.astype(np.float32) / 255 + 0.0)  # feather inwards only
    alpha = (alpha * opacity)[..., None]
    crop = out[y0:y1, x0:x1].astype(np.float32)
    out[y0:y1, x0:x1] = np.clip(crop * (1 - alpha) + interior * alpha, 0, 255).astype(np.uint8)
