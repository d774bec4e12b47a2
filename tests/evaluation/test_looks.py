"""The looks measures on images whose answers are known."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.evaluation import looks


def test_grayscale_copy_has_no_colour_and_sepia_has_one_hue() -> None:
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)
    assert looks.channel_spread(image) > 100
    assert looks.channel_spread(looks.grayscale(image)) == 0
    toned = looks.sepia(image).astype(np.int16)
    bright = toned[..., 2] > 40
    # Blue below green below red wherever there is light: a warm brown, never another hue.
    assert np.all(toned[..., 0][bright] <= toned[..., 1][bright])
    assert np.all(toned[..., 1][bright] <= toned[..., 2][bright])


def test_high_frequency_energy_falls_when_the_texture_is_blurred() -> None:
    rng = np.random.default_rng(2)
    grain = rng.integers(60, 200, (80, 80), dtype=np.uint8)
    image = cv2.cvtColor(grain, cv2.COLOR_GRAY2BGR)
    mask = np.ones((80, 80), bool)
    sharp = looks.high_frequency_energy(image, mask)
    soft = looks.high_frequency_energy(cv2.GaussianBlur(image, (0, 0), 1.0), mask)
    assert sharp > 100
    assert soft / sharp == pytest.approx(0.1, abs=0.1)
    flat = np.full_like(image, 90)
    assert looks.high_frequency_energy(flat, mask) == pytest.approx(0.0, abs=1e-6)
