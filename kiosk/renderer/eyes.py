"""Gaze: the painted iris slides over an inpainted eyeball, inside the (possibly blinking) eye
opening. Built once per face (the eyeball plate and the iris patch), drawn per frame after the
mesh warp has placed the lids."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.tracking import landmarks as lm

_SUB = 4  # fixed-point bits for sub-pixel polygon drawing
_CHEEK = (205, 50, 187, 147, 123, 116, 117, 118, 101, 36)  # the sitter's right cheek
MIN_SHIFT_PX = 0.25  # below this the warp alone is exact enough


@dataclass(frozen=True, slots=True)
class EyeRig:
    contour: np.ndarray  # landmark indices of the eye opening, corner to corner and back
    upper: np.ndarray  # upper lid margin, corner to corner
    lower: np.ndarray  # lower lid margin, same order
    ring: np.ndarray  # skin above the upper lid (the crease line), same order
    lid_colour: np.ndarray  # BGR of the upper lid's skin
    lash_colour: np.ndarray  # BGR of the lash line
    iris_centre: int  # landmark index of the iris centre (468 or 473)
    radius: float  # iris radius in painting pixels
    plate: np.ndarray  # BGR crop of the painting with the iris painted out (the bare eyeball)
    plate_origin: tuple[int, int]  # image position of the plate's top-left pixel
    iris: np.ndarray  # BGR uint8 square patch centred on the iris
    iris_alpha: np.ndarray  # float32 soft disc, same size as `iris`
    # Where the warp alone carries the iris centre is a fixed linear combination of the
    # opening's target points: the least-squares affine fit of the opening, applied to the
    # neutral iris centre, with the fit's pseudo-inverse worked out once here.
    carry_weights: np.ndarray  # (len(contour),)
    corners: tuple[int, int]  # landmark indices of the outer and inner corner
    # The skin just around the eye (its brighter half), for painted lids; None if too small.
    near_skin: np.ndarray | None = None
    # The painting's own fine texture for a closed lid (uint8 BGR, DETAIL_ZERO = no change):
    # the skin below the eye mirrored up over it, high-passed. Same box as `plate`; None if too
    # small.
    lid_detail: np.ndarray | None = None


def _lid_colours(
    image: np.ndarray, points: np.ndarray, upper: tuple[int, ...], ring: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Skin of the upper lid (its brighter half: no lashes, no crease shadow) and the lashes."""
    mask = np.zeros(image.shape[:2], np.uint8)
    poly = np.concatenate([points[list(upper), :2], points[list(ring)[::-1], :2]])
    cv2.fillPoly(mask, [np.round(poly).astype(np.int32)], 255)
    pixels = image[mask > 0].astype(np.float32)
    if len(pixels) < 4:
        grey = np.array([128.0, 128.0, 128.0])
        return grey, grey * 0.3
    brightness = pixels.sum(axis=1)
    lid = pixels[brightness >= np.percentile(brightness, 50)].mean(axis=0)
    # Painted lids are often in shadow or grey with lashes; lean on the cheek's skin tone.
    cheek = np.zeros_like(mask)
    cv2.fillPoly(cheek, [np.round(points[list(_CHEEK), :2]).astype(np.int32)], 255)
    cheek_px = image[cheek > 0].astype(np.float32)
    skin = lid if len(cheek_px) < 4 else 0.45 * lid + 0.55 * 0.92 * cheek_px.mean(axis=0)
    line = np.zeros_like(mask)
    cv2.polylines(line, [np.round(points[list(upper), :2]).astype(np.int32)], False, 255, 2)
    lash_px = image[line > 0].astype(np.float32)
    lash = lash_px[lash_px.sum(axis=1) <= np.percentile(lash_px.sum(axis=1), 30)].mean(axis=0)
    return skin, np.minimum(0.6 * lash + 0.4 * skin * 0.45, skin * 0.6)


