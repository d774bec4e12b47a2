"""The painting's own range of colours, so that what the engine invents (teeth, tongue, the
inside of the mouth) never has a colour the painting lacks: a grayscale photograph stays
grayscale, a sepia print stays sepia, a painting keeps its palette. And its grain, so that
what is drawn has the same film grain, canvas or craquelure as the paint around it.

A colour is its brightness (the sum of its channels) and its chromaticity (each channel's share
of that sum, minus a third: a point on a plane, zero for grey). The face's pixels make a cloud
of chromaticities; an invented colour keeps its brightness and has its chromaticity pulled back
into that cloud (within `REACH` standard deviations along each of the cloud's own axes).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

REACH = 2.5  # standard deviations of the face's own colours an invented colour may reach
# The least spread allowed along any axis: about a third of a level at mid brightness, so a
# grayscale face (no spread at all) still gives a well-defined clamp, to grey.
MIN_SPREAD = 4e-4
MAX_SAMPLES = 20000  # pixels enough for a 2x2 covariance; more only costs rig-building time
# A BGR colour's brightness as the eye sees it (ITU-R BT.601 luma, as cv2's BGR2GRAY), for
# everything the renderer draws or measures by brightness.
LUMA_BGR = np.array([0.114, 0.587, 0.299])


@dataclass(frozen=True, slots=True)
class Tone:
    """The cloud of a face's chromaticities: its centre, and its axes scaled by its spread."""

    centre: np.ndarray  # (3,) chromaticity (sums to 0)
    axes: np.ndarray  # (2, 3) orthonormal directions in the chromaticity plane
    spread: np.ndarray  # (2,) standard deviation along each axis

    def clamp(self, colour: np.ndarray) -> np.ndarray:
        """`colour` (BGR float, any leading shape) with its chromaticity pulled into the cloud
        and its brightness kept."""
        colour = np.asarray(colour, dtype=np.float64)
        total = colour.sum(axis=-1, keepdims=True)
        chroma = colour / np.maximum(total, 1e-6) - 1.0 / 3.0
        along = (chroma - self.centre) @ self.axes.T / self.spread  # (..., 2) in deviations
        reach = np.linalg.norm(along, axis=-1, keepdims=True)
        along *= np.minimum(1.0, REACH / np.maximum(reach, 1e-12))
        kept = self.centre + (along * self.spread) @ self.axes
        return np.maximum(total * (kept + 1.0 / 3.0), 0.0)


# Two directions that span the chromaticity plane (orthonormal, each orthogonal to grey).
_PLANE = np.array([[1.0, -1.0, 0.0] / np.sqrt(2.0), [1.0, 1.0, -2.0] / np.sqrt(6.0)])


def tone_of(pixels: np.ndarray) -> Tone:
    """The tone of (N, 3) BGR pixels (N >= 1); dark pixels, whose chromaticity is mostly noise
    and rounding, count for less."""
    px = np.asarray(pixels, dtype=np.float64).reshape(-1, 3)
    if len(px) > MAX_SAMPLES:
        px = px[:: len(px) // MAX_SAMPLES + 1]
    total = px.sum(axis=1, keepdims=True)
    weight = np.clip(total[:, 0] / 150.0, 0.0, 1.0) + 1e-6
    flat = (px / np.maximum(total, 1e-6) - 1.0 / 3.0) @ _PLANE.T  # (N, 2)
    centre = np.average(flat, axis=0, weights=weight)
    cov = np.cov((flat - centre).T, aweights=weight) if len(flat) > 1 else np.zeros((2, 2))
    values, vectors = np.linalg.eigh(np.atleast_2d(cov))
    spread = np.sqrt(np.maximum(values, 0.0)) + MIN_SPREAD
    return Tone(centre=centre @ _PLANE, axes=vectors.T @ _PLANE, spread=spread)


def face_tone(image: np.ndarray, outline: np.ndarray) -> Tone:
    """The tone of the face inside `outline` ((K, 2) image pixels, e.g. the face oval)."""
    h, w = image.shape[:2]
    x0, y0 = np.clip(np.floor(outline.min(axis=0)).astype(int), 0, (w - 1, h - 1))
    x1, y1 = np.clip(np.ceil(outline.max(axis=0)).astype(int) + 1, 1, (w, h))
    crop = image[y0:y1, x0:x1]
    mask = np.zeros(crop.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(outline - (x0, y0)).astype(np.int32)], 255)
    pixels = crop[mask > 0]
    return tone_of(pixels if len(pixels) else crop.reshape(-1, 3))


GRAIN_SIGMA = 1.0  # px: what a Gaussian of this sigma removes is grain


def grain_sample(image: np.ndarray, centre: np.ndarray, size: tuple[int, int]) -> np.ndarray | None:
    """The painting's fine grain (float32 BGR, mean 0) over a `size` (w, h) patch centred at
    `centre`: the image minus its sigma-1 blur. None if the patch falls off the image."""
    w, h = size
    x0, y0 = int(round(centre[0] - w / 2)), int(round(centre[1] - h / 2))
    if w < 4 or h < 4 or x0 < 0 or y0 < 0 or x0 + w > image.shape[1] or y0 + h > image.shape[0]:
        return None
    patch = image[y0 : y0 + h, x0 : x0 + w].astype(np.float32)
    fine = patch - cv2.GaussianBlur(patch, (0, 0), GRAIN_SIGMA)
    return fine - fine.reshape(-1, 3).mean(axis=0)
