"""The inside of an opening mouth: a shaded cavity, upper teeth hanging from the upper lip,
lower teeth and a tongue at larger openings, coloured from the painting's own palette. It
replaces the lip texture the warp would otherwise stretch across the gap, and fades in with the
gap so closed lips show no seam.

Everything is computed per pixel in the mouth's own frame: `t` runs from -1 (corner 78) to +1
(corner 308) along the line between the corners, `v` is the distance (pixels) across it,
towards the chin. The lips become two profiles `v_upper(t)` and `v_lower(t)`, so every layer
follows the lips and every edge is a smooth ramp rather than a drawn polygon.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import cv2
import numpy as np

from kiosk.renderer.face_rig import MouthPalette, lips_parted
from kiosk.renderer.own_teeth import PaintedMouth, place_teeth
from kiosk.tracking import landmarks as lm

_UPPER = lm.as_index(lm.LIPS_INNER_UPPER)  # corner 78 ... corner 308
_LOWER = lm.as_index(lm.LIPS_INNER_LOWER_78_TO_308)
_SUB = 4  # fixed-point bits for sub-pixel polygon drawing
_SUBF = float(1 << _SUB)

# Gap over mouth width (beyond the painting's own rest gap) where the interior fades in.
OPEN_START = 0.015
OWN_TEETH_FROM = 0.004  # lips moved from their rest by this (gap over width): own teeth move
OPEN_RAMP = 0.05
DETAIL_WIDTH = 110.0  # mouth width (px) above which the interior is drawn at lower resolution
UPPER_TEETH_MAX = 0.10  # visible upper-teeth height, fraction of the mouth width
UPPER_TEETH_OF_GAP = 0.62  # ... and at most this fraction of the gap between the lips
LOWER_TEETH_MAX = 0.07
LOWER_TEETH_FROM = (0.16, 0.30)  # gap/width over which the lower teeth appear
TONGUE_FROM = (0.15, 0.4)
# The opening narrows into each corner over this share of the mouth's half-width
# (`_pinched_corners`).
CORNER_PINCH = 0.2
LIGHT_ACROSS = 0.6  # how much brighter the lit side of the interior is, per unit of light
# Boundaries between visible teeth along t: central incisors, laterals, canines, premolars,
# narrowing towards the corners as the dental arch turns away.
_TOOTH_EDGES = np.array([-0.84, -0.72, -0.56, -0.34, 0.0, 0.34, 0.56, 0.72, 0.84], np.float32)


def _unit(x: np.ndarray) -> np.ndarray:
    """x clipped to 0..1 in place (np.clip's wrapper costs more than the work here)."""
    return np.minimum(np.maximum(x, 0.0, out=x), 1.0, out=x)


def _smoothstep(edge0: float, edge1: float, x: np.ndarray) -> np.ndarray:
    s = _unit(np.asarray((x - edge0) * (1.0 / (edge1 - edge0))))
    return s * s * (3.0 - 2.0 * s)


def _chaikin(points: np.ndarray, passes: int = 2) -> np.ndarray:
    """Corner-cutting subdivision with fixed ends: lips as curves, not 11-point polylines."""
    for _ in range(passes):
        q = 0.75 * points[:-1] + 0.25 * points[1:]
        r = 0.25 * points[:-1] + 0.75 * points[1:]
        mid = np.empty((2 * len(q), 2), points.dtype)
        mid[0::2], mid[1::2] = q, r
        points = np.concatenate([points[:1], mid[1:-1], points[-1:]])
    return points


class _Axes(NamedTuple):
    """The mouth's own axes: from corner 78 (`a`) along the line to corner 308 (`e`, unit),
    across it towards the chin (`n`, unit), and the corners' distance (`width`)."""

    a: np.ndarray
    e: np.ndarray
    n: np.ndarray
    width: float


def _axes(upper: np.ndarray) -> _Axes:
    """The axes of the mouth whose upper inner lip runs `upper` (corner to corner)."""
    a, b = upper[0], upper[-1]
    width = float(np.linalg.norm(b - a))
    e = (b - a) / max(width, 1e-12)
    return _Axes(a, e, np.array([-e[1], e[0]]), width)


def _pinched_corners(upper: np.ndarray, lower: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The inner lip lines (corner to corner, image pixels) with the opening narrowing into each
    corner: within CORNER_PINCH of the mouth's half-width from a corner, each point is pulled
    towards the line between the corners in proportion to its nearness to the corner. The lips
    meet at an angle where they join; the landmarks next to the corners part almost as far as
    the middle, which drew an open mouth with square ends."""
    a, e, n, width = _axes(upper)
    if width < 1e-6:
        return upper, lower

    def pinched(points: np.ndarray) -> np.ndarray:
        rel = points - a
        t = 2.0 * (rel @ e) / width - 1.0
        keep = np.clip((1.0 - np.abs(t)) / CORNER_PINCH, 0.0, 1.0)
        v = rel @ n
        return points - ((1.0 - keep) * v)[:, None] * n

    return pinched(upper), pinched(lower)


def _profile(points: np.ndarray, a: np.ndarray, e: np.ndarray, n: np.ndarray, width: float):
    """A (smoothed) lip polyline as (t, v) samples with t non-decreasing, for np.interp."""
    rel = points - a
    tv = np.stack([2.0 * (rel @ e) / width - 1.0, rel @ n], axis=1)
    return np.maximum.accumulate(tv[:, 0]), tv[:, 1]


class _MouthFrame(NamedTuple):
    """Pixels of a box in the mouth's frame. Everything that depends on `t` alone is computed
    on a 1D table of `t` values (`table_t`) and looked up per pixel through `bin`."""

    v: np.ndarray  # (h, w) px across the mouth, towards the chin
    bin: np.ndarray  # (h, w) index into the tables
    table_t: np.ndarray  # (K,)
    upper_v: np.ndarray  # (K,) v of the upper inner lip at table_t
    lower_v: np.ndarray  # (K,)
    width: float
    scale: float  # samples per image pixel


def _mouth_frame(
    upper: np.ndarray, lower: np.ndarray, box: tuple[int, int, int, int], scale: float
) -> _MouthFrame:
    """The frame sampled `scale` times per pixel, on the grid `cv2.resize` maps back to `box`."""
    a, e, n, width = _axes(upper)
    x0, y0, x1, y1 = box
    nw, nh = max(2, round((x1 - x0) * scale)), max(2, round((y1 - y0) * scale))
    sx, sy = (x1 - x0) / nw, (y1 - y0) / nh
    xs = (np.arange(nw, dtype=np.float32) + 0.5) * sx + (x0 - 0.5 - a[0])
    ys = (np.arange(nh, dtype=np.float32)[:, None] + 0.5) * sy + (y0 - 0.5 - a[1])
    xs, ys = xs.astype(np.float32), ys.astype(np.float32)
    v = xs * np.float32(n[0]) + ys * np.float32(n[1])
    # t is linear in the pixel position: its extremes are at the box corners. Bins are a
    # quarter pixel long along the mouth, finer than any detail drawn.
    corners = np.array(
        [[xs[0], ys[0, 0]], [xs[-1], ys[0, 0]], [xs[0], ys[-1, 0]], [xs[-1], ys[-1, 0]]]
    )
    t_corners = 2.0 * (corners @ e) / width - 1.0
    lo, hi = float(t_corners.min()), float(t_corners.max())
    bins = int(np.ceil((hi - lo) * width * 2.0)) + 2
    table_t = np.linspace(lo, hi, bins, dtype=np.float32)
    per_px = (bins - 1) / max(hi - lo, 1e-6) * 2.0 / width
    offset = 0.5 - (lo + 1.0) * (bins - 1) / max(hi - lo, 1e-6)
    along = xs * np.float32(e[0] * per_px) + (ys * np.float32(e[1] * per_px) + np.float32(offset))
    index = np.minimum(np.maximum(along, 0.0, out=along), bins - 1, out=along).astype(np.intp)
    tu, vu = _profile(upper, a, e, n, width)
    tl, vl = _profile(lower, a, e, n, width)
    return _MouthFrame(
        v=v,
        bin=index,
        table_t=table_t,
        upper_v=np.interp(table_t, tu, vu).astype(np.float32),
        lower_v=np.interp(table_t, tl, vl).astype(np.float32),
        width=width,
        scale=nw / (x1 - x0),
    )


def _tooth_gaps(t: np.ndarray, width: float) -> np.ndarray:
    """0..1: how close `t` is to a gap between two teeth (soft, fading to the corners)."""
    sigma = max(0.6, 0.007 * width) / (0.5 * width)  # in t units
    dist = np.min(np.abs(t[:, None] - _TOOTH_EDGES), axis=-1)
    return np.exp(-((dist / sigma) ** 2)) * (1.0 - 0.6 * np.abs(np.clip(t, -1, 1)))


def _teeth(
    depth: np.ndarray, height: np.ndarray, gaps: np.ndarray, soft: float
) -> tuple[np.ndarray, np.ndarray]:
    """Alpha and brightness of a row of teeth `height` px deep, starting at a lip (`depth`=0)."""
    height = height * (1.0 - 0.12 * gaps)  # rounded incisal corners
    alpha = 1.0 - _smoothstep(-soft, soft, depth - height)
    rel = _unit(depth / np.maximum(height, 1.0))
    shade = (1.0 - 0.25 * rel) * (1.0 - 0.6 * gaps * (0.5 + 0.5 * rel))
    shade *= 0.7 + 0.3 * _smoothstep(0.0, 1.5 * soft, depth)  # contact shadow of the lip
    return alpha, shade


def _coverage(upper: np.ndarray, lower: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """0..1 inside the inner-lip outline, anti-aliased and feathered inwards only."""
    x0, y0, x1, y1 = box
    outline = np.concatenate([upper, lower[::-1]]) - (x0, y0)
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    pts = np.round(outline * _SUBF).astype(np.int32).reshape(-1, 1, 2)
    cv2.fillPoly(mask, [pts], 255, cv2.LINE_AA, _SUB)
    width = float(np.linalg.norm(upper[-1] - upper[0]))
    inside = cv2.GaussianBlur(mask.astype(np.float32) * (1 / 255), (0, 0), max(0.7, 0.009 * width))
    return _smoothstep(0.5, 0.98, inside)


class _Layers:
    """Back-to-front compositing of flat colours as per-pixel weights: each layer is a colour
    times a brightness map, so the colour arithmetic happens once, in `colour()`."""

    def __init__(self) -> None:
        self.weights: list[np.ndarray] = []
        self.colours: list[np.ndarray] = []

    def over(self, colour: np.ndarray, shade: np.ndarray, alpha: np.ndarray | None) -> None:
        """Put a layer of `colour` * `shade` on top; `alpha` None means opaque."""
        if alpha is None:
            self.weights = [shade]
            self.colours = [colour.astype(np.float32)]
            return
        keep = 1.0 - alpha
        for w in self.weights:
            w *= keep
        self.weights.append(shade * alpha)
        self.colours.append(colour.astype(np.float32))

    def colour(self, light: np.ndarray) -> np.ndarray:
        stack = np.stack(self.weights, axis=-1) * light[..., None]
        return stack @ np.stack(self.colours)


def _interior(f: _MouthFrame, palette: MouthPalette, gap: float, teeth: bool = True) -> np.ndarray:
    """The interior's colour (float32 BGR) for every pixel of the frame, back to front;
    `teeth` False: no drawn teeth (the painting's own are laid over it)."""
    width, t, at = f.width, f.table_t, np.abs(f.table_t)
    d_up = f.v - f.upper_v[f.bin]  # px below the upper lip
    d_lo = f.lower_v[f.bin] - f.v  # px above the lower lip
    local_gap = np.maximum(f.lower_v - f.upper_v, 0.0)  # per table bin
    open_ratio = np.float32(gap / width)
    soft = max(0.6, 0.01 * width)
    layers = _Layers()

    # Cavity: darkest at the back centre, shadowed under the upper lip.
    s = _unit(d_up / np.maximum(local_gap, 1.0)[f.bin])
    back = np.exp(-(t * t) / 0.3)[f.bin] * np.exp(-(((s - 0.5) / 0.35) ** 2))
    cav = (1.05 - 0.45 * back) * (1.0 - 0.45 * np.exp(-np.maximum(d_up, 0.0) / (0.06 * width)))
    layers.over(palette.cavity, cav, None)

    # Tongue: a dark reddish dome above the lower lip, lit towards the front.
    amount = float(_smoothstep(*TONGUE_FROM, open_ratio))
    if amount > 0.0:
        dome = (0.5 * amount * local_gap * np.clip(1.0 - (t / 0.6) ** 2, 0.0, 1.0))[f.bin]
        front = 1.0 - _unit(d_lo / np.maximum(dome, 1.0))
        alpha = (1.0 - _smoothstep(-4 * soft, 2 * soft, d_lo - dome)) * amount
        layers.over(palette.tongue, 0.55 + 0.45 * front, alpha)

    ivory = palette.drawn_teeth
    gaps_t = _tooth_gaps(t, width)
    gaps = gaps_t[f.bin]
    side_t = 1.0 - 0.35 * _smoothstep(0.15, 0.95, at)  # the arch turns away from the light
    amount = float(_smoothstep(*LOWER_TEETH_FROM, open_ratio)) if teeth else 0.0
    if amount > 0.0:
        taper = (1.0 - _smoothstep(0.3, 0.72, at)) * amount
        h_lo = np.minimum(0.3 * local_gap, LOWER_TEETH_MAX * width) * taper
        alpha, shade = _teeth(d_lo, h_lo[f.bin], gaps, soft)
        layers.over(ivory, shade * (0.7 * side_t)[f.bin], alpha * (h_lo > 0.3)[f.bin])
    # Upper incisors are the longest: the biting edge curves up towards the canines.
    taper = (1.0 - _smoothstep(0.62, 0.97, at)) * (1.0 - 0.3 * t * t)
    h_up = np.minimum(UPPER_TEETH_OF_GAP * local_gap, UPPER_TEETH_MAX * width) * taper
    h_up *= float(teeth)
    a_up, shade = _teeth(d_up, h_up[f.bin], gaps, soft)
    a_up *= (h_up > 0.3)[f.bin]
    layers.over(ivory, shade * side_t[f.bin], a_up)

    # The wet inner rim of the lips.
    rim = max(1.0, 0.02 * width)
    one = np.ones_like(d_up)
    wet = 0.6 * palette.lip
    layers.over(wet, one, 0.7 * np.exp(-np.maximum(d_lo, 0.0) / rim) * (1.0 - a_up))
    layers.over(wet, one, 0.35 * np.exp(-np.maximum(d_up, 0.0) / (0.5 * rim)))
    # Darker into the corners, and lit from the side the painting's light comes from.
    side_light = np.clip(1.0 + LIGHT_ACROSS * palette.light * t, 0.5, 1.5)
    corners = ((1.0 - 0.45 * _smoothstep(0.4, 1.0, at)) * side_light)[f.bin]
    colour = layers.colour(corners)
    if palette.softness * f.scale > 0.3:
        colour = cv2.GaussianBlur(colour, (0, 0), palette.softness * f.scale)
    return colour


# Lips pressed this much closer than at rest (pixels, at some point along them) make a seam
# the coarse warp smears (MeshWarp.sharpen); less is within its interpolation anyway.
PRESSED_PX = 1.0


def pressed_lips_box(
    rest: np.ndarray,
    targets: np.ndarray,
    origin: tuple[int, int],
    size: tuple[int, int],
    pad: int,
) -> tuple[int, int, int, int] | None:
    """The box (x0, y0, x1, y1, in the pixels of a region at `origin` of `size` (w, h)) around
    the lips when they are pressed closer than they rest in the painting (a painted open mouth
    shut for p, b, m), padded by `pad`; None while they are not."""
    rest_gap = rest[_LOWER, 1] - rest[_UPPER, 1]
    gap = targets[_LOWER, 1] - targets[_UPPER, 1]
    if float(np.max(rest_gap - gap)) < PRESSED_PX:
        return None
    lx0, ly0, lx1, ly1 = lips_bounds(targets, origin)
    x0, y0 = int(np.floor(lx0)) - pad, int(np.floor(ly0)) - pad
    x1, y1 = int(np.ceil(lx1)) + pad + 1, int(np.ceil(ly1)) + pad + 1
    w, h = size
    return max(0, x0), max(0, y0), min(w, x1), min(h, y1)


def lips_bounds(targets: np.ndarray, origin: tuple[int, int]) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of the lips' outline, in the pixels of a region at `origin`."""
    lips = targets[lm.as_index(lm.LIPS_OUTER), :2] - origin
    (x0, y0), (x1, y1) = lips.min(axis=0), lips.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def lower_face_box(
    targets: np.ndarray, origin: tuple[int, int], size: tuple[int, int]
) -> tuple[int, int, int, int]:
    """The box (x0, y0, x1, y1, in the pixels of a region at `origin` of `size` (w, h)) over the
    lips and the skin that stretches as they part: a quarter of the mouth's width beyond its
    corners, from a tenth of it above the upper lip down to the chin."""
    lx0, ly0, lx1, ly1 = lips_bounds(targets, origin)
    chin = targets[lm.CHIN, :2] - origin
    width = lx1 - lx0
    x0 = lx0 - 0.25 * width
    x1 = lx1 + 0.25 * width
    y0 = ly0 - 0.1 * width
    y1 = max(float(chin[1]), ly1) + 0.05 * width
    w, h = size
    return (max(0, int(np.floor(x0))), max(0, int(np.floor(y0))),
            min(w, int(np.ceil(x1)) + 1), min(h, int(np.ceil(y1)) + 1))  # fmt: skip


# What paints the interior over a box: (upper, lower, box, width, palette, gap, teeth) -> uint8
# BGR of the box (the lips as curves in the box's pixels; `teeth` False: the painting's own
# teeth go over it). The drawn interior by default; mouth_transfer's for the visitor's mouth.
InteriorPainter = Callable[..., np.ndarray]


def draw_mouth_interior(
    out: np.ndarray,
    targets: np.ndarray,
    palette: MouthPalette,
    origin: tuple[int, int] = (0, 0),
    painted: PaintedMouth | None = None,
    interior: InteriorPainter | None = None,
) -> None:
    """Paint the mouth interior into `out` (BGR, modified in place) for landmark `targets`.

    `origin` is the image position of `out`'s top-left pixel (when `out` is a region crop).
    Only pixels inside the inner-lip outline change; nothing changes until the lips part more
    than they do in the painting itself. `painted`: the painting's own teeth, moved with the
    lips and laid over the drawn interior (which then draws no teeth). `interior`: what paints
    the inside (None: the drawn one).
    """
    paint_interior = interior or _interior_paint
    upper, lower = _pinched_corners(
        targets[_UPPER, :2].astype(np.float64) - origin,
        targets[_LOWER, :2].astype(np.float64) - origin,
    )
    upper, lower = _chaikin(upper), _chaikin(lower)
    width = float(np.linalg.norm(upper[-1] - upper[0]))
    gap = float(
        np.linalg.norm(targets[lm.LOWER_LIP_INNER_MID, :2] - targets[lm.UPPER_LIP_INNER_MID, :2])
    )
    if width < 4.0:
        return
    parted = lips_parted(targets) - palette.rest_gap
    opacity = float(np.clip((parted - OPEN_START) / OPEN_RAMP, 0, 1))
    # The painting's own teeth are moved as soon as the lips move from their rest.
    own = painted is not None and abs(parted) > OWN_TEETH_FROM
    if opacity <= 0.0 and not own:
        return
    allpts = np.concatenate([upper, lower])
    x0 = max(0, int(np.floor(allpts[:, 0].min())))
    y0 = max(0, int(np.floor(allpts[:, 1].min())))
    x1 = min(out.shape[1], int(np.ceil(allpts[:, 0].max())) + 1)
    y1 = min(out.shape[0], int(np.ceil(allpts[:, 1].max())) + 1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    box = (x0, y0, x1, y1)
    coverage = _coverage(upper, lower, box)
    crop = out[y0:y1, x0:x1]
    if not own:
        paint = paint_interior(upper, lower, box, width, palette, gap)
        alpha = coverage * np.float32(opacity)
        crop[...] = cv2.blendLinear(paint, crop, alpha, 1.0 - alpha)
        return
    assert painted is not None
    mixed = crop.astype(np.float32)
    if opacity > 0.0:
        paint = paint_interior(upper, lower, box, width, palette, gap, teeth=False)
        a = (coverage * np.float32(opacity))[..., None]
        mixed = mixed * (1.0 - a) + paint.astype(np.float32) * a
    ox, oy = origin
    teeth, teeth_alpha = place_teeth(painted, targets, (x0 + ox, y0 + oy, x1 + ox, y1 + oy))
    a = (coverage * teeth_alpha)[..., None]
    mixed = mixed * (1.0 - a) + teeth * a
    crop[...] = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)


def _interior_paint(
    upper: np.ndarray,
    lower: np.ndarray,
    box: tuple[int, int, int, int],
    width: float,
    palette: MouthPalette,
    gap: float,
    teeth: bool = True,
) -> np.ndarray:
    """The drawn interior over `box` (uint8 BGR)."""
    x0, y0, x1, y1 = box
    # Above DETAIL_WIDTH the interior is drawn coarser and scaled up: it is soft paint anyway.
    frame = _mouth_frame(upper, lower, box, min(1.0, DETAIL_WIDTH / width))
    colour = _interior(frame, palette, gap, teeth)
    if colour.shape[:2] != (y1 - y0, x1 - x0):
        colour = cv2.resize(colour, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    return np.clip(with_grain(colour, palette) + 0.5, 0, 255).astype(np.uint8)


def with_grain(colour: np.ndarray, palette: MouthPalette) -> np.ndarray:
    """`colour` (float32 BGR, modified in place) with the painting's grain as the skin shows it,
    scaled to each pixel's brightness: a dark mouth shows the same film or paint as the skin,
    not the skin's own contrast."""
    if palette.grain is not None:
        colour += _tile(palette.grain, colour.shape[:2]) * (colour / np.maximum(palette.skin, 1.0))
    return colour


def _tile(pattern: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """`pattern` repeated (mirrored, so no seam shows) to cover `shape` (h, w)."""
    h, w = shape
    ph, pw = pattern.shape[:2]
    if ph >= h and pw >= w:
        return pattern[:h, :w]
    return np.pad(pattern, ((0, max(0, h - ph)), (0, max(0, w - pw)), (0, 0)), "symmetric")[:h, :w]
