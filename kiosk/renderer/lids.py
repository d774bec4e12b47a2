"""Lids: how far each eye has closed, and a closing eye's lid drawn over it per frame, in the
painting's own skin tone and texture (`kiosk.renderer.lid_skin`), with a crease and a lash line
along its margin."""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from kiosk.renderer.eye_rig import EyeRig
from kiosk.renderer.gaze import SUB_BITS, soften
from kiosk.renderer.lid_skin import DETAIL_ZERO

# A closing eye is drawn as a real one closes: the lid comes down over the eyeball, hiding the
# top of the iris, and the eye that is still open below it is not veiled or squeezed. The lid
# (skin from the crease to the moving margin) fades in over the painted lid the warp stretches,
# and covers LID_COVER of it from LID_FULL_AT closure.
LID_COVER = 1.0
LID_FULL_AT = 0.15
# Below this the lid and its lash line (up to about 140 levels darker) change pixels by 3 at
# most: skip the work, and the lid fades in from there without a visible step.
MIN_LID_COVER = 0.02
# From SHUT_FROM closure the sliver still open between the lids is covered too, fully at SHUT_AT:
# a painting's lids may not quite meet at a visitor's full blink.
SHUT_FROM = 0.9
SHUT_AT = 0.95
# The closing lid's crease: a faint stroke of the lash colour along the ring above the lid
# (the fold a lid keeps when shut), this wide in lid widths and this opaque (of 255): about a
# tenth of the lid's light (55 was 9% on the lit skin above the eye, 8% on the skin around).
CREASE_WIDTH = 0.03
CREASE_DARK = 70
# The lash line is this wide (lid widths) at the middle of the lid and LASH_END_WIDTH of that
# at the eye's corners: drawn one width all along, its ends read as hooks where the margin turns
# up into a corner (the Pearl Earring's outer corners).
LASH_WIDTH = 0.03
LASH_END_WIDTH = 0.35
# Below this lid opacity its texture (at most 40 levels) would change pixels by 3 at most.
DETAIL_FROM = 0.085


def eye_closure(eye: EyeRig, source: np.ndarray, unposed: np.ndarray) -> float:
    """How far the eye has closed, 0 (as painted) to 1 (shut), from the lid gap at its middle.

    `unposed`: the targets without the head's movement (`retarget.expressed_landmarks`);
    measured on posed targets, a 15 degree head tilt read as an eye a ninth closed.
    """
    mid = len(eye.upper) // 2
    open_gap = float(source[eye.lower[mid], 1] - source[eye.upper[mid], 1])
    if open_gap <= 1.0:
        return 0.0
    gap = float(unposed[eye.lower[mid], 1] - unposed[eye.upper[mid], 1])
    return float(np.clip(1.0 - gap / open_gap, 0.0, 1.0))


def draw_lids(
    out: np.ndarray,
    eye: EyeRig,
    source: np.ndarray,
    targets: np.ndarray,
    origin: tuple[int, int],
    skin: np.ndarray | None = None,
    expressed: np.ndarray | None = None,
    closure: float | None = None,
) -> None:
    """A closing eye gets a lid of the painting's own skin tone, texture and a lash line,
    instead of the lid texture the warp stretches over the eyeball (which reads as a grey
    smear). The eye still open below the lid is left to `draw_gaze`, until the eye is all but
    shut.

    `closure`: how far the eye has closed (`eye_closure`), if already known; else it is measured
    on `expressed`, the targets without the head's movement (None: `targets` are not posed).
    """
    if closure is None:
        closure = eye_closure(eye, source, targets if expressed is None else expressed)
    cover = LID_COVER * min(1.0, closure / LID_FULL_AT)
    if cover < MIN_LID_COVER:
        return
    ox, oy = origin
    upper = targets[eye.upper, :2] - (ox, oy)
    ring = targets[eye.ring, :2] - (ox, oy)
    shut = min(1.0, (closure - SHUT_FROM) / (SHUT_AT - SHUT_FROM))
    lower = targets[eye.lower, :2] - (ox, oy)
    allpts = np.concatenate([upper, ring, lower] if shut > 0.0 else [upper, ring])
    width = float(upper[:, 0].max() - upper[:, 0].min())
    pad = int(np.ceil(width * 0.15)) + 2
    box = _Box(
        max(0, int(np.floor(allpts[:, 0].min())) - pad),
        max(0, int(np.floor(allpts[:, 1].min())) - pad),
        min(out.shape[1], int(np.ceil(allpts[:, 0].max())) + pad),
        min(out.shape[0], int(np.ceil(allpts[:, 1].max())) + pad),
    )
    if box.x1 - box.x0 < 3 or box.y1 - box.y0 < 3:
        return
    soft = _lid_alpha(upper, ring, box, width)
    lid = _placed(eye, eye.lid_base, source, targets, (ox + box.x0, oy + box.y0), box.size)
    if lid is None:
        lid = _lid_paint(eye, skin, upper, ring, box)
    if cover >= DETAIL_FROM:
        detail = _placed_detail(eye, source, targets, (ox + box.x0, oy + box.y0), box.size)
        if detail is not None:
            lid = cv2.addWeighted(lid, 1.0, detail, 1.0, -float(DETAIL_ZERO))
    if shut > 0.0:
        soft = np.maximum(soft, _shut_opening(eye, source, targets, origin, box, shut))
    alpha = soft * np.float32(cover)
    crop = out[box.y0 : box.y1, box.x0 : box.x1]
    crop[...] = cv2.blendLinear(lid, crop, alpha, 1.0 - alpha)
    corners = targets[list(eye.corners), :2] - (ox, oy)
    margin_line = np.concatenate([corners[:1], upper, corners[1:]])
    _draw_lash_line(crop, eye, margin_line, ring[1:-1], box, width, cover)


