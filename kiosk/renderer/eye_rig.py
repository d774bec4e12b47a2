"""The eye rig: what is built once per face for its eyes. The eyeball plate (the painting with
the iris painted out), the iris patch, the lid and lash colours, the skin around the eye and
the lid's own texture; `kiosk.renderer.gaze` and `kiosk.renderer.lids` draw from it per frame."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.renderer.lid_skin import EyeOutline, closed_lid_skin
from kiosk.renderer.tone import LUMA_BGR
from kiosk.tracking import landmarks as lm

_CHEEK = (205, 50, 187, 147, 123, 116, 117, 118, 101, 36)  # the sitter's right cheek


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
    # The skin a closed lid has, without its fine texture (uint8 BGR, same box as `plate`): the
    # colour of the skin around the eye, shaded by the mirrored skin's light and shade and as
    # a lid rounded over the eyeball (kiosk.renderer.lid_skin). None if too small.
    lid_base: np.ndarray | None = None
    # The white of the painted eye that lies outside the landmarks' opening (uint8 mask, 255 =
    # white, same box as `plate`): a large painted eye (a cartoon's) whose landmarks sit
    # inside its white, which a shut lid drawn to the landmarks left showing. None if there
    # is none to speak of.
    white_outside: np.ndarray | None = None


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
    plate = _bare_eyeball(crop, hole, opening, radius)
    iris, alpha = _iris_patch(image, c, radius)
    upper, lower, ring = lids
    skin, lash = _lid_colours(image, points, upper, ring)
    outline = EyeOutline(corners, upper, lower, ring)
    lid_skin = closed_lid_skin(image, points, outline, (x0, y0, x1, y1), eye_w)
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
        iris_alpha=alpha,
        carry_weights=_carry_weights(eye, c),
        corners=corners,
        near_skin=_neutral_near_skin(image, points, upper, lower, ring, eye_w),
        lid_base=lid_skin[0] if lid_skin is not None else None,
        lid_detail=lid_skin[1] if lid_skin is not None else None,
        white_outside=_white_outside(crop, hole, opening, eye_w),
    )


def _iris_patch(
    image: np.ndarray, centre: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """A square BGR patch of `image` centred on the iris, and its soft disc (float32)."""
    size = int(np.ceil(radius * 1.25)) * 2 + 1
    half = size // 2
    iris = cv2.getRectSubPix(image, (size, size), (float(centre[0]), float(centre[1])))
    yy, xx = np.mgrid[-half : half + 1, -half : half + 1].astype(np.float32)
    dist = np.sqrt(xx**2 + yy**2)
    alpha = np.clip((radius * 1.05 - dist) / max(radius * 0.18, 0.8), 0.0, 1.0)
    return iris, alpha.astype(np.float32)


def _lid_colours(
    image: np.ndarray, points: np.ndarray, upper: tuple[int, ...], ring: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Skin of the upper lid (its brighter half: no lashes, no crease shadow, leaning on the
    cheek's tone) and the lashes."""
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


def _bare_eyeball(
    crop: np.ndarray, hole: np.ndarray, opening: np.ndarray, radius: float
) -> np.ndarray:
    """`crop` with the iris (`hole`) filled in from the white of the eye beside it.

    Inpainted from all its surroundings, the hole took the upper lid's lashes and shadow: a
    grey band across the eyeball that showed wherever the iris moved off its painted place
    (a glance, the eye's outline shifting in a head turn) and read, to a viewer and to the face
    tracker, as a lid come half down (the Pearl Earring read a fifth less open turned by d12).
    Each row of the hole is interpolated between the white of the eye left and right of it
    on that row (or the nearest row that shows white), so the eyeball keeps its light and
    shade (darker under the lid) without the lid's colour."""
    white = cv2.erode(opening, np.ones((3, 3), np.uint8)) > 0
    white &= cv2.dilate(hole, np.ones((5, 5), np.uint8)) == 0
    luma = crop.astype(np.float32) @ np.asarray(LUMA_BGR, np.float32)
    if white.sum() < 8:
        return cv2.inpaint(crop, hole, max(2.0, radius * 0.6), cv2.INPAINT_TELEA)
    # The white of the eye is the brightest part of the opening: no lashes, lid line, iris rim
    # or the lid's skin (a photograph's small dim eyes show more lid than white).
    white &= luma >= np.percentile(luma[white], 70)
    filled = crop.astype(np.float32)
    rows_known = np.flatnonzero(white.any(axis=1))  # never empty: a percentile is reached
    for y in np.flatnonzero(hole.any(axis=1)):
        gaps = np.flatnonzero(hole[y])
        # This row's white, or the nearest row's: a flat colour under an iris that moved up
        # was brighter than the eye's lower rows, and the tracker read the iris as moved aside.
        near = rows_known[np.argmin(np.abs(rows_known - y))]
        known = np.flatnonzero(white[near])
        for c in range(3):  # np.interp holds the end values beyond the known pixels
            filled[y, gaps, c] = np.interp(gaps, known, filled[near, known, c])
    # Rows were filled apart: blend them into each other a little.
    smooth = cv2.GaussianBlur(filled, (0, 0), max(0.8, radius * 0.15))
    plate = crop.copy()
    plate[hole > 0] = np.clip(smooth[hole > 0], 0, 255).astype(np.uint8)
    return plate


# The white outside the opening: what is joined to the white inside it within WHITE_REACH eye
# widths of it without crossing a line darker than WHITE_LINE of the white's brightness (the
# painted lid's line, the lashes). A photograph's eye has no such line all round its white:
# what is joined then runs on into the skin up to the reach, and is not taken. Kept when it is
# at least WHITE_OUTSIDE_MIN of the opening (a few pixels at the opening's edge are nothing).
WHITE_REACH = 0.15
WHITE_LINE = 0.55
WHITE_OUTSIDE_MIN = 0.05


def _white_outside(
    crop: np.ndarray, hole: np.ndarray, opening: np.ndarray, width: float
) -> np.ndarray | None:
    """The painted eye's white beyond the landmarks' `opening` (both masks over `crop`, the
    plate's box; `hole`: the iris), bounded all round by the painted lid's dark line; None if
    there is little, or no such line."""
    inside = (cv2.erode(opening, np.ones((3, 3), np.uint8)) > 0) & (hole == 0)
    if inside.sum() < 8:
        return None
    luma = crop.astype(np.float32) @ np.asarray(LUMA_BGR, np.float32)
    white = float(np.percentile(luma[inside], 85))
    reach = max(2, int(round(WHITE_REACH * width)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1,) * 2)
    near = cv2.dilate(opening, kernel) > 0
    candidate = ((luma >= WHITE_LINE * white) & near) | inside
    _, labels = cv2.connectedComponents(candidate.astype(np.uint8), connectivity=4)
    joined = np.isin(labels, np.unique(labels[inside])) & (opening == 0)
    rim = near & ~(cv2.erode(near.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)
    if (joined & rim).any():  # ran on into the skin: no line bounds it
        return None
    if joined.sum() < WHITE_OUTSIDE_MIN * max(int((opening > 0).sum()), 1):
        return None
    # A pixel more all round: the white's soft edge against the lid line.
    return cv2.dilate(joined.astype(np.uint8) * 255, np.ones((3, 3), np.uint8))


def _carry_weights(opening: np.ndarray, iris_centre: np.ndarray) -> np.ndarray:
    """Weights w with w @ moved_opening = the opening's least-squares affine motion applied
    to `iris_centre`."""
    design = np.hstack([opening.astype(np.float64), np.ones((len(opening), 1))])
    return np.append(iris_centre, 1.0) @ np.linalg.pinv(design)
