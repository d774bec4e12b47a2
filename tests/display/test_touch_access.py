"""The curator's way in on a touch screen, through the window: the corner long press, the PIN
pad, the panel's buttons and confirm-to-quit, and that their targets are big and on screen."""

from __future__ import annotations

import pygame
import pytest

from kiosk.display import Action, Display, OverlayState
from tests.display.support import CTRL_SHIFT, blue_painting, open_display, post_key

PIN = "4821"


class FakeClock:
    def __init__(self, t: float = 100.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def kiosk(clock):
    with open_display((1280, 720), clock=clock, curator_pin=PIN) as d:
        pygame.event.clear()
        yield d


def _touch(kind, u: float, v: float, fid: int = 1) -> None:
    pygame.event.post(
        pygame.event.Event(kind, x=u, y=v, dx=0.0, dy=0.0, finger_id=fid, touch_id=1, pressure=1.0)
    )


def _norm(d: Display, point) -> tuple[float, float]:
    lw, lh = d.logical_size
    return point[0] / lw, point[1] / lh


def _tap_rect(d: Display, rect: pygame.Rect) -> list[Action]:
    u, v = _norm(d, rect.center)
    _touch(pygame.FINGERDOWN, u, v)
    _touch(pygame.FINGERUP, u, v)
    return d.poll_actions()


def _corner(d: Display) -> tuple[float, float]:
    return _norm(d, d.overlay.access_zone().center)


def _open_pad(d: Display, clock: FakeClock) -> None:
    _touch(pygame.FINGERDOWN, *_corner(d))
    d.poll_actions()
    clock.t += 3.0
    d.poll_actions()
    _touch(pygame.FINGERUP, *_corner(d))
    assert d.poll_actions() == [Action.ACTIVITY]  # the release is not a tap
    assert d.pin_pad_open


def _type_pin(d: Display, digits: str) -> list[Action]:
    keys = d.overlay.pin_pad_keys()
    actions: list[Action] = []
    for name in [*digits, "OK"]:
        actions += _tap_rect(d, keys[name])
    return [a for a in actions if a is not Action.ACTIVITY]


def test_long_press_in_corner_opens_pin_pad_after_hold_time(kiosk, clock):
    _touch(pygame.FINGERDOWN, *_corner(kiosk))
    assert kiosk.poll_actions() == [Action.ACTIVITY]
    clock.t += 2.9  # no events at all while the finger rests
    assert kiosk.poll_actions() == []
    assert not kiosk.pin_pad_open
    assert kiosk.access_view().hold_progress == pytest.approx(2.9 / 3)
    clock.t += 0.1
    assert kiosk.poll_actions() == []
    assert kiosk.pin_pad_open
    _touch(pygame.FINGERUP, *_corner(kiosk))
    assert kiosk.poll_actions() == [Action.ACTIVITY]  # no TOGGLE_LABEL from the release


def test_long_press_with_the_mouse(kiosk, clock):
    pos = kiosk.overlay.access_zone().center
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1, touch=False))
    kiosk.poll_actions()
    clock.t += 3.0
    kiosk.poll_actions()
    assert kiosk.pin_pad_open


def test_moving_cancels_the_long_press(kiosk, clock):
    u, v = _corner(kiosk)
    _touch(pygame.FINGERDOWN, u, v)
    kiosk.poll_actions()
    clock.t += 1.0
    _touch(pygame.FINGERMOTION, u + 0.04, v)
    kiosk.poll_actions()
    clock.t += 5.0
    kiosk.poll_actions()
    assert not kiosk.pin_pad_open
    x, y = kiosk.overlay.access_zone().center
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(x, y), button=1, touch=False))
    pygame.event.post(
        pygame.event.Event(
            pygame.MOUSEMOTION, pos=(x + 60, y), rel=(60, 0), buttons=(1, 0, 0), touch=False
        )
    )
    kiosk.poll_actions()
    clock.t += 5.0
    kiosk.poll_actions()
    assert not kiosk.pin_pad_open


def test_long_press_elsewhere_or_short_tap_in_corner_is_not_curator_access(kiosk, clock):
    _touch(pygame.FINGERDOWN, 0.5, 0.5)
    kiosk.poll_actions()
    clock.t += 5.0
    assert kiosk.poll_actions() == []
    _touch(pygame.FINGERUP, 0.5, 0.5)
    assert kiosk.poll_actions() == [Action.ACTIVITY]
    assert not kiosk.pin_pad_open
    u, v = _corner(kiosk)
    _touch(pygame.FINGERDOWN, u, v)
    _touch(pygame.FINGERUP, u, v)
    assert kiosk.poll_actions() == [Action.ACTIVITY, Action.TOGGLE_LABEL]  # a normal tap
    clock.t += 5.0
    assert kiosk.poll_actions() == [] and not kiosk.pin_pad_open