def _shut_opening(
    eye: EyeRig,
    source: np.ndarray,
    targets: np.ndarray,
    origin: tuple[int, int],
    box: _Box,
    shut: float,
) -> np.ndarray:
    """The lid's opacity over the sliver still open between the lids of an eye all but shut
    (float32 over `box`, `shut` at most): it closes too."""
    ox, oy = origin
    mask = np.zeros(box.shape, np.uint8)
    opening = _poly(targets[eye.contour, :2] - (ox, oy), box)
    cv2.fillPoly(mask, [opening], 255, cv2.LINE_AA, SUB_BITS)
    # And the painted white the landmarks' opening does not reach (a cartoon's large eye).
    crop_origin = (ox + box.x0, oy + box.y0)
    white = _placed(eye, eye.white_outside, source, targets, crop_origin, box.size, 0)
    if white is not None:
        mask = np.maximum(mask, white)
    return soften(mask, 0.7).astype(np.float32) * np.float32(shut / 255)


class _Box(NamedTuple):
    """The crop a lid is drawn in, in region pixels."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def size(self) -> tuple[int, int]:
        return self.x1 - self.x0, self.y1 - self.y0

    @property
    def shape(self) -> tuple[int, int]:
        return self.y1 - self.y0, self.x1 - self.x0


def _poly(points: np.ndarray, box: _Box) -> np.ndarray:
    """`points` (region pixels) as fixed-point polygon vertices in `box`."""
    return np.round((points - (box.x0, box.y0)) * (1 << SUB_BITS)).astype(np.int32)


def _lid_alpha(upper: np.ndarray, ring: np.ndarray, box: _Box, width: float) -> np.ndarray:
    """The lid's opacity (float32, 0..1) over `box`: from the crease down to the lid margin,
    soft towards the crease and beyond the corners, but a crisp edge along the margin over the
    open eye below it."""
    mask = np.zeros(box.shape, np.uint8)
    cv2.fillPoly(mask, [_poly(np.concatenate([ring, upper[::-1]]), box)], 255, cv2.LINE_AA,
                 SUB_BITS)  # fmt: skip
    soft = soften(mask, max(0.8, width * 0.05))
    margin = upper if upper[0, 0] <= upper[-1, 0] else upper[::-1]  # left to right
    top, left, right = box.y0 - 1.0, box.x0 - 1.0, box.x1 + 1.0
    above_margin = np.concatenate(
        [[(left, margin[0, 1])], margin, [(right, margin[-1, 1]), (right, top), (left, top)]]
    )
    mask.fill(0)
    cv2.fillPoly(mask, [_poly(above_margin, box)], 255, cv2.LINE_AA, SUB_BITS)
    return np.minimum(soft, mask).astype(np.float32) * np.float32(1 / 255)


def _lid_paint(
    eye: EyeRig, skin: np.ndarray | None, upper: np.ndarray, ring: np.ndarray, box: _Box
) -> np.ndarray:
    """The lid's skin over `box` (uint8 BGR), a little darker towards the lashes, as a lid
    curving away from the light."""
    yy = np.arange(box.shape[0], dtype=np.float32)[:, None]  # (h, 1): varies down the lid only
    crease_y = float(ring[:, 1].mean() - box.y0)
    margin_y = float(upper[:, 1].mean() - box.y0)
    shade = 1.0 - 0.1 * np.clip((yy - crease_y) / max(margin_y - crease_y, 1.0), 0.0, 1.0)
    colour = eye.near_skin
    if colour is None:
        colour = eye.lid_colour if skin is None else 0.35 * eye.lid_colour + 0.65 * skin
    column = np.clip(colour[None, :] * shade, 0, 255).astype(np.uint8)  # (h, 3): one per row
    return _fill(column[:, None, :], box.size)


def _draw_lash_line(
    crop: np.ndarray,
    eye: EyeRig,
    margin_line: np.ndarray,
    crease: np.ndarray,
    box: _Box,
    width: float,
    cover: float,
) -> None:
    """The lash line along the closing lid's margin, corner to corner (the lashes of a closing
    lid reach into both corners of the eye), and the lid's crease, a faint shadow of the same
    colour along `crease`, onto `crop` (the pixels of `box`); `width`: the lid's."""
    lash = np.zeros(box.shape, np.uint8)
    crease_thick = max(1, int(round(width * CREASE_WIDTH)))
    cv2.polylines(lash, [_poly(crease, box)], False, CREASE_DARK, crease_thick, cv2.LINE_AA,
                  SUB_BITS)  # fmt: skip
    _tapered_line(lash, _poly(margin_line, box), width * LASH_WIDTH)
    lash_a = soften(lash, max(0.5, width * 0.01)).astype(np.float32)
    lash_a *= np.float32(cover / 255.0)
    colour = np.clip(eye.lash_colour, 0, 255).astype(np.uint8)[None, None]
    lash_colour = _fill(colour, box.size)
    crop[...] = cv2.blendLinear(lash_colour, crop, lash_a, 1.0 - lash_a)


