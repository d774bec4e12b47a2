"""Drawn teeth (kiosk.renderer.drawn_teeth, the palette's `drawn_teeth`): a warm ivory in the
painting's own light, as bright as its skin's light rather than a dim grey beside it; grey in a
grayscale painting."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.motion.controls import motion_from_controls
from kiosk.renderer.drawn_teeth import (
    TEETH_LIFT,
    TEETH_MAX,
    TEETH_MAX_SATURATION,
    drawn_teeth_colour,
)
from kiosk.renderer.engine import GeometricEngine
from kiosk.renderer.retarget import target_landmarks
from kiosk.renderer.tone import tone_of
from kiosk.tracking import landmarks as lm
from tests.conftest import shared_data

LUMA = np.array([0.114, 0.587, 0.299])  # BGR


def _saturation(bgr: np.ndarray) -> float:
    return float((bgr.max() - bgr.min()) / max(bgr.max(), 1.0))


def test_teeth_are_a_warm_ivory_paler_than_the_skin_and_as_bright_as_its_light() -> None:
    """Under warm skin, with the palette's dim greyish teeth: the drawn teeth are warm (red over
    green over blue), paler than the skin, and brighter than the palette's teeth by TEETH_LIFT."""
    rng = np.random.default_rng(16)
    skin = np.array([110.0, 150.0, 215.0])
    face = np.clip(skin * rng.uniform(0.6, 1.2, (500, 1)) + rng.normal(0, 6, (500, 3)), 0, 255)
    grey_teeth = np.array([115.0, 123.0, 127.0])  # lifted, still below TEETH_MAX
    colour = drawn_teeth_colour(skin, grey_teeth, tone_of(face))
    blue, green, red = colour
    assert red > green + 5 and green > blue + 5, colour
    assert _saturation(colour) < _saturation(skin)
    expected = TEETH_LIFT * float(grey_teeth @ LUMA)
    assert abs(float(colour @ LUMA) - expected) < 0.05 * expected, colour


def test_teeth_under_a_very_orange_skin_stay_ivory_not_beige(
    hopper: np.ndarray, engine: GeometricEngine
) -> None:
    """Grace Hopper's skin (blue 0.41 of red) warmed the ivory to beige (saturation 0.34),
    which the mouth's shadow turned khaki: now within TEETH_MAX_SATURATION (the face's own
    colours, which have the last word, allow it here), still warm."""
    palette = engine.build_rig(hopper).faces[0].palette
    blue, green, red = colour = palette.drawn_teeth
    assert _saturation(colour) <= TEETH_MAX_SATURATION + 0.02, colour
    assert red > green > blue, colour


def test_teeth_of_a_grayscale_painting_are_grey() -> None:
    grey = np.linspace(40, 220, 300)[:, None] * np.ones(3)
    colour = drawn_teeth_colour(np.full(3, 150.0), np.full(3, 170.0), tone_of(grey))
    assert np.ptp(colour) <= 1.0, colour


def test_the_pearl_earrings_open_mouth_shows_teeth_near_her_skins_brightness(
    engine: GeometricEngine,
) -> None:
    """Her drawn teeth read grey-green beside her skin (their brightest tenth at 0.72 of the
    skin's brightness at mouth open 0.6); warm ivory teeth are at least 0.8 of it, red over
    green over blue."""
    image = cv2.imread(str(shared_data("portraits/girl_with_a_pearl_earring.jpg")))
    assert image is not None
    rig = engine.build_rig(image)
    face = rig.faces[0]
    motion = motion_from_controls({"jaw_open": 0.6})
    out = engine.render(rig, [motion])
    mouth = np.zeros(out.shape[:2], np.uint8)
    inner = target_landmarks(face, motion)[lm.as_index(lm.LIPS_INNER), :2]
    cv2.fillPoly(mouth, [np.round(inner).astype(np.int32)], 255)
    pixels = out[cv2.erode(mouth, np.ones((3, 3), np.uint8)) > 0].astype(np.float64)
    brightness = pixels @ LUMA
    teeth = pixels[brightness >= np.percentile(brightness, 90)].mean(axis=0)
    assert float(teeth @ LUMA) >= 0.8 * float(face.palette.skin @ LUMA), teeth
    blue, green, red = teeth
    assert red > green > blue, teeth


def test_bright_teeth_stop_at_the_cap_in_every_channel() -> None:
    """Teeth lifted past TEETH_MAX under a warm face are scaled back as a whole: the face's
    colours pulling their hue must not push a channel over it."""
    rng = np.random.default_rng(3)
    skin = np.array([90.0, 140.0, 230.0])
    face = np.clip(skin * rng.uniform(0.6, 1.2, (500, 1)) + rng.normal(0, 6, (500, 3)), 0, 255)
    colour = drawn_teeth_colour(skin, np.array([200.0, 210.0, 215.0]), tone_of(face))
    assert float(colour.max()) <= TEETH_MAX + 1e-6, colour
