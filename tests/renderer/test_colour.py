"""Colour fidelity: what the engine invents (mouth interior, closing lids) takes the painting's
own colours. A grayscale photograph renders grayscale, a sepia print stays sepia."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from kiosk.evaluation.looks import COLOUR_POSES, channel_spread, grayscale, sepia
from kiosk.motion.controls import motion_from_controls
from kiosk.renderer.engine import GeometricEngine
from kiosk.renderer.tone import tone_of

SEPIA = np.array([0.62, 0.84, 1.0])  # looks.sepia's tone, BGR


def renders(engine: GeometricEngine, image: np.ndarray) -> Iterator[tuple[dict, np.ndarray]]:
    rig = engine.build_rig(image)
    for controls in COLOUR_POSES:
        yield controls, engine.render(rig, [motion_from_controls(controls)])


def test_a_grayscale_photograph_renders_grayscale_open_mouth_and_closed_eyes_included(
    hopper: np.ndarray, engine: GeometricEngine
) -> None:
    still = grayscale(hopper)
    for controls, out in renders(engine, still):
        assert np.count_nonzero(out != still) > 500, controls  # the pose changed the face
        assert channel_spread(out) <= 3, controls


def test_a_sepia_print_stays_sepia(hopper: np.ndarray, engine: GeometricEngine) -> None:
    still = sepia(hopper)
    for controls, out in renders(engine, still):
        changed = np.any(out != still, axis=2)
        assert changed.sum() > 500, controls
        px = out[changed].astype(np.float64)
        # Every changed pixel is the print's brown at some brightness (within rounding).
        off = np.abs(px - px[:, 2:3] * SEPIA)
        assert off.max() <= 4.0, controls


def test_tone_pulls_an_invented_colour_into_the_faces_own_colours() -> None:
    rng = np.random.default_rng(3)
    grey = np.repeat(rng.uniform(20, 230, (500, 1)), 3, axis=1)
    ivory = np.array([150.0, 198.0, 228.0])
    clamped = tone_of(grey).clamp(ivory)
    assert np.ptp(clamped) < 1.0  # within a level of grey
    assert clamped.sum() == pytest.approx(ivory.sum())  # brightness kept
    # A face with warm and pink skin keeps a colour inside its range as it is.
    skin = rng.normal([120.0, 150.0, 200.0], 12.0, (500, 3))
    inside = np.array([118.0, 150.0, 205.0])
    assert tone_of(skin).clamp(inside) == pytest.approx(inside, abs=1e-6)
    # ... and pulls a saturated green towards it.
    green = np.array([40.0, 220.0, 40.0])
    out = tone_of(skin).clamp(green)
    assert out[2] > out[0] and out[1] < 200.0
