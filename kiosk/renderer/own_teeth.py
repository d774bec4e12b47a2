"""A painting's own visible teeth, kept when its mouth moves.

A sitter painted or photographed with parted lips (the astronaut sample smiles with her teeth)
shows her own teeth between them (paint much brighter than her lips). The warp would stretch
them with the opening lips, and the drawn interior would paint over them. Instead, what shows
between the lips at rest is cut in two along the line midway between the lips: the upper half
(upper teeth) moves rigidly with the skull, the lower half (lower teeth) with the jaw. The
drawn interior shows only where the lips part beyond them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.renderer.tone import LUMA_BGR
from kiosk.tracking import landmarks as lm

_UPPER = lm.as_index(lm.LIPS_INNER_UPPER)  # corner 78 ... corner 308
_LOWER = lm.as_index(lm.LIPS_INNER_LOWER_78_TO_308)
# What each half moves with: the upper teeth with the skull, the lower teeth with the chin and
# the middle of the lower lip (the lips' corners hardly follow the jaw).
_SKULL = lm.as_index(lm.RIGID)
_JAW = lm.as_index(lm.JAW + lm.LIPS_INNER_LOWER[2:7] + lm.LIPS_OUTER_LOWER[2:7])
# Lips parted at least this much at rest (gap over width, `landmarks.lips_parted`) show enough
# of the mouth's inside to keep; below it there is only a dark line between the lips.
MIN_REST_GAP = 0.06
MAX_SCALE_CHANGE = 0.08  # teeth do not grow or shrink: the fitted scale is held near 1
# A painting keeps its own teeth only if paint this much brighter than its lips covers
# MIN_TEETH_SHARE of the inside at rest. Less is a glint among lip paint caught inside
# imprecise inner-lip landmarks: carried into the opening with the jaw, that lip paint read as
# closed lips (the Pearl Earring's mouth followed d19 at 0.56 against 0.88 drawn), and drawn
# teeth do better.
TEETH_BRIGHTER = 1.15
MIN_TEETH_SHARE = 0.12


@dataclass(frozen=True, slots=True)
class PaintedMouth:
    """What shows between a painting's parted lips at rest, in two halves."""

    patch: np.ndarray  # uint8 BGR crop of the painting around the inner lips
    origin: tuple[int, int]  # image position of the patch's top-left pixel
    upper_alpha: np.ndarray  # float32, patch-sized: the upper half (with the upper teeth)
    lower_alpha: np.ndarray  # float32, patch-sized: the lower half
    skull: np.ndarray  # (N, 2) skull-fixed landmarks at rest (_SKULL), image pixels
    jaw: np.ndarray  # (M, 2) landmarks that move with the jaw at rest (_JAW), image pixels


def painted_mouth(
    image: np.ndarray, points: np.ndarray, rest_gap: float, lip: np.ndarray
) -> PaintedMouth | None:
    """The painting's own teeth between its parted lips, or None if its lips are (nearly)
    closed or show hardly any teeth. `lip`: the lips' colour (BGR)."""
    if rest_gap < MIN_REST_GAP:
        return None
    upper = points[_UPPER, :2].astype(np.float64)
    lower = points[_LOWER, :2].astype(np.float64)
    width = float(np.linalg.norm(upper[-1] - upper[0]))
    pad = int(np.ceil(0.1 * width)) + 2
    allpts = np.concatenate([upper, lower])
    h, w = image.shape[:2]
    x0, y0 = np.maximum(np.floor(allpts.min(axis=0)).astype(int) - pad, 0)
    x1, y1 = np.minimum(np.ceil(allpts.max(axis=0)).astype(int) + pad + 1, (w, h))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    middle = 0.5 * (upper + lower)
    soft = max(0.6, 0.01 * width)

    def half(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        poly = np.concatenate([top, bottom[::-1]]) - (x0, y0)
        cv2.fillPoly(mask, [np.round(poly * 16).astype(np.int32)], 255, cv2.LINE_AA, 4)
        return cv2.GaussianBlur(mask.astype(np.float32) * (1 / 255), (0, 0), soft)

    patch = image[y0:y1, x0:x1].copy()
    pixels = patch.astype(np.float32)
    luma_w = LUMA_BGR.astype(np.float32)
    lip_luma = max(float(lip @ luma_w), 1.0)
    inside = half(upper, lower)
    bright = (pixels @ luma_w) > TEETH_BRIGHTER * lip_luma
    if float((inside * bright).sum()) < MIN_TEETH_SHARE * float(inside.sum()):
        return None
    upper_alpha, lower_alpha = half(upper, middle), half(middle, lower)
    return PaintedMouth(
        patch=patch,
        origin=(int(x0), int(y0)),
        upper_alpha=upper_alpha,
        lower_alpha=lower_alpha,
        skull=points[_SKULL, :2].astype(np.float64),
        jaw=points[_JAW, :2].astype(np.float64),
    )


def _similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The 2x3 least-squares similarity taking `src` points onto `dst` (complex numbers as
    points), its scale held within MAX_SCALE_CHANGE of 1."""
    a = src[:, 0] + 1j * src[:, 1]
    b = dst[:, 0] + 1j * dst[:, 1]
    ma, mb = a.mean(), b.mean()
    k = np.vdot(a - ma, b - mb) / max(float(np.vdot(a - ma, a - ma).real), 1e-9)
    size = abs(k)
    if size > 1e-9:
        k *= np.clip(size, 1 - MAX_SCALE_CHANGE, 1 + MAX_SCALE_CHANGE) / size
    t = mb - k * ma
    return np.array([[k.real, -k.imag, t.real], [k.imag, k.real, t.imag]], np.float32)


def place_teeth(
    mouth: PaintedMouth, targets: np.ndarray, box: tuple[int, int, int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The painting's own teeth moved with the lips to `targets` (image pixels), over `box`
    (x0, y0, x1, y1, image pixels): (float32 BGR colour, float32 alpha)."""
    x0, y0, x1, y1 = box
    size = (x1 - x0, y1 - y0)
    colour = np.zeros((size[1], size[0], 3), np.float32)
    alpha = np.zeros((size[1], size[0]), np.float32)
    patch = mouth.patch.astype(np.float32)
    px, py = mouth.origin
    halves = (
        (mouth.upper_alpha, mouth.skull, _SKULL),
        (mouth.lower_alpha, mouth.jaw, _JAW),
    )
    for half_alpha, rest, index in halves:
        move = _similarity(rest, targets[index, :2].astype(np.float64))
        # From patch pixels to box pixels.
        move[:, 2] += move[:, :2] @ np.array([px, py], np.float32) - (x0, y0)
        a = cv2.warpAffine(half_alpha, move, size, flags=cv2.INTER_LINEAR)
        c = cv2.warpAffine(patch, move, size, flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
        colour = colour * (1.0 - a[..., None]) + c * a[..., None]
        alpha = 1.0 - (1.0 - alpha) * (1.0 - a)
    # The halves' colours were laid over black: undo that where they cover only partly.
    colour /= np.maximum(alpha, 1e-6)[..., None]
    return colour, alpha
