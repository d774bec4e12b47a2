"""The visitor's inner mouth, cut out of the camera frame into a small fixed patch in the
mouth's own frame, so the renderer can lay it into any painting's lip outline (after
Averbuch-Elor et al. 2017, "Bringing Portraits to Life": the driver's inner mouth, transferred).

The mouth frame: `t` runs from -1 (inner corner 78) to +1 (corner 308) along the line between
the corners; `v` is the distance across it (towards the chin). The upper and lower inner lips
are profiles `v_upper(t)`, `v_lower(t)`; `s` = 0 on the upper lip, 1 on the lower. Patch column
j holds t at the centre of the j-th of PATCH_W equal steps, row i holds s likewise. The same
geometry maps a painting's pixels back into the patch (`patch_coordinates`).

Privacy: a patch is camera pixels. It lives in memory only, beside the visitor's `Motion`
(never inside it); it cannot be pickled, and its repr shows no pixels, so a log line or a
recorder that meets one by mistake writes nothing of the visitor.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.tracking import landmarks as lm

# Samples along the mouth (t) and across it (s): about the camera's own resolution for a visitor
# at arm's length (an inner mouth 40-80 px wide); the renderer's colour matching costs per sample.
PATCH_W, PATCH_H = 64, 24
# Lips parted (inner gap over inner-corner width) from which a patch is cut: below, the gap
# is a few camera pixels of lip and the renderer draws its own interior (it fades in at 0.015
# above the painting's rest).
OPEN_FROM = 0.02
_UPPER = lm.as_index(lm.LIPS_INNER_UPPER)  # corner 78 ... corner 308
_LOWER = lm.as_index(lm.LIPS_INNER_LOWER_78_TO_308)
# Cheek points whose surroundings give the visitor's skin colour and light (the painting's
# palette measures its skin on the same cheek).
_CHEEKS = lm.as_index((205, 425, 50, 280, 187, 411))
_SKIN_BOX = 3  # half-size (px) of the square sampled around each cheek point


class MouthPatch:
    """The visitor's inner mouth (uint8 BGR, PATCH_H x PATCH_W, rows = s, columns = t) and
    their skin colour (BGR float, the reference for re-lighting it onto a painting)."""

    __slots__ = ("pixels", "skin")

    def __init__(self, pixels: np.ndarray, skin: np.ndarray) -> None:
        self.pixels = pixels
        self.skin = skin

    def __repr__(self) -> str:  # no pixel values, ever
        return f"MouthPatch({self.pixels.shape[1]}x{self.pixels.shape[0]})"

    def __reduce__(self):  # pickle, copy.copy and multiprocessing all come here
        raise TypeError("a MouthPatch is camera pixels: it never leaves the process")


class MouthAxes:
    """The mouth frame of two inner-lip curves (corner 78 first, corner 308 last, 2D)."""

    def __init__(self, upper: np.ndarray, lower: np.ndarray) -> None:
        self.origin = upper[0].astype(np.float64)
        along = upper[-1] - upper[0]
        self.width = float(np.linalg.norm(along))
        self.e = along / max(self.width, 1e-9)
        self.n = np.array([-self.e[1], self.e[0]])
        self._upper = self._profile(upper)
        self._lower = self._profile(lower)

    def _profile(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rel = points[:, :2] - self.origin
        t = 2.0 * (rel @ self.e) / max(self.width, 1e-9) - 1.0
        return np.maximum.accumulate(t), rel @ self.n  # t non-decreasing, for np.interp

    def lips_at(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """v of the upper and the lower lip at each `t`."""
        return np.interp(t, *self._upper), np.interp(t, *self._lower)


def cut_mouth_patch(
    image: np.ndarray, landmarks: np.ndarray, open_from: float = OPEN_FROM
) -> MouthPatch | None:
    """The inner mouth of the face with `landmarks` (478, 3 pixels) in `image` (BGR), or None
    while its lips are parted less than `open_from` or the mouth is too small to sample."""
    if lm.lips_parted(landmarks) < open_from:
        return None
    axes = MouthAxes(landmarks[_UPPER, :2], landmarks[_LOWER, :2])
    if axes.width < 8.0:
        return None
    t = -1.0 + (2.0 * np.arange(PATCH_W) + 1.0) / PATCH_W
    s = ((np.arange(PATCH_H) + 0.5) / PATCH_H)[:, None]
    v_up, v_lo = axes.lips_at(t)
    v = v_up + s * (v_lo - v_up)  # (H, W)
    along = (t + 1.0) * 0.5 * axes.width
    x = axes.origin[0] + along * axes.e[0] + v * axes.n[0]
    y = axes.origin[1] + along * axes.e[1] + v * axes.n[1]
    pixels = cv2.remap(
        image, x.astype(np.float32), y.astype(np.float32), cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )  # fmt: skip
    return MouthPatch(pixels, _skin(image, landmarks))


def _skin(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The mean colour (BGR float) of small squares around the cheek points."""
    h, w = image.shape[:2]
    r = _SKIN_BOX
    samples = []
    for x, y in np.round(landmarks[_CHEEKS, :2]).astype(int):
        box = image[max(0, y - r) : min(h, y + r + 1), max(0, x - r) : min(w, x + r + 1)]
        if box.size:
            samples.append(box.reshape(-1, 3).mean(axis=0))
    if not samples:
        return np.full(3, 128.0)
    return np.mean(samples, axis=0)


def patch_coordinates(
    upper: np.ndarray, lower: np.ndarray, box: tuple[int, int, int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """For every pixel of `box` (x0, y0, x1, y1, in the curves' pixels), where it falls in the
    patch (column, row; float32 maps for cv2.remap): the inverse of the cut, into the target
    lips `upper` and `lower` (each corner 78 ... corner 308)."""
    axes = MouthAxes(upper, lower)
    x0, y0, x1, y1 = box
    xs = np.arange(x0, x1, dtype=np.float64) - axes.origin[0]
    ys = (np.arange(y0, y1, dtype=np.float64) - axes.origin[1])[:, None]
    t = 2.0 * (xs * axes.e[0] + ys * axes.e[1]) / max(axes.width, 1e-9) - 1.0
    v = xs * axes.n[0] + ys * axes.n[1]
    v_up, v_lo = axes.lips_at(t.ravel())
    gap = np.maximum(v_lo - v_up, 0.5).reshape(t.shape)
    s = (v - v_up.reshape(t.shape)) / gap
    column = (t + 1.0) * 0.5 * PATCH_W - 0.5
    row = s * PATCH_H - 0.5
    return column.astype(np.float32), row.astype(np.float32)
