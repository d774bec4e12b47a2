"""The skin a closed lid carries, built once per eye: the painting's own fine texture (the skin
under the eye mirrored up over it) in the tone of the skin right above the eye, shaded as a lid
rounded over the eyeball. `kiosk.renderer.lids` moves it with the eye's corners per frame."""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from kiosk.renderer.tone import LUMA_BGR

# The face mesh's second ring above each eye (outer corner to inner), just under the brow: the
# skin from the lid's margin up to it is the skin a closed lid matches.
RIGHT_EYE_UPPER_RING_2 = (113, 225, 224, 223, 222, 221, 189)
LEFT_EYE_UPPER_RING_2 = (342, 445, 444, 443, 442, 441, 413)

# How far below the lowest point of the lower lid the mirror line sits, in eye widths: the
# texture then comes from the skin under the eye, not from the lower lashes.
_MIRROR_GAP = 0.06
_DETAIL_SIGMA = 0.05  # eye widths: finer than this is texture (craquelure, wrinkles, grain)
_DETAIL_LIMIT = 40.0  # levels: the texture's strongest strokes, so a shadow never becomes one
# The texture is held as bytes around this level: a quarter of the memory of floats (twenty
# rigs hold it), and OpenCV's fastest path to move and add it per frame.
DETAIL_ZERO = 128
# The skin above the eye is measured on its pixels between these brightness percentiles: the
# lit skin, without the lashes, the crease's shadow and brow hairs below, nor glints above.
_ABOVE_PERCENTILES = (50, 95)
# How much of the mirrored skin's light and shade the lid keeps (its colour is the skin
# above's): under-eye bags and shadows taken whole read as bruises on a lid.
_RELIEF = 0.6
# A lid is rounded over the eyeball: this much darker at its edges than at its middle, so a
# closed eye reads as a lid and not as a flat patch of skin.
_ROUNDING = 0.18
_LUMA = LUMA_BGR.astype(np.float32)


class EyeOutline(NamedTuple):
    """The landmarks of one eye a closed lid is built from (indices into the face's points)."""

    corners: tuple[int, int]  # outer, inner
    upper: tuple[int, ...]  # upper lid margin, corner to corner
    lower: tuple[int, ...]  # lower lid margin, same order
    ring: tuple[int, ...]  # the crease line above the upper lid, same order
    ring_2: tuple[int, ...]  # the next ring up, just under the brow, same order


def closed_lid_skin(
    image: np.ndarray,
    points: np.ndarray,
    eye: EyeOutline,
    box: tuple[int, int, int, int],
    width: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """A closed lid's skin over the box (x0, y0, x1, y1): its light and shade (uint8 BGR) and
    its fine texture (uint8 BGR around DETAIL_ZERO); None if too small to build.

    A flat lid reads as plaster on a cracked, brushed or photographed face. Lid skin looks like
    the skin under the eye, so that is mirrored up across a line just below the lower lid (along
    the eye's own tilt): its texture at full strength, its light and shade damped. Its colour is
    the skin right above the eye's (the skin under an eye is often paler, darker or another hue
    than the lid's), which also keeps a grayscale or sepia painting's lid grayscale or sepia.
    """
    x0, y0, x1, y1 = box
    mirrored = _mirrored_under_eye(image, points, eye, box, width)
    if mirrored is None:
        return None
    smooth = cv2.GaussianBlur(mirrored, (0, 0), max(1.0, width * _DETAIL_SIGMA))
    opening = np.zeros((y1 - y0, x1 - x0), np.uint8)
    outline = np.concatenate([points[list(eye.upper), :2], points[list(eye.lower)[::-1], :2]])
    cv2.fillPoly(opening, [np.round(outline - (x0, y0)).astype(np.int32)], 255)
    if not opening.any():
        return None
    tone = skin_above(image, points, eye)
    # Brightness relative to the lid's middle: the mirrored skin's relief times the rounding.
    luma = smooth @ _LUMA
    shade = 1.0 + _RELIEF * (luma / max(float(luma[opening > 0].mean()), 1.0) - 1.0)
    shade *= _rounding(opening.shape, points, eye, (x0, y0))
    shade /= max(float(shade[opening > 0].mean()), 1e-3)
    base = np.clip(shade[..., None] * tone + 0.5, 0, 255).astype(np.uint8)
    return base, _texture(mirrored - smooth, tone)


def _texture(fine: np.ndarray, tone: np.ndarray) -> np.ndarray:
    """The lid's texture (uint8 BGR around DETAIL_ZERO) from the mirrored skin's fine detail
    `fine` (float BGR): its light and dark, in the lid's own hue `tone`. Taken in its own
    colours, orange wrinkles under an eye left the lid between them bluish (a high-pass is as
    much below its mean as above it) and the lid read grey; keeping some of that colour (a
    third) looked no different."""
    # Limited on its light and dark, so a shadow never becomes a stroke; then in the hue, as a
    # whole (clipping one channel more than the others would give a lid coloured specks), to
    # what bytes around DETAIL_ZERO hold.
    light = np.clip(fine @ _LUMA, -_DETAIL_LIMIT, _DETAIL_LIMIT)
    detail = light[..., None] * (tone / max(float(tone @ _LUMA), 1.0))
    peak = np.abs(detail).max(axis=2, keepdims=True)
    detail *= np.minimum(1.0, (DETAIL_ZERO - 1) / np.maximum(peak, 1e-6))
    return np.round(detail + DETAIL_ZERO).astype(np.uint8)


def _mirrored_under_eye(
    image: np.ndarray,
    points: np.ndarray,
    eye: EyeOutline,
    box: tuple[int, int, int, int],
    width: float,
) -> np.ndarray | None:
    """The painting over `box` (float32 BGR) with the skin under the eye mirrored up across a
    line just below the lower lid; None if the box is too small or the corners have met."""
    x0, y0, x1, y1 = box
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    a = points[eye.corners[0], :2].astype(np.float64)
    b = points[eye.corners[1], :2].astype(np.float64)
    span = float(np.linalg.norm(b - a))
    if span < 1e-3 * width:
        return None  # no eye line to mirror across
    normal = _down_normal(a, b)
    depth = (points[list(eye.lower), :2] - a) @ normal
    line = float(depth.max()) + _MIRROR_GAP * width
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float64)
    # How far above the line: mirrored to as far below it; the skin below stays itself.
    beyond = np.maximum(line - ((xx - a[0]) * normal[0] + (yy - a[1]) * normal[1]), 0.0)
    map_x = (xx + 2.0 * beyond * normal[0]).astype(np.float32)
    map_y = (yy + 2.0 * beyond * normal[1]).astype(np.float32)
    mirrored = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    return mirrored.astype(np.float32)


