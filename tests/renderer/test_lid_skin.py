"""A closed lid's skin (kiosk.renderer.lid_skin): the tone of the skin right above the eye, not
the skin under it the texture is mirrored from; on real paintings whose closed lids read as
grey or flat brown patches, the tone of their own lid skin."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.motion.controls import motion_from_controls
from kiosk.renderer.engine import GeometricEngine
from kiosk.renderer.eye_rig import EyeRig, build_eye_rigs
from kiosk.renderer.lid_skin import LEFT_EYE_UPPER_RING_2, RIGHT_EYE_UPPER_RING_2
from kiosk.renderer.lids import draw_lids
from kiosk.renderer.retarget import target_landmarks
from tests.conftest import shared_data

BLINK = motion_from_controls({"blink": 1.0})
LUMA = np.array([0.114, 0.587, 0.299])  # BGR


def _fill(image: np.ndarray, polygon: np.ndarray, colour: np.ndarray) -> None:
    cv2.fillPoly(image, [np.round(polygon).astype(np.int32)], colour.tolist())


def _ring_2(eye: EyeRig) -> tuple[int, ...]:
    return RIGHT_EYE_UPPER_RING_2 if eye.corners[0] == 33 else LEFT_EYE_UPPER_RING_2


def _lid_middle(points: np.ndarray, eye: EyeRig, shape: tuple[int, ...]) -> np.ndarray:
    """Where the painted eye was open, away from its edges (the lash line, the corners)."""
    mask = np.zeros(shape[:2], np.uint8)
    _fill(mask, points[eye.contour, :2], np.array([255]))
    k = max(3, int(0.3 * np.ptp(points[eye.contour, 1]))) | 1
    return cv2.erode(mask, np.ones((k, k), np.uint8)) > 0


def _lit_skin_above(image: np.ndarray, points: np.ndarray, eye: EyeRig) -> np.ndarray:
    """The brighter half of the skin from the upper lid's margin up to under the brow."""
    mask = np.zeros(image.shape[:2], np.uint8)
    above = np.concatenate([points[eye.upper, :2], points[list(_ring_2(eye))[::-1], :2]])
    _fill(mask, above, np.array([255]))
    pixels = image[mask > 0].astype(np.float64)
    brightness = pixels.sum(axis=1)
    return pixels[brightness >= np.median(brightness)].mean(axis=0)


def test_a_closed_lid_takes_the_skin_above_the_eye_not_the_skin_under_it(
    engine: GeometricEngine, hopper: np.ndarray
) -> None:
    """A face whose lids and brow-to-lid skin are one tan, and whose skin under the eyes (where
    the lid's texture is mirrored from) is a pale, cool pink fading into olive: the closed lid
    is the tan, all over (its light and shade may vary, its hue may not), with none of the
    under-eye hues (they made closed lids read as pale, grey or tinted patches)."""
    face = engine.build_rig(hopper).faces[0]
    points = face.landmarks.astype(np.float64)
    tan = np.array([70.0, 115.0, 175.0])  # BGR
    image = hopper.copy()
    rng = np.random.default_rng(16)
    for eye in build_eye_rigs(hopper, points):
        above = np.concatenate([points[eye.upper, :2], points[list(_ring_2(eye))[::-1], :2]])
        _fill(image, above, tan)
        # Under the eye, down past everything the lid's texture is mirrored from: a smooth
        # gradient (no texture of its own) from pale pink to olive.
        x0, y0 = eye.plate_origin
        h, w = eye.plate.shape[:2]
        top = int(np.ceil(points[eye.lower, 1].max())) + 1
        rows = np.linspace(0.0, 1.0, y0 + 2 * h + 10 - top)[:, None, None]
        pink, olive = np.array([215.0, 200.0, 235.0]), np.array([90.0, 150.0, 140.0])
        gradient = (1 - rows) * pink + rows * olive
        image[top : top + len(rows), x0 - 10 : x0 + w + 10] = np.round(gradient).astype(np.uint8)
    # Grain over the tan, so its measured tone is not one exact value.
    grain = rng.normal(0.0, 4.0, image.shape[:2])[..., None]
    tan_pixels = np.all(image == tan.astype(np.uint8), axis=2)
    image[tan_pixels] = np.clip(image[tan_pixels] + grain[tan_pixels], 0, 255).astype(np.uint8)
    targets = target_landmarks(face, BLINK)
    out = image.copy()
    eyes = build_eye_rigs(image, points)
    assert len(eyes) == 2
    for eye in eyes:
        draw_lids(out, eye, points, targets, (0, 0), face.palette.skin, closure=1.0)
    for eye in eyes:
        lid = out[_lid_middle(points, eye, out.shape)].astype(np.float64)
        assert len(lid) > 20
        assert np.abs(lid.mean(axis=0) - tan).max() <= 10, lid.mean(axis=0)
        # Each pixel is the tan at its own brightness: no pink, grey or olive anywhere.
        same_hue = (lid @ LUMA)[:, None] / float(tan @ LUMA) * tan
        off = np.abs(lid - same_hue).max(axis=1)
        assert np.percentile(off, 95) <= 8, np.percentile(off, 95)


@pytest.mark.parametrize(
    "portrait", ["painted_old_woman.png", "woman_in_black.jpg", "girl_with_a_pearl_earring.jpg"]
)
def test_a_closed_lid_on_a_painting_has_the_tone_of_its_own_lid_skin(
    engine: GeometricEngine, portrait: str
) -> None:
    """On paintings whose closed lids read as grey patches (the old woman), flat brown (the
    woman in black) or pale (the Pearl Earring): the closed lid's colour is within 15 levels,
    every channel, of the lit skin right above the eye (up to 55 levels off before)."""
    image = cv2.imread(str(shared_data(f"portraits/{portrait}")))
    assert image is not None
    rig = engine.build_rig(image)
    face = rig.faces[0]
    out = engine.render(rig, [BLINK])
    assert len(face.eyes) == 2
    for eye in face.eyes:
        lid = out[_lid_middle(face.landmarks, eye, out.shape)].astype(np.float64).mean(axis=0)
        skin = _lit_skin_above(image, face.landmarks, eye)
        assert np.abs(lid - skin).max() <= 15, (eye.corners, lid.round(), skin.round())
