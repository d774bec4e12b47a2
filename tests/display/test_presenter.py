"""Presenting only what changed: nothing pushed when nothing moved, the face region alone when
only it moved (also rotated), the whole frame when the overlays changed; and the screen then
shows exactly what a whole redraw would."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np  # noqa: E402
import pygame  # noqa: E402
import pytest  # noqa: E402

from kiosk.display import OverlayState  # noqa: E402
from kiosk.display.presenter import EVERYTHING, NOTHING, Damage, rotated_rect  # noqa: E402
from kiosk.display.widgets.privacy_notice import (  # noqa: E402
    CAMERA_OFF_NOTICE,
    CAMERA_STARTING_NOTICE,
    PRIVACY_NOTICE,
    notice_text,
)
from tests.display.support import open_display  # noqa: E402

STATE = OverlayState(title="T", label="Label text " * 10, show_label=True, camera_on=True)


def _painting(h: int, w: int) -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.integers(0, 255, (h, w, 3), dtype=np.uint8)


def _screen() -> np.ndarray:
    return pygame.surfarray.array3d(pygame.display.get_surface()).copy()


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_a_moved_face_is_pushed_alone_and_the_screen_matches_a_whole_redraw(rotation):
    with open_display((640, 360), rotation=rotation) as d:
        lw, lh = d.logical_size
        painting = _painting(lh - 40, lw - 60)
        d.present(painting, STATE)
        box = (20, 30, 50, 40)
        painting[30:70, 20:70] = (0, 0, 255)  # the "face" moved: red in BGR
        before = d.counters
        d.present(painting, STATE, Damage(False, (box,)))
        presented, whole, new = d.counters
        assert (presented, whole, new) == (before[0] + 1, before[1], before[2] + 1)
        partial = _screen()
        d.present(painting, STATE, EVERYTHING)
        np.testing.assert_array_equal(partial, _screen())  # pixel for pixel the same


def test_nothing_changed_pushes_nothing_and_an_overlay_change_redraws_all():
    with open_display((640, 360)) as d:
        painting = _painting(300, 400)
        d.present(painting, STATE)
        start = d.counters
        screen = pygame.display.get_surface()
        screen.fill((1, 2, 3))  # were anything pushed, this would be painted over
        d.present(painting, STATE, NOTHING)
        assert d.counters == start
        assert tuple(screen.get_at((320, 180)))[:3] == (1, 2, 3)
        d.present(painting, OverlayState(**{**vars(STATE), "show_label": False}), NOTHING)
        assert d.counters == (start[0] + 1, start[1] + 1, start[2])  # whole frame, same painting


def test_a_window_expose_redraws_the_whole_frame():
    with open_display((640, 360)) as d:
        painting = _painting(300, 400)
        d.present(painting, STATE)
        pygame.event.post(pygame.event.Event(pygame.WINDOWEXPOSED))
        d.poll_actions()
        whole = d.counters[1]
        d.present(painting, STATE, NOTHING)
        assert d.counters[1] == whole + 1


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_rect_is_where_rotate_puts_the_pixels(rotation):
    logical = pygame.Surface((40, 30))
    logical.fill((0, 0, 0))
    rect = pygame.Rect(5, 7, 6, 4)
    logical.fill((255, 255, 255), rect)
    physical = pygame.transform.rotate(logical, rotation)
    lit = np.argwhere(pygame.surfarray.array3d(physical)[:, :, 0] > 0)
    (x0, y0), (x1, y1) = lit.min(axis=0), lit.max(axis=0)
    assert rotated_rect(rect, (40, 30), rotation) == pygame.Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1)


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("running", PRIVACY_NOTICE),
        ("opening", CAMERA_STARTING_NOTICE),
        ("stale", CAMERA_OFF_NOTICE),
        ("failed", CAMERA_OFF_NOTICE),
        ("closed", CAMERA_OFF_NOTICE),
        ("off", CAMERA_OFF_NOTICE),
    ],
)
def test_the_notice_says_live_only_while_the_camera_runs(state, words):
    assert notice_text(state) == words
    assert ("live" in words) == (state == "running")
    assert "computer" in words


def test_the_notice_drawn_is_the_one_for_the_camera_state():
    with open_display((1280, 720)) as d:
        painting = _painting(600, 800)
        for words in (PRIVACY_NOTICE, CAMERA_OFF_NOTICE):
            d.present(painting, OverlayState(camera_on=True, notice=words))
            drawn = d.overlay.rects["notice"]
            expected = d.overlay.font("sans", 22).size(words)[0]
            assert drawn.width > expected  # the pill holds these words on one line
            assert drawn.width < expected + 120