def build_eye_rig(
    image: np.ndarray,
    points: np.ndarray,
    contour: tuple[int, ...],
    corners: tuple[int, int],
    centre: int,
    lids: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]],
) -> EyeRig | None:
    """Paint the iris out of one eye; None when the eye is too small to bother."""
    h, w = image.shape[:2]
    iris_ring = points[centre + 1 : centre + 5, :2]
    c = points[centre, :2].astype(np.float64)
    radius = float(np.linalg.norm(iris_ring - c, axis=1).mean())
    eye = points[list(contour), :2]
    eye_w = float(np.ptp(eye[:, 0]))
    if radius < 1.5 or eye_w < 8:
        return None
    pad = int(np.ceil(radius * 2 + 4))
    x0 = max(0, int(np.floor(eye[:, 0].min())) - pad)
    y0 = max(0, int(np.floor(eye[:, 1].min())) - pad)
    x1 = min(w, int(np.ceil(eye[:, 0].max())) + pad)
    y1 = min(h, int(np.ceil(eye[:, 1].max())) + pad)
    crop = image[y0:y1, x0:x1].copy()
    hole = np.zeros(crop.shape[:2], np.uint8)
    cv2.circle(
        hole, (int(round(c[0] - x0)), int(round(c[1] - y0))), int(np.ceil(radius * 1.15)), 255, -1
    )
    opening = np.zeros_like(hole)
    cv2.fillPoly(opening, [np.round(eye - (x0, y0)).astype(np.int32)], 255)
    hole &= cv2.dilate(opening, np.ones((3, 3), np.uint8))
    plate = cv2.inpaint(crop, hole, max(2.0, radius * 0.6), cv2.INPAINT_TELEA)
    size = int(np.ceil(radius * 1.25)) * 2 + 1
    half = size // 2
    iris = cv2.getRectSubPix(image, (size, size), (float(c[0]), float(c[1])))
    yy, xx = np.mgrid[-half : half + 1, -half : half + 1].astype(np.float32)
    dist = np.sqrt(xx**2 + yy**2)
    alpha = np.clip((radius * 1.05 - dist) / max(radius * 0.18, 0.8), 0.0, 1.0)
    upper, lower, ring = lids
    skin, lash = _lid_colours(image, points, upper, ring)
    return EyeRig(
        contour=np.asarray(contour, dtype=np.intp),
        upper=np.asarray(upper, dtype=np.intp),
        lower=np.asarray(lower, dtype=np.intp),
        ring=np.asarray(ring, dtype=np.intp),
        lid_colour=skin,
        lash_colour=lash,
        iris_centre=centre,
        radius=radius,
        plate=plate,
        plate_origin=(x0, y0),
        iris=iris,
        iris_alpha=alpha.astype(np.float32),
        carry_weights=_carry_weights(eye, c),
        corners=corners,
        near_skin=_neutral_near_skin(image, points, upper, lower, ring, eye_w),
        lid_detail=_lid_detail(image, points, corners, lower, (x0, y0, x1, y1), eye_w),
    )


# How far below the lowest point of the lower lid the mirror line sits, in eye widths: the
# texture then comes from the skin under the eye, not from the lower lashes.
_MIRROR_GAP = 0.06
_DETAIL_SIGMA = 0.05  # eye widths: finer than this is texture (craquelure, wrinkles, grain)
_DETAIL_LIMIT = 40.0  # levels: the texture's strongest strokes, so a shadow never becomes one
# The texture is held as bytes around this level: a quarter of the memory of floats (twenty
# rigs hold it), and OpenCV's fastest path to move and add it per frame.
DETAIL_ZERO = 128


def _lid_detail(
    image: np.ndarray,
    points: np.ndarray,
    corners: tuple[int, int],
    lower: tuple[int, ...],
    box: tuple[int, int, int, int],
    width: float,
) -> np.ndarray | None:
    """The painting's fine texture for a closed lid over the box (x0, y0, x1, y1).

    A flat lid reads as plaster on a cracked, brushed or photographed face. Lid skin looks like
    the skin under the eye, so that is mirrored up across a line just below the lower lid (along
    the eye's own tilt) and high-passed: the texture without its light and shade, which the lid
    colour brings.
    """
    x0, y0, x1, y1 = box
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    a, b = points[corners[0], :2].astype(np.float64), points[corners[1], :2].astype(np.float64)
    span = float(np.linalg.norm(b - a))
    if span < 1e-3 * width:
        return None  # no eye line to mirror across
    along = (b - a) / span
    normal = np.array([-along[1], along[0]])
    if normal[1] < 0:
        normal = -normal  # pointing down the face, towards the cheek
    depth = (points[list(lower), :2] - a) @ normal
    line = float(depth.max()) + _MIRROR_GAP * width
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float64)
    # How far above the line: mirrored to as far below it; the skin below stays itself.
    beyond = np.maximum(line - ((xx - a[0]) * normal[0] + (yy - a[1]) * normal[1]), 0.0)
    map_x = (xx + 2.0 * beyond * normal[0]).astype(np.float32)
    map_y = (yy + 2.0 * beyond * normal[1]).astype(np.float32)
    mirrored = cv2.remap(
        image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    ).astype(np.float32)
    smooth = cv2.GaussianBlur(mirrored, (0, 0), max(1.0, width * _DETAIL_SIGMA))
    detail = np.clip(mirrored - smooth, -_DETAIL_LIMIT, _DETAIL_LIMIT) + DETAIL_ZERO
    return np.round(detail).astype(np.uint8)


