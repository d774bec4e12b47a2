"""The people in view and engagement: a passer-by is seen but not followed, a still visitor
close by is followed, two people are both seen, small faces far away are seen; and nothing
but landmarks, boxes and numbers leaves the tracker."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from kiosk.camera.frame import Frame
from kiosk.config import KioskConfig
from kiosk.motion.eye_contact import VisitorGaze
from kiosk.motion.live import LiveMotion, LiveResult
from kiosk.motion.motion import Motion
from kiosk.tracking.people import Engagement, PeopleFinder, PersonInView, focal_px
from tests.conftest import shared_data
from tests.system.walk_by import FPS, head_cutout, paste, wall

CONFIG = KioskConfig()


@pytest.fixture(scope="module")
def portrait() -> np.ndarray:
    return cv2.imread(str(shared_data("portraits/woman_photo_white_top.png")))


def _results(frames: list[np.ndarray]) -> list[LiveResult]:
    live = LiveMotion.from_config(CONFIG)
    try:
        return [live.process(Frame(f, i / FPS, i)) for i, f in enumerate(frames)]
    finally:
        live.close()


def _scene(portrait: np.ndarray, face_px: int, centres: list[tuple[float, float]]) -> np.ndarray:
    frame = wall(np.random.default_rng(3))
    head, alpha = head_cutout(portrait, face_px)
    for cx, cy in centres:
        paste(frame, head, alpha, cx, cy)
    return frame


# -- engagement, on its own ---------------------------------------------------------------


def _person(x: float, distance: float = 0.7, yaw: float = 0.0) -> PersonInView:
    return PersonInView((x, 0.3, x + 0.15, 0.6), distance, yaw, followed=True)


def test_engagement_needs_close_facing_and_still() -> None:
    def engaged_after(step: float, distance: float = 0.7, yaw: float = 0.0) -> bool:
        e = Engagement(distance_m=1.0, max_yaw_deg=25.0, max_speed=0.6)
        return [e.update(_person(0.2 + step * i, distance, yaw), i / 30, 4 / 3)
                for i in range(30)][-1]  # fmt: skip

    assert engaged_after(0.0)
    assert engaged_after(0.001)  # swaying on the spot
    assert not engaged_after(0.012)  # walking: about 1.1 face heights a second
    assert not engaged_after(0.0, distance=1.4)  # further away
    assert not engaged_after(0.0, yaw=40.0)  # side-on


def test_a_face_is_watched_unbroken_before_it_engages() -> None:
    e = Engagement(distance_m=1.0, max_yaw_deg=25.0, max_speed=0.6)
    steps = [e.update(_person(0.3), i / 30, 4 / 3) for i in range(16)]
    first = steps.index(True)
    assert first / 30 == pytest.approx(Engagement.HOLD_S + 1 / 30, abs=1 / 30)
    # A stalling video file: each frame a quarter of a second late, the walker moved on by
    # one frame of the video. Across such gaps a walker would look still: never engaged.
    e = Engagement(distance_m=1.0, max_yaw_deg=25.0, max_speed=0.6)
    assert not any(e.update(_person(0.1 + 0.012 * i), 0.25 * i, 4 / 3) for i in range(20))


def test_an_engaged_visitor_stays_engaged_stepping_back_or_looking_aside() -> None:
    e = Engagement(distance_m=1.0, max_yaw_deg=25.0, max_speed=0.6)
    for i in range(20):
        e.update(_person(0.3), i / 30, 4 / 3)
    assert e.engaged
    assert e.update(_person(0.3, distance=1.2, yaw=35.0), 0.7, 4 / 3)
    assert not e.update(_person(0.3, distance=1.5), 0.8, 4 / 3)  # gone back too far
    assert not e.update(None, 0.9, 4 / 3)


def test_focal_length_of_a_60_degree_camera() -> None:
    assert focal_px(640, 60.0) == pytest.approx(320 / np.tan(np.radians(30)))


# -- the tracker on camera-like frames ----------------------------------------------------


def test_a_passer_by_is_seen_but_not_followed(portrait: np.ndarray) -> None:
    frames = [_scene(portrait, 130, [(120 + 12 * i, 200)]) for i in range(30)]
    results = _results(frames)
    assert all(len(r.people) == 1 for r in results)
    person = results[-1].people[0]
    assert person.followed and person.distance_m == pytest.approx(0.85, abs=0.1)
    assert all(r.motion is None and r.gaze is None for r in results)


def test_a_still_visitor_close_by_is_followed(portrait: np.ndarray) -> None:
    frames = [_scene(portrait, 170, [(320 + (i % 2), 220)]) for i in range(30)]
    results = _results(frames)
    assert results[0].motion is None  # watched a moment first
    assert all(r.motion is not None and r.gaze is not None for r in results[15:])


def test_two_people_are_both_seen(portrait: np.ndarray) -> None:
    frames = [_scene(portrait, 120, [(170, 220), (470, 220)]) for _ in range(8)]
    results = _results(frames)
    assert len(results[-1].people) == 2
    xs = sorted(p.centre[0] for p in results[-1].people)
    assert xs[0] < 0.4 < 0.6 < xs[1]
    assert sum(p.followed for p in results[-1].people) == 1  # the mesh follows one


def test_a_small_face_far_away_is_seen(portrait: np.ndarray) -> None:
    """32 px (forehead to chin, on a 640x480 camera) is the smallest face seen on every frame
    (24-28 px faces on some); the face mesh itself finds faces from about 80 px."""
    results = _results([_scene(portrait, 32, [(320, 200)]) for _ in range(12)])
    assert all(len(r.people) == 1 for r in results)
    assert not results[-1].people[0].followed
    assert results[-1].people[0].distance_m > 2.5
    empty = _results([wall(np.random.default_rng(3)) for _ in range(12)])
    assert all(r.people == () for r in empty)


def test_only_landmarks_boxes_and_numbers_leave_the_tracker(portrait: np.ndarray) -> None:
    """No image, and no array bigger than the face mesh's landmarks, in any result."""
    frames = [_scene(portrait, 170, [(320, 220), (560, 220)]) for _ in range(20)]
    allowed = (int, float, bool, type(None), str)

    def check(value: object) -> None:
        if isinstance(value, np.ndarray):
            assert value.size <= 478 * 3 and value.dtype != np.uint8
        elif isinstance(value, (tuple, list)):
            for v in value:
                check(v)
        elif isinstance(value, (PersonInView, VisitorGaze, Motion, LiveResult)):
            for f in dataclasses.fields(value):
                check(getattr(value, f.name))
        else:
            assert isinstance(value, allowed), type(value)

    results = _results(frames)
    assert any(r.motion is not None for r in results) and any(r.people for r in results)
    for r in results:
        check(r)


def test_the_finder_runs_less_often_while_a_visitor_is_followed() -> None:
    finder = PeopleFinder(60.0, every_frames=6, every_frames_engaged=30)
    blank = wall(np.random.default_rng(3))

    def runs(frames: int) -> int:
        count = 0
        for _ in range(frames):
            count += finder.due()
            finder.find(blank, None)
        return count

    try:
        assert runs(60) == 10
        finder.engaged = True
        assert runs(60) == 2
    finally:
        finder.close()