def _down_normal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The unit normal to the eye line a-b pointing down the face, towards the cheek."""
    along = (b - a) / max(float(np.linalg.norm(b - a)), 1e-9)
    normal = np.array([-along[1], along[0]])
    return -normal if normal[1] < 0 else normal


def skin_above(image: np.ndarray, points: np.ndarray, eye: EyeOutline) -> np.ndarray:
    """The skin tone right above the eye (float BGR): the painted upper lid and the skin up to
    under the brow, its lit part (see _ABOVE_PERCENTILES). This is the skin a closed lid sits
    against; the skin under the eye or the cheek's is often paler, greyer or redder."""
    mask = np.zeros(image.shape[:2], np.uint8)
    poly = np.concatenate([points[list(eye.upper), :2], points[list(eye.ring_2)[::-1], :2]])
    cv2.fillPoly(mask, [np.round(poly).astype(np.int32)], 255)
    pixels = image[mask > 0].astype(np.float32)
    if len(pixels) < 8:
        return pixels.mean(axis=0) if len(pixels) else np.full(3, 128.0, np.float32)
    brightness = pixels.sum(axis=1)
    low, high = np.percentile(brightness, _ABOVE_PERCENTILES)
    return pixels[(brightness >= low) & (brightness <= high)].mean(axis=0)


def _rounding(
    shape: tuple[int, int], points: np.ndarray, eye: EyeOutline, origin: tuple[int, int]
) -> np.ndarray:
    """A closed lid's shading over a (h, w) box at `origin` (float32, 1 in its middle): darker
    by up to _ROUNDING towards its edges, over the ellipse through the eye's corners, the
    crease above and the lower lid below (where the closed lid lies)."""
    a = points[eye.corners[0], :2] - origin
    b = points[eye.corners[1], :2] - origin
    centre = 0.5 * (a + b)
    half = max(float(np.linalg.norm(b - a)) / 2, 1.0)
    along = (b - a) / (2 * half)
    normal = _down_normal(a, b)
    top = max(-float(((points[list(eye.ring), :2] - origin - centre) @ normal).min()), 1.0)
    bottom = max(float(((points[list(eye.lower), :2] - origin - centre) @ normal).max()), 1.0)
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    dx, dy = xx - np.float32(centre[0]), yy - np.float32(centre[1])
    across = (dx * along[0] + dy * along[1]) / half
    down = dx * normal[0] + dy * normal[1]
    down = np.where(down < 0, down / top, down / bottom)
    # 0 in the lid's middle third, rising smoothly to 1 at its edge.
    edge = np.clip((np.sqrt(across**2 + down**2) - 0.35) / 0.65, 0.0, 1.0)
    return 1.0 - _ROUNDING * edge * edge * (3.0 - 2.0 * edge)