def test_right_pin_toggles_curator_and_pad_takes_every_tap(kiosk, clock):
    _open_pad(kiosk, clock)
    _touch(pygame.FINGERDOWN, 0.99, 0.5)  # the right chevron, outside the pad
    _touch(pygame.FINGERUP, 0.99, 0.5)
    _touch(pygame.FINGERDOWN, 0.9, 0.5)  # a swipe
    _touch(pygame.FINGERUP, 0.2, 0.5)
    assert kiosk.poll_actions() == [Action.ACTIVITY]
    assert _type_pin(kiosk, PIN) == [Action.TOGGLE_CURATOR]
    assert not kiosk.pin_pad_open


def test_keyboard_types_into_the_pad_and_escape_only_cancels(kiosk, clock):
    _open_pad(kiosk, clock)
    for key in (pygame.K_4, pygame.K_KP8, pygame.K_2):
        post_key(key)
    assert kiosk.poll_actions() == [Action.ACTIVITY]
    assert kiosk.access_view().digits == 3
    post_key(pygame.K_ESCAPE)
    assert kiosk.poll_actions() == [Action.ACTIVITY]
    assert not kiosk.pin_pad_open
    _open_pad(kiosk, clock)
    for key in (pygame.K_4, pygame.K_8, pygame.K_2, pygame.K_1, pygame.K_RETURN):
        post_key(key)
    assert kiosk.poll_actions() == [Action.ACTIVITY, Action.TOGGLE_CURATOR]


def test_five_wrong_pins_lock_the_pad_for_a_minute(kiosk, clock):
    _open_pad(kiosk, clock)
    assert _type_pin(kiosk, "1111") == []
    assert kiosk.access_view().message == "Wrong PIN"
    for _ in range(4):
        assert _type_pin(kiosk, "0000") == []
    assert kiosk.access_view().locked
    assert _type_pin(kiosk, PIN) == []  # the right PIN is refused while locked
    clock.t += 30.0  # the pad closes itself meanwhile; reopening does not unlock
    kiosk.poll_actions()
    _open_pad(kiosk, clock)
    assert _type_pin(kiosk, PIN) == [] and kiosk.access_view().locked
    clock.t += 30.0  # 63 s after the fifth wrong try
    kiosk.poll_actions()
    _open_pad(kiosk, clock)
    assert not kiosk.access_view().locked
    assert _type_pin(kiosk, PIN) == [Action.TOGGLE_CURATOR]


def test_pin_pad_closes_after_twenty_seconds_without_input(kiosk, clock):
    _open_pad(kiosk, clock)
    clock.t += 15.0
    _tap_rect(kiosk, kiosk.overlay.pin_pad_keys()["7"])  # input restarts the 20 s
    clock.t += 19.9
    kiosk.poll_actions()
    assert kiosk.pin_pad_open
    clock.t += 0.1
    assert kiosk.poll_actions() == []
    assert not kiosk.pin_pad_open


def test_without_pin_the_long_press_opens_the_panel_only_in_a_development_window(clock):
    with open_display((640, 360), kiosk_mode=False, clock=clock) as d:
        pygame.event.clear()
        _touch(pygame.FINGERDOWN, *_corner(d))
        d.poll_actions()
        clock.t += 3.0
        assert d.poll_actions() == [Action.TOGGLE_CURATOR]
        assert not d.pin_pad_open


def test_without_pin_a_kiosk_gives_no_touch_access(clock):
    with open_display((640, 360), kiosk_mode=True, clock=clock) as d:
        pygame.event.clear()
        _touch(pygame.FINGERDOWN, *_corner(d))
        d.poll_actions()
        clock.t += 3.0
        assert Action.TOGGLE_CURATOR not in d.poll_actions()
        assert not d.pin_pad_open


def test_bad_pin_fails_before_opening():
    with pytest.raises(ValueError, match="4 to 8 digits"):
        open_display((320, 240), curator_pin="12")


def _show_panel(d: Display) -> None:
    painting, _ = blue_painting(d)
    d.present(painting, OverlayState(curator_visible=True, curator_lines=["camera: running"]))