def _neutral_near_skin(
    image: np.ndarray,
    points: np.ndarray,
    upper: tuple[int, ...],
    lower: tuple[int, ...],
    ring: tuple[int, ...],
    width: float,
) -> np.ndarray | None:
    """`_local_skin` around the eye's lid and opening as painted: worked out once per rig
    (per frame it cost two dilations and a selection per eye, for a colour that barely moves)."""
    lid = np.concatenate([points[list(ring), :2], points[list(upper)[::-1], :2]])
    opening = np.concatenate([points[list(upper), :2], points[list(lower)[::-1], :2]])
    pad = int(np.ceil(width * 0.5)) + 3
    h, w = image.shape[:2]
    allpts = np.concatenate([lid, opening])
    x0, y0 = np.maximum(np.floor(allpts.min(axis=0)).astype(int) - pad, 0)
    x1, y1 = np.minimum(np.ceil(allpts.max(axis=0)).astype(int) + pad, (w, h))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    for poly in (lid, opening):
        cv2.fillPoly(mask, [np.round(poly - (x0, y0)).astype(np.int32)], 255)
    return _local_skin(image[y0:y1, x0:x1], mask, width)


def _soften(mask: np.ndarray, sigma: float) -> np.ndarray:
    """cv2.GaussianBlur of a uint8 mask (same kernel, within two levels) at a third of the
    cost: OpenCV's bit-exact 8-bit Gaussian is slow for wide kernels (118 against 37 us at
    sigma 3.5 on a 160x90 mask), and each eye blurs two or three masks a frame."""
    kernel = cv2.getGaussianKernel(int(round(sigma * 6 + 1)) | 1, sigma)
    return cv2.sepFilter2D(mask, -1, kernel, kernel)


