"""Speech owns the mouth: only the mouth's landmarks, blended; pressed lips shut a painted
open mouth."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.config import EngineConfig
from kiosk.exhibits.samples import ensure_sample_content
from kiosk.motion.controls import motion_from_controls
from kiosk.motion.motion import Motion
from kiosk.renderer.engine import make_engine
from kiosk.renderer.retarget import expressed_landmarks
from kiosk.speech.mouth import blend_weight, mouth_landmarks, own_mouth
from kiosk.tracking import landmarks as lm


def test_speech_takes_only_the_mouth():
    base = motion_from_controls({"yaw": 10, "blink": 0.7, "smile": 0.4, "jaw_open": 0.1})
    spoken = own_mouth(base, {"jaw_open": 0.8}, weight=1.0)
    mask = mouth_landmarks()
    assert spoken.yaw == base.yaw  # the head stays with the idle loop or the visitor
    eyes = lm.as_index(lm.RIGHT_EYE_UPPER + lm.LEFT_EYE_UPPER)
    assert not mask[eyes].any()
    assert np.array_equal(spoken.offsets[eyes], base.offsets[eyes])
    assert np.allclose(
        spoken.offsets[mask], motion_from_controls({"jaw_open": 0.8}).offsets[mask], atol=1e-6
    )
    half = own_mouth(base, {"jaw_open": 0.8}, weight=0.5)
    assert np.allclose(half.offsets, (base.offsets + spoken.offsets) / 2, atol=1e-6)
    assert own_mouth(base, {"jaw_open": 0.8}, weight=0.0) is base


def test_blend_weight_ramps_in_and_out():
    assert blend_weight(0.0, 1.0, 3.0, 0.2) == 0.0
    assert blend_weight(1.1, 1.0, 3.0, 0.2) == pytest.approx(0.5)
    assert blend_weight(2.0, 1.0, None, 0.2) == 1.0
    assert blend_weight(3.1, 1.0, 3.0, 0.2) == pytest.approx(0.5)
    assert blend_weight(3.5, 1.0, 3.0, 0.2) == 0.0


def test_pressed_lips_shut_a_painted_open_mouth(tmp_path):
    """The astronaut sample smiles with her lips apart; pressing them (p, b, m) closes the
    gap between the inner lip lines, and a neutral motion leaves it as painted."""
    ensure_sample_content(tmp_path)
    image = cv2.imread(str(tmp_path / "samples" / "astronaut.png"))
    engine = make_engine(EngineConfig())
    try:
        face = engine.build_rig(image, "largest", 0, None, None).faces[0]
    finally:
        engine.close()

    def opening(motion: Motion) -> float:
        p = expressed_landmarks(face, motion)[:, :2]
        gap = np.linalg.norm(p[lm.LIPS_INNER_UPPER[5]] - p[lm.LIPS_INNER_LOWER[4]])
        return gap / np.linalg.norm(p[lm.MOUTH_RIGHT] - p[lm.MOUTH_LEFT])

    painted = opening(Motion())
    assert painted > 0.1
    assert opening(own_mouth(Motion(), {"lips_press": 1.0}, 1.0)) < 0.02