def test_panel_buttons_emit_their_actions(kiosk):
    _show_panel(kiosk)
    buttons = dict((action, rect) for rect, action in kiosk.overlay.panel_buttons())
    for action in (Action.RELOAD, Action.NEXT, Action.PREVIOUS, Action.TOGGLE_CURATOR):
        assert _tap_rect(kiosk, buttons[action]) == [Action.ACTIVITY, action]
    rect = buttons[Action.NEXT]  # pressed on a button, released elsewhere: nothing
    _touch(pygame.FINGERDOWN, *_norm(kiosk, rect.center))
    _touch(pygame.FINGERUP, *_norm(kiosk, (rect.centerx, rect.bottom + 40)))
    assert kiosk.poll_actions() == [Action.ACTIVITY]


def test_quit_button_needs_a_confirming_tap_within_three_seconds(kiosk, clock):
    _show_panel(kiosk)
    quit_rect = next(r for r, a in kiosk.overlay.panel_buttons() if a is Action.QUIT)
    assert _tap_rect(kiosk, quit_rect) == [Action.ACTIVITY]
    assert kiosk.access_view().quit_armed
    clock.t += 3.5
    assert not kiosk.access_view().quit_armed
    assert _tap_rect(kiosk, quit_rect) == [Action.ACTIVITY]  # too late: armed again
    clock.t += 2.0
    assert _tap_rect(kiosk, quit_rect) == [Action.ACTIVITY, Action.QUIT]


def test_panel_buttons_only_while_the_panel_is_shown(kiosk):
    painting, _ = blue_painting(kiosk)
    kiosk.present(painting, OverlayState())
    quit_rect = next(r for r, a in kiosk.overlay.panel_buttons() if a is Action.QUIT)
    assert Action.QUIT not in _tap_rect(kiosk, quit_rect)
    assert Action.QUIT not in _tap_rect(kiosk, quit_rect)


def test_kiosk_mode_ignores_escape_and_close_with_pad_or_panel_open(kiosk, clock):
    _open_pad(kiosk, clock)
    for _ in range(2):
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        pygame.event.post(pygame.event.Event(pygame.WINDOWCLOSE))
        post_key(pygame.K_ESCAPE)
        assert Action.QUIT not in kiosk.poll_actions()
        _show_panel(kiosk)
    post_key(pygame.K_q, CTRL_SHIFT)
    assert kiosk.poll_actions() == [Action.ACTIVITY, Action.QUIT]


@pytest.mark.parametrize("size", [(640, 360), (1280, 720), (1920, 1080), (1080, 1920)])
def test_access_targets_are_big_and_on_screen(size):
    with open_display(size, curator_pin=PIN) as d:
        screen = pygame.Rect((0, 0), d.logical_size)
        keys = list(d.overlay.pin_pad_keys().values())
        assert len(keys) == 12
        assert all(r.w >= 72 and r.h >= 72 and screen.contains(r) for r in keys)
        assert not any(a.colliderect(b) for i, a in enumerate(keys) for b in keys[i + 1 :])
        buttons = [r for r, _ in d.overlay.panel_buttons()]
        assert all(r.w >= 64 and r.h >= 64 and screen.contains(r) for r in buttons)
        assert not any(a.colliderect(b) for i, a in enumerate(buttons) for b in buttons[i + 1 :])
        zone = d.overlay.access_zone()
        assert zone.w >= 48 and not any(zone.colliderect(r) for r, _ in d.overlay.hotspots())


def test_pad_panel_and_hold_ring_are_drawn(kiosk, clock):
    painting, _ = blue_painting(kiosk)
    _touch(pygame.FINGERDOWN, *_corner(kiosk))
    kiosk.poll_actions()
    clock.t += 0.5
    kiosk.present(painting, OverlayState())
    assert "hold_ring" not in kiosk.overlay.rects  # a brief touch shows nothing
    clock.t += 1.5
    kiosk.present(painting, OverlayState())
    assert "hold_ring" in kiosk.overlay.rects
    clock.t += 1.0
    kiosk.poll_actions()
    kiosk.present(painting, OverlayState())
    assert "pin_pad" in kiosk.overlay.rects and "hold_ring" not in kiosk.overlay.rects
    _show_panel(kiosk)
    rects = kiosk.overlay.rects
    assert rects["curator"].top > rects["panel_buttons"].bottom


def test_long_press_s_sets_how_long_the_corner_is_held(clock):
    with open_display((1280, 720), clock=clock, curator_pin=PIN, long_press_s=1.5) as d:
        pygame.event.clear()
        _touch(pygame.FINGERDOWN, *_corner(d))
        d.poll_actions()
        clock.t += 1.4
        d.poll_actions()
        assert not d.pin_pad_open
        clock.t += 0.1
        d.poll_actions()
        assert d.pin_pad_open
