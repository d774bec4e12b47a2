"""Cutting the visitor's inner mouth out of a camera frame: a fixed-size patch of what lies
between their inner lips, only while the mouth is open, and nothing that can leave the process."""

from __future__ import annotations

import copy
import pickle

import cv2
import numpy as np
import pytest

from kiosk.tracking import landmarks as lm
from kiosk.tracking.mouth_patch import (
    OPEN_FROM,
    PATCH_H,
    PATCH_W,
    MouthPatch,
    cut_mouth_patch,
    patch_coordinates,
)

SKIN = (120, 150, 200)
INSIDE = (30, 40, 160)  # a red mouth interior
CENTRE = np.array([320.0, 260.0])
HALF_WIDTH = 60.0


def mouth_face(half_gap: float) -> tuple[np.ndarray, np.ndarray]:
    """A camera frame of skin with an elliptic red opening, and landmarks whose inner lips run
    along the ellipse (upper half, lower half) and whose cheeks sit on the skin."""
    image = np.zeros((480, 640, 3), np.uint8)
    image[:] = SKIN
    points = np.zeros((lm.NUM_LANDMARKS, 3))
    points[:, :2] = CENTRE + (0.0, -150.0)  # everything else: on the skin, above
    if half_gap > 0:
        axes = (int(HALF_WIDTH), int(round(half_gap)))
        cv2.ellipse(image, tuple(CENTRE.astype(int)), axes, 0, 0, 360, INSIDE, -1)
    for ring, sign in ((lm.LIPS_INNER_UPPER, -1.0), (lm.LIPS_INNER_LOWER_78_TO_308, 1.0)):
        angles = np.linspace(np.pi, 0.0, len(ring))  # corner 78 (left) ... corner 308 (right)
        xs = CENTRE[0] + HALF_WIDTH * np.cos(angles)
        ys = CENTRE[1] + sign * half_gap * np.sin(angles)
        points[lm.as_index(ring), 0], points[lm.as_index(ring), 1] = xs, ys
    for i, cheek in enumerate((205, 425, 50, 280, 187, 411)):
        points[cheek, :2] = CENTRE + (-100.0 + 200.0 * (i % 2), -40.0)
    return image, points


def test_an_open_mouth_gives_a_patch_of_its_interior() -> None:
    image, points = mouth_face(half_gap=25.0)
    patch = cut_mouth_patch(image, points)
    assert patch is not None
    assert patch.pixels.shape == (PATCH_H, PATCH_W, 3) and patch.pixels.dtype == np.uint8
    # The middle of the patch is the red interior, not the skin around it.
    middle = patch.pixels[PATCH_H // 4 : -PATCH_H // 4, PATCH_W // 4 : -PATCH_W // 4]
    assert np.abs(middle.astype(int) - INSIDE).max() <= 2
    assert np.allclose(patch.skin, SKIN)


def test_a_closed_or_barely_open_mouth_gives_none() -> None:
    assert cut_mouth_patch(*mouth_face(half_gap=0.0)) is None
    barely = 0.45 * OPEN_FROM * 2 * HALF_WIDTH  # gap/width just under OPEN_FROM
    assert cut_mouth_patch(*mouth_face(half_gap=barely)) is None


def test_the_patch_maps_back_onto_any_outline() -> None:
    """Cut from one outline, mapped back into the same one: each pixel of the opening finds
    its own colour (a left/right gradient survives the round trip)."""
    image, points = mouth_face(half_gap=25.0)
    ramp = np.linspace(0, 255, 120).astype(np.uint8)
    x0 = int(CENTRE[0] - HALF_WIDTH)
    image[:, x0 : x0 + 120, 0] = ramp  # blue rises from corner 78 to corner 308
    patch = cut_mouth_patch(image, points)
    assert patch is not None
    box = (x0 + 10, int(CENTRE[1]) - 5, x0 + 110, int(CENTRE[1]) + 5)
    col, row = patch_coordinates(
        points[lm.as_index(lm.LIPS_INNER_UPPER), :2],
        points[lm.as_index(lm.LIPS_INNER_LOWER_78_TO_308), :2],
        box,
    )
    back = cv2.remap(patch.pixels, col, row, cv2.INTER_LINEAR)
    expected = image[box[1] : box[3], box[0] : box[2], 0].astype(int)
    assert np.abs(back[..., 0].astype(int) - expected).max() <= 4


def test_a_patch_cannot_be_pickled_copied_or_printed() -> None:
    patch = MouthPatch(np.full((PATCH_H, PATCH_W, 3), 77, np.uint8), np.array([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="never leaves the process"):
        pickle.dumps(patch)
    with pytest.raises(TypeError):
        copy.copy(patch)
    assert repr(patch) == f"MouthPatch({PATCH_W}x{PATCH_H})" and "77" not in repr(patch)