def _fill(pattern: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A (h, w, 3) uint8 image of `pattern` ((1, 1, 3) one colour, (h, 1, 3) one per row)
    repeated to `size` (w, h): nearest-neighbour resizing does it six times faster than
    numpy broadcasting a three-byte pattern."""
    return cv2.resize(pattern, size, interpolation=cv2.INTER_NEAREST)


def _carry_weights(opening: np.ndarray, iris_centre: np.ndarray) -> np.ndarray:
    """Weights w with w @ moved_opening = the opening's least-squares affine motion applied
    to `iris_centre`."""
    design = np.hstack([opening.astype(np.float64), np.ones((len(opening), 1))])
    return np.append(iris_centre, 1.0) @ np.linalg.pinv(design)


def build_eye_rigs(image: np.ndarray, points: np.ndarray) -> tuple[EyeRig, ...]:
    right = (lm.RIGHT_EYE_UPPER, lm.RIGHT_EYE_LOWER, lm.RIGHT_EYE_UPPER_RING)
    left = (lm.LEFT_EYE_UPPER, lm.LEFT_EYE_LOWER, lm.LEFT_EYE_UPPER_RING)
    sides = (
        (
            lm.RIGHT_EYE_CONTOUR,
            (lm.RIGHT_EYE_OUTER, lm.RIGHT_EYE_INNER),
            lm.RIGHT_IRIS_CENTER,
            right,
        ),
        (lm.LEFT_EYE_CONTOUR, (lm.LEFT_EYE_OUTER, lm.LEFT_EYE_INNER), lm.LEFT_IRIS_CENTER, left),
    )
    eyes = [build_eye_rig(image, points, *side) for side in sides]
    return tuple(e for e in eyes if e is not None)


def draw_gaze(
    out: np.ndarray,
    source_map: np.ndarray,
    eye: EyeRig,
    targets: np.ndarray,
    origin: tuple[int, int],
    closure: float = 0.0,
) -> None:
    """Redraw one eye of the warped region `out` with its iris moved to the target position.

    `source_map` is the warp's (H, W, 2) map over the region, `origin` the region's image
    position; `targets` are the face's target landmarks; `closure` how far the eye has closed
    (`eye_closure`). A closing eye is redrawn even if its iris stays put: the warp alone would
    squeeze the iris, where the lid should come down over it.
    """
    opening = targets[eye.contour, :2]
    carried = eye.carry_weights @ opening  # where the warp alone puts the iris centre
    wanted = targets[eye.iris_centre, :2]
    width = float(opening[:, 0].max() - opening[:, 0].min())  # np.ptp costs 5x more
    # Keep the iris inside the eye: at most this far from where the warp carries it.
    limit = np.array([max(0.0, width / 2 - eye.radius) * 0.75, eye.radius * 0.5])
    shift = np.clip(wanted - carried, -limit, limit)
    if np.abs(shift).max() < MIN_SHIFT_PX and closure < MIN_CLOSURE:
        return
    ox, oy = origin
    pad = int(np.ceil(eye.radius * 1.5)) + 2
    x0 = max(0, int(np.floor(opening[:, 0].min())) - ox - pad)
    y0 = max(0, int(np.floor(opening[:, 1].min())) - oy - pad)
    x1 = min(out.shape[1], int(np.ceil(opening[:, 0].max())) - ox + pad)
    y1 = min(out.shape[0], int(np.ceil(opening[:, 1].max())) - oy + pad)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return
    h, w = y1 - y0, x1 - x0
    # The bare eyeball, warped exactly as the painting was.
    px, py = eye.plate_origin
    plate_map = cv2.subtract(source_map[y0:y1, x0:x1], (float(px), float(py), 0.0, 0.0))
    eyeball = cv2.remap(
        eye.plate, plate_map, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    # The iris, moved.
    centre = carried + shift - (ox + x0, oy + y0)
    size = eye.iris.shape[0]
    half = size // 2
    move = np.float32([[1, 0, centre[0] - half], [0, 1, centre[1] - half]])
    iris = cv2.warpAffine(eye.iris, move, (w, h), flags=cv2.INTER_LINEAR)
    iris_a = cv2.warpAffine(eye.iris_alpha, move, (w, h), flags=cv2.INTER_LINEAR)
    eyeball = cv2.blendLinear(iris, eyeball, iris_a, 1.0 - iris_a)
    # Only inside the eye opening, feathered inwards so the lids stay crisp.
    mask = np.zeros((h, w), np.uint8)
    poly = np.round((opening - (ox + x0, oy + y0)) * (1 << _SUB)).astype(np.int32)
    cv2.fillPoly(mask, [poly], 255, cv2.LINE_AA, _SUB)
    soft = _soften(mask, max(0.6, eye.radius * 0.12))
    alpha = np.minimum(soft, mask).astype(np.float32) * np.float32(1 / 255)
    crop = out[y0:y1, x0:x1]
    crop[...] = cv2.blendLinear(eyeball, crop, alpha, 1.0 - alpha)


def _local_skin(crop: np.ndarray, eye_mask: np.ndarray, width: float) -> np.ndarray | None:
    """The skin tone just around the eye in this frame (its brighter half: no lashes, brows or
    shadows), so a painted lid matches its neighbourhood's colour and light."""
    near = cv2.dilate(eye_mask, np.ones((max(3, int(width * 0.5)) | 1,) * 2, np.uint8))
    inner = cv2.dilate(eye_mask, np.ones((max(3, int(width * 0.15)) | 1,) * 2, np.uint8))
    pixels = crop[(near > 0) & (inner == 0)]
    if len(pixels) < 8:
        return None
    brightness = pixels.sum(axis=1, dtype=np.int32)
    half = len(brightness) // 2
    median = np.partition(brightness, half)[half]  # np.percentile costs ten times as much
    return pixels[brightness >= median].mean(axis=0)


# A closing eye is drawn as a real one closes: the lid comes down over the eyeball, hiding the
# top of the iris, and the eye that is still open below it is not veiled or squeezed. The lid
# (skin from the crease to the moving margin) fades in over the painted lid the warp stretches,
# and covers LID_COVER of it from LID_FULL_AT closure.
MIN_CLOSURE = 0.025  # below this the warp's squeeze of the iris is invisible: no redraw
LID_COVER = 0.85
LID_FULL_AT = 0.3
# Below this the lid and its lash line (up to about 140 levels darker) change pixels by 3 at
# most: skip the work, and the lid fades in from there without a visible step.
MIN_LID_COVER = 0.02
# From SHUT_FROM closure the sliver still open between the lids is covered too, fully at SHUT_AT:
# a painting's lids may not quite meet at a visitor's full blink.
SHUT_FROM = 0.9
SHUT_AT = 0.95
# Below this lid opacity its texture (at most 40 levels) would change pixels by 3 at most.
DETAIL_FROM = 0.085


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
    if eye.lid_detail is None:
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
    return cv2.warpAffine(
        eye.lid_detail, move, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
        borderValue=(DETAIL_ZERO,) * 3,
    )  # fmt: skip


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
    x0 = max(0, int(np.floor(allpts[:, 0].min())) - pad)
    y0 = max(0, int(np.floor(allpts[:, 1].min())) - pad)
    x1 = min(out.shape[1], int(np.ceil(allpts[:, 0].max())) + pad)
    y1 = min(out.shape[0], int(np.ceil(allpts[:, 1].max())) + pad)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return
    h, w = y1 - y0, x1 - x0
    shift = (x0, y0)

    def poly(points: np.ndarray) -> np.ndarray:
        return np.round((points - shift) * (1 << _SUB)).astype(np.int32)

    # The lid: from the crease down to the lid margin, soft towards the crease and beyond the
    # corners, but a crisp edge along the margin over the open eye below it.
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [poly(np.concatenate([ring, upper[::-1]]))], 255, cv2.LINE_AA, _SUB)
    soft = _soften(mask, max(0.8, width * 0.05))
    margin = upper if upper[0, 0] <= upper[-1, 0] else upper[::-1]  # left to right
    top, left, right = y0 - 1.0, x0 - 1.0, x1 + 1.0
    above_margin = np.concatenate(
        [[(left, margin[0, 1])], margin, [(right, margin[-1, 1]), (right, top), (left, top)]]
    )
    mask.fill(0)
    cv2.fillPoly(mask, [poly(above_margin)], 255, cv2.LINE_AA, _SUB)
    soft = np.minimum(soft, mask).astype(np.float32) * np.float32(1 / 255)
    yy = np.arange(h, dtype=np.float32)[:, None]  # (h, 1): the shade varies down the lid only
    crease_y = float(ring[:, 1].mean() - y0)
    margin_y = float(upper[:, 1].mean() - y0)
    # A little darker towards the lashes, as a lid curving away from the light.
    shade = 1.0 - 0.1 * np.clip((yy - crease_y) / max(margin_y - crease_y, 1.0), 0.0, 1.0)
    crop = out[y0:y1, x0:x1]
    colour = eye.near_skin
    if colour is None:
        colour = eye.lid_colour if skin is None else 0.35 * eye.lid_colour + 0.65 * skin
    column = np.clip(colour[None, :] * shade, 0, 255).astype(np.uint8)  # (h, 3): one per row
    lid = _fill(column[:, None, :], (w, h))
    detail = None
    if cover >= DETAIL_FROM:
        detail = _placed_detail(eye, source, targets, (ox + x0, oy + y0), (w, h))
    if detail is not None:
        lid = cv2.addWeighted(lid, 1.0, detail, 1.0, -float(DETAIL_ZERO))
    if shut > 0.0:
        # All but shut: the sliver still open between the lids closes too.
        mask.fill(0)
        cv2.fillPoly(mask, [poly(targets[eye.contour, :2] - (ox, oy))], 255, cv2.LINE_AA, _SUB)
        sliver = _soften(mask, 0.7).astype(np.float32) * np.float32(shut / 255)
        soft = np.maximum(soft, sliver)
    alpha = soft * np.float32(cover)
    crop[...] = cv2.blendLinear(lid, crop, alpha, 1.0 - alpha)
    # The lash line along the closed lid's margin.
    lash = np.zeros((h, w), np.uint8)
    thick = max(1, int(round(width * 0.022)))
    # Corner to corner: the lashes of a closing lid reach into both corners of the eye.
    corners = targets[list(eye.corners), :2] - (ox, oy)
    margin_line = np.concatenate([corners[:1], upper, corners[1:]])
    cv2.polylines(lash, [poly(margin_line)], False, 255, thick, cv2.LINE_AA, _SUB)
    lash_a = _soften(lash, max(0.5, width * 0.01)).astype(np.float32)
    lash_a *= np.float32(cover / 255.0)
    lash_colour = _fill(np.clip(eye.lash_colour, 0, 255).astype(np.uint8)[None, None], (w, h))
    crop[...] = cv2.blendLinear(lash_colour, crop, lash_a, 1.0 - lash_a)