def _tapered_line(mask: np.ndarray, points: np.ndarray, middle: float) -> None:
    """`points` (fixed-point, SUB_BITS) drawn onto `mask` as a line `middle` pixels wide halfway
    along, narrowing to LASH_END_WIDTH of that at both ends (never under a pixel)."""
    steps = np.hypot(*np.diff(points, axis=0).T.astype(np.float64))
    along = np.concatenate([[0.0], np.cumsum(steps)]) / max(float(steps.sum()), 1.0)
    for i, (a, b) in enumerate(zip(points[:-1], points[1:], strict=True)):
        t = 0.5 * (along[i] + along[i + 1])
        wide = middle * (LASH_END_WIDTH + (1.0 - LASH_END_WIDTH) * np.sin(np.pi * t))
        cv2.line(mask, tuple(map(int, a)), tuple(map(int, b)), 255, max(1, round(wide)),
                 cv2.LINE_AA, SUB_BITS)  # fmt: skip


def _placed_detail(
    eye: EyeRig,
    source: np.ndarray,
    targets: np.ndarray,
    crop_origin: tuple[int, int],
    size: tuple[int, int],
) -> np.ndarray | None:
    """The lid texture moved with the eye's corners (not with the warp, which stretches the lid's
    thin band of paint over the opening) into a crop at `crop_origin` (image pixels); None if
    the target corners have (nearly) met, where no texture can be placed."""
    return _placed(eye, eye.lid_detail, source, targets, crop_origin, size, DETAIL_ZERO)


def _placed(
    eye: EyeRig,
    plate: np.ndarray | None,
    source: np.ndarray,
    targets: np.ndarray,
    crop_origin: tuple[int, int],
    size: tuple[int, int],
    border: int | None = None,
) -> np.ndarray | None:
    """`plate` (an image over the eye's plate box) moved with the eye's corners into a crop at
    `crop_origin` (image pixels); None without a plate or where the corners have (nearly)
    met. `border`: the value beyond the plate (None: its edge pixels repeated)."""
    if plate is None:
        return None
    (ax, ay), (bx, by) = source[eye.corners[0], :2], source[eye.corners[1], :2]
    (cx, cy), (dx, dy) = targets[eye.corners[0], :2], targets[eye.corners[1], :2]
    # The similarity z -> k (z - a) + c taking the source corners onto the target corners
    # (complex numbers as points), from plate pixels to crop pixels. (Rig building made sure
    # the source corners are apart.)
    k = complex(dx - cx, dy - cy) / complex(bx - ax, by - ay)
    if abs(k) < 1e-3:
        return None
    px, py = eye.plate_origin
    t = k * complex(px - ax, py - ay) + complex(cx - crop_origin[0], cy - crop_origin[1])
    move = np.array([[k.real, -k.imag, t.real], [k.imag, k.real, t.imag]], np.float32)
    if border is None:
        return cv2.warpAffine(plate, move, size, flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
    return cv2.warpAffine(
        plate, move, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
        borderValue=(border,) * 3,
    )  # fmt: skip


def _fill(pattern: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A (h, w, 3) uint8 image of `pattern` ((1, 1, 3) one colour, (h, 1, 3) one per row)
    repeated to `size` (w, h): nearest-neighbour resizing does it six times faster than
    numpy broadcasting a three-byte pattern."""
    return cv2.resize(pattern, size, interpolation=cv2.INTER_NEAREST)
