"""Gaze: the painted iris slides over the inpainted eyeball (`EyeRig.plate`), inside the
(possibly closing) eye opening, drawn per frame after the mesh warp has placed the lids. Also
the soft sub-pixel masks the lids are drawn with."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.renderer.eye_rig import EyeRig

SUB_BITS = 4  # fixed-point bits for sub-pixel polygon drawing
MIN_SHIFT_PX = 0.25  # below this the warp alone is exact enough
MIN_CLOSURE = 0.025  # below this the warp's squeeze of the iris is invisible: no redraw


def draw_gaze(
    out: np.ndarray,
    source_map: np.ndarray,
    eye: EyeRig,
    targets: np.ndarray,
    origin: tuple[int, int],
    closure: float = 0.0,
    map_origin: tuple[int, int] = (0, 0),
) -> None:
    """Redraw one eye of the warped region `out` with its iris moved to the target position.

    `source_map` is the warp's (H, W, 2) map over the region, `origin` the region's image
    position; `targets` are the face's target landmarks; `closure` how far the eye has closed
    (`eye_closure`). A closing eye is redrawn even if its iris stays put: the warp alone would
    squeeze the iris, where the lid should come down over it. `map_origin`: the image position
    of what `source_map` calls (0, 0) (the region's origin for a map in region pixels).
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
    px, py = px - map_origin[0], py - map_origin[1]
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
    poly = np.round((opening - (ox + x0, oy + y0)) * (1 << SUB_BITS)).astype(np.int32)
    cv2.fillPoly(mask, [poly], 255, cv2.LINE_AA, SUB_BITS)
    soft = soften(mask, max(0.6, eye.radius * 0.12))
    alpha = np.minimum(soft, mask).astype(np.float32) * np.float32(1 / 255)
    crop = out[y0:y1, x0:x1]
    crop[...] = cv2.blendLinear(eyeball, crop, alpha, 1.0 - alpha)


def soften(mask: np.ndarray, sigma: float) -> np.ndarray:
    """cv2.GaussianBlur of a uint8 mask (same kernel, within two levels) at a third of the
    cost: OpenCV's bit-exact 8-bit Gaussian is slow for wide kernels (118 against 37 us at
    sigma 3.5 on a 160x90 mask), and each eye blurs two or three masks a frame."""
    kernel = cv2.getGaussianKernel(int(round(sigma * 6 + 1)) | 1, sigma)
    return cv2.sepFilter2D(mask, -1, kernel, kernel)
