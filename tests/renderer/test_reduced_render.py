"""Close-up faces too big to render at the shown size: rendered smaller, scaled up to it."""

from __future__ import annotations

from pathlib import Path

import cv2
import matplotlib
import numpy as np
import pytest

from kiosk.motion.controls import motion_from_controls
from kiosk.motion.motion import Motion
from kiosk.renderer.engine import GeometricEngine
from kiosk.renderer.rig_store import REDUCED_SHARE, RigRequest, RigResult, RigStore, render_size

SAMPLE = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
SHOWN = (461, 540)  # (w, h): the sample fitted to a 540-pixel-high screen
LIMIT = 60_000  # its face covers about 130,000 pixels at that size


@pytest.mark.parametrize("limit", [None, 0, 1_000_000])
def test_faces_within_the_limit_render_at_the_shown_size(limit: int | None) -> None:
    assert render_size((1920, 1080), 900_000, limit) is None


def test_a_bigger_face_renders_at_a_size_that_brings_it_well_under_the_limit() -> None:
    size = render_size((1093, 1080), 1_050_000, 600_000)
    assert size is not None
    w, h = size
    assert w / h == pytest.approx(1093 / 1080, abs=2e-3)
    scale = 1080 / h
    assert 1_050_000 / scale**2 == pytest.approx(600_000 * REDUCED_SHARE, rel=0.01)


def _build(limit: int | None) -> RigResult:
    image = cv2.imread(str(SAMPLE))
    assert image is not None, SAMPLE
    store = RigStore(max_face_pixels=limit)
    try:
        request = RigRequest("grace", SHOWN)
        store.get(request, image)
        store.wait(timeout=60)
        result = store.get(request, image)
    finally:
        store.close()
    assert result is not None and result.rig is not None, result and result.error
    return result


@pytest.fixture(scope="module")
def reduced() -> RigResult:
    return _build(LIMIT)


def test_the_close_up_is_rigged_smaller_and_shown_at_full_size(reduced: RigResult) -> None:
    rig = reduced.rig
    assert rig is not None
    assert rig.shown_size == SHOWN
    assert reduced.image.shape == (SHOWN[1], SHOWN[0], 3)
    assert rig.image.shape[0] < SHOWN[1] * 0.8
    assert rig.face_pixels <= LIMIT


def test_without_a_limit_the_face_renders_at_the_shown_size() -> None:
    result = _build(None)
    assert result.rig is not None and result.rig.shown_size is None
    assert result.rig.image.shape == result.image.shape == (SHOWN[1], SHOWN[0], 3)
    assert result.rig.face_pixels > LIMIT


def test_a_face_lost_at_the_smaller_size_renders_at_full_size() -> None:
    # So small a limit would shrink the painting to a few dozen pixels: no face is found there.
    result = _build(100)
    assert result.rig is not None and result.rig.shown_size is None
    assert result.rig.image.shape == (SHOWN[1], SHOWN[0], 3)


def test_nobody_moving_shows_the_still_painting(
    reduced: RigResult, engine: GeometricEngine
) -> None:
    assert reduced.rig is not None
    frame = engine.render(reduced.rig, [Motion()])
    assert frame.shape == reduced.image.shape
    diff = np.abs(frame.astype(np.int16) - reduced.image.astype(np.int16))
    assert diff.max() <= 2


def _shown_face_area(result: RigResult) -> np.ndarray:
    """Where a frame may differ from the still: the faces' regions scaled up, widened by the
    reach of the cubic upscale (two rendered pixels each way, and one for rounding)."""
    rig = result.rig
    assert rig is not None and rig.shown_size is not None
    mask = np.zeros(rig.image.shape[:2], np.uint8)
    for face in rig.faces:
        mask |= face.region_mask(rig.image.shape)
    mask = cv2.dilate(mask, np.ones((7, 7), np.uint8))
    return cv2.resize(mask, rig.shown_size, interpolation=cv2.INTER_NEAREST) > 0


def test_a_moving_face_changes_only_the_face(reduced: RigResult, engine: GeometricEngine) -> None:
    assert reduced.rig is not None
    frame = engine.render(reduced.rig, [motion_from_controls({"jaw_open": 1.0, "yaw": 10})])
    face = _shown_face_area(reduced)
    changed = np.abs(frame.astype(np.int16) - reduced.image.astype(np.int16)).max(axis=2) > 0
    assert changed[face].mean() > 0.05
    assert not changed[~face].any()


def test_rendering_over_the_last_frame_equals_a_fresh_render(
    reduced: RigResult, engine: GeometricEngine
) -> None:
    rig = reduced.rig
    assert rig is not None
    first = motion_from_controls({"jaw_open": 1.0, "blink": 1.0, "yaw": -12})
    second = motion_from_controls({"smile": 0.8, "gaze_x": 0.6, "pitch": 8})
    frame = reduced.image.copy()
    engine.render(rig, [first], out=frame)
    again = engine.render(rig, [second], out=frame)
    assert again is frame
    fresh = GeometricEngine()
    try:
        assert np.array_equal(frame, fresh.render(rig, [second]))
    finally:
        fresh.close()
