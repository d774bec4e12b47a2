"""The skin a closed lid carries, built once per eye: the painting's own fine texture (the skin
under the eye mirrored up over it) in the colour of the skin around the eye, shaded as a lid
rounded over the eyeball. `kiosk.renderer.lids` moves it with the eye's corners per frame."""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from kiosk.renderer.tone import LUMA_BGR

# How far below the lowest point of the lower lid the mirror line sits, in eye widths: the
# texture then comes from the skin under the eye, not from the lower lashes.
_MIRROR_GAP = 0.06
_DETAIL_SIGMA = 0.05  # eye widths: finer than this is texture (craquelure, wrinkles, grain)
_DETAIL_LIMIT = 40.0  # levels: the texture's strongest strokes, so a shadow never becomes one
# The texture is held as bytes around this level: a quarter of the memory of floats (twenty
# rigs hold it), and OpenCV's fastest path to move and add it per frame.
DETAIL_ZERO = 128
# A closed lid's colour is the skin's around the eye and its lid, from this far beyond them to
# this far (eye widths): clear of the lashes and the lid's own edge, within the eye's socket.
_AROUND = (0.04, 0.22)
# ... its pixels between these brightness percentiles: the skin's lit tones (a shut lid bulges
# over the eyeball into the light), without brow hairs, lashes, shadows or glints. The lit skin
# above the eye alone made lids paler and greyer than the skin they sit in (the Pearl
# Earring's shut lids read as lilac patches, 20% brighter than the skin around them); the
# middle tones (20-70) made lids in a shaded socket too dark to read as shut (Einstein's, the
# statue's): the eyes' cross-reenactment figure fell from 0.857 to 0.848, and is 0.860 here.
_AROUND_PERCENTILES = (40, 90)
# ... spread over the lid this smoothly (eye widths), so each part of the lid takes the colour
# of the skin nearest it: the skin above near the crease, the lower lid's near the lash line.
_AROUND_SIGMA = 0.3
# How much of the mirrored skin's light and shade the lid keeps (its colour is the skin
# around's): under-eye bags and shadows taken whole read as bruises on a lid.
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
    the eye's own tilt): its texture at full strength, its light and shade damped, in its hue.
    Its colour is the skin's around it (`skin_around`), so the shut lid continues the skin it
    sits in instead of lying on it as a patch; a grayscale or sepia painting's lid stays
    grayscale or sepia.
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
    colour = skin_around(image, points, eye, box, width, opening)
    # Brightness relative to the lid's middle: the mirrored skin's relief times the rounding.
    luma = smooth @ _LUMA
    shade = 1.0 + _RELIEF * (luma / max(float(luma[opening > 0].mean()), 1.0) - 1.0)
    shade *= _rounding(opening.shape, points, eye, (x0, y0))
    shade /= max(float(shade[opening > 0].mean()), 1e-3)
    base = np.clip(shade[..., None] * colour + 0.5, 0, 255).astype(np.uint8)
    return base, _texture(mirrored - smooth, colour[opening > 0].mean(axis=0))


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


def skin_around(
    image: np.ndarray,
    points: np.ndarray,
    eye: EyeOutline,
    box: tuple[int, int, int, int],
    width: float,
    opening: np.ndarray,
) -> np.ndarray:
    """The colour a closed lid has over `box` (float32 BGR, (h, w, 3)): the skin around the eye
    (`opening`, its uint8 mask over the box) and its painted lid (see _AROUND,
    _AROUND_PERCENTILES), each point of the lid taking the colour of the skin nearest it (a
    normalised blur, _AROUND_SIGMA)."""
    x0, y0, x1, y1 = box
    crop = image[y0:y1, x0:x1].astype(np.float32)
    painted_lid = np.zeros(crop.shape[:2], np.uint8)
    lid = np.concatenate([points[list(eye.ring), :2], points[list(eye.upper)[::-1], :2]])
    cv2.fillPoly(painted_lid, [np.round(lid - (x0, y0)).astype(np.int32)], 255)
    covered = opening | painted_lid
    # Kernel sizes (odd), the far one always beyond the near one, however small the eye.
    near = max(3, int(width * 2 * _AROUND[0]) | 1)
    far = max(near + 4, int(width * 2 * _AROUND[1]) | 1)
    ring = cv2.dilate(covered, np.ones((far, far), np.uint8)) > 0
    ring &= cv2.dilate(covered, np.ones((near, near), np.uint8)) == 0
    luma = crop @ _LUMA
    if ring.sum() < 8:  # no skin around in the box: the painted lid's own colour
        ring = painted_lid > 0 if np.count_nonzero(painted_lid) >= 8 else covered > 0
    low, high = np.percentile(luma[ring], _AROUND_PERCENTILES)
    skin = (ring & (luma >= low) & (luma <= high)).astype(np.float32)
    sigma = max(1.0, _AROUND_SIGMA * width)
    spread = cv2.GaussianBlur(crop * skin[..., None], (0, 0), sigma)
    weight = cv2.GaussianBlur(skin, (0, 0), sigma)[..., None]
    fallback = crop[skin > 0].mean(axis=0)
    return np.where(weight > 1e-3, spread / np.maximum(weight, 1e-3), fallback).astype(np.float32)


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
