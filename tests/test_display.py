"""Display: fitting, gestures, key combos, kiosk-mode input and what present() draws."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np  # noqa: E402
import pygame  # noqa: E402
import pytest  # noqa: E402

from kiosk.display import (  # noqa: E402
    Action,
    Display,
    GestureRecognizer,
    Hotspot,
    KeyCombo,
    OverlayState,
    fit_rect,
    parse_key_combo,
    physical_to_logical,
)

CTRL_SHIFT = pygame.KMOD_LCTRL | pygame.KMOD_LSHIFT


# -- fit_rect --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("image", "screen", "expected"),
    [
        ((600, 900), (1920, 1080), (600, 0, 720, 1080)),  # portrait painting, landscape screen
        ((1600, 900), (1920, 1080), (0, 0, 1920, 1080)),  # same aspect
        ((2000, 500), (1920, 1080), (0, 300, 1920, 480)),  # wide painting: bars top/bottom
        ((800, 600), (1080, 1920), (0, 555, 1080, 810)),  # portrait screen
        ((10, 10), (100, 50), (25, 0, 50, 50)),  # upscaling
    ],
)
def test_fit_rect(image, screen, expected):
    assert fit_rect(image, screen) == expected


def test_fit_rect_rejects_empty_sizes():
    with pytest.raises(ValueError):
        fit_rect((0, 10), (100, 100))


# -- gestures --------------------------------------------------------------------------------

def _gesture(rec: GestureRecognizer, start, end, duration=0.2):
    rec.down(*start, 10.0)
    return rec.up(*end, 10.0 + duration)


def test_swipes_taps_and_ignored_drags():
    rec = GestureRecognizer()
    assert _gesture(rec, (0.7, 0.5), (0.3, 0.52)) is Action.NEXT  # swipe left
    assert _gesture(rec, (0.3, 0.5), (0.7, 0.45)) is Action.PREVIOUS  # swipe right
    assert _gesture(rec, (0.5, 0.5), (0.505, 0.5), 0.1) is Action.TOGGLE_LABEL  # tap
    assert _gesture(rec, (0.5, 0.2), (0.52, 0.8)) is None  # vertical drag
    assert _gesture(rec, (0.5, 0.5), (0.55, 0.5)) is None  # too short for a swipe, not a tap
    assert _gesture(rec, (0.5, 0.5), (0.5, 0.5), 1.0) is None  # long press
    assert rec.up(0.5, 0.5, 20.0) is None  # up without down


def test_taps_on_hotspots_and_cancel():
    rec = GestureRecognizer(hotspots=[Hotspot(0.0, 0.3, 0.05, 0.4, Action.PREVIOUS),
                                      Hotspot(0.95, 0.3, 0.05, 0.4, Action.NEXT)])
    assert _gesture(rec, (0.02, 0.5), (0.02, 0.5), 0.05) is Action.PREVIOUS
    assert _gesture(rec, (0.98, 0.5), (0.98, 0.5), 0.05) is Action.NEXT
    assert _gesture(rec, (0.02, 0.9), (0.02, 0.9), 0.05) is Action.TOGGLE_LABEL
    rec.down(0.8, 0.5, 0.0)
    rec.cancel()
    assert rec.up(0.2, 0.5, 0.1) is None


# -- key combos ------------------------------------------------------------------------------

def test_parse_key_combo():
    mask, key = parse_key_combo("ctrl+shift+q")
    assert key == pygame.K_q and mask & pygame.KMOD_CTRL and mask & pygame.KMOD_SHIFT
    assert parse_key_combo("F5") == (0, pygame.K_F5)
    combo = KeyCombo.parse("Ctrl + Shift + Q")
    assert combo.matches(pygame.K_q, pygame.KMOD_RCTRL | pygame.KMOD_LSHIFT)
    assert not combo.matches(pygame.K_q, pygame.KMOD_LCTRL)
    assert not combo.matches(pygame.K_w, CTRL_SHIFT)


@pytest.mark.parametrize("bad", ["", "ctrl+", "+q", "hyper+q", "ctrl+shift", "ctrl+nosuchkey"])
def test_parse_key_combo_errors(bad):
    with pytest.raises(ValueError, match="bad key combination"):
        parse_key_combo(bad)


# -- the window ------------------------------------------------------------------------------

@pytest.fixture
def display():
    with Display((640, 360), fullscreen=False) as d:
        pygame.event.clear()
        yield d


def _key(key: int, mod: int = 0) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode="",
                                         scancode=0))


def test_kiosk_mode_ignores_close_and_escape_but_honours_exit_combo(display):
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    _key(pygame.K_ESCAPE)
    assert Action.QUIT not in display.poll_actions()
    _key(pygame.K_q, CTRL_SHIFT)
    assert display.poll_actions() == [Action.ACTIVITY, Action.QUIT]


def test_windowed_mode_quits_on_close_and_escape():
    with Display((320, 240), fullscreen=False, kiosk_mode=False) as d:
        pygame.event.clear()
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        assert d.poll_actions() == [Action.QUIT]
        _key(pygame.K_ESCAPE)
        assert d.poll_actions() == [Action.ACTIVITY, Action.QUIT]


def test_key_mapping(display):
    _key(pygame.K_RIGHT)
    _key(pygame.K_LEFT)
    _key(pygame.K_SPACE)
    _key(pygame.K_c, CTRL_SHIFT)
    _key(pygame.K_r, pygame.KMOD_LCTRL)
    _key(pygame.K_a)
    assert display.poll_actions() == [
        Action.ACTIVITY, Action.NEXT, Action.PREVIOUS, Action.TOGGLE_LABEL,
        Action.TOGGLE_CURATOR, Action.RELOAD,
    ]
    assert display.poll_actions() == []


def test_touch_and_mouse_gestures(display):
    def finger(kind, x, y, fid=1):
        pygame.event.post(pygame.event.Event(kind, x=x, y=y, dx=0.0, dy=0.0, finger_id=fid,
                                             touch_id=1, pressure=1.0))

    finger(pygame.FINGERDOWN, 0.8, 0.5)
    finger(pygame.FINGERUP, 0.3, 0.5)
    assert display.poll_actions() == [Action.ACTIVITY, Action.NEXT]
    finger(pygame.FINGERDOWN, 0.5, 0.5)
    finger(pygame.FINGERUP, 0.5, 0.5)
    assert display.poll_actions() == [Action.ACTIVITY, Action.TOGGLE_LABEL]
    finger(pygame.FINGERDOWN, 0.99, 0.5)  # the right chevron
    finger(pygame.FINGERUP, 0.99, 0.5)
    assert display.poll_actions() == [Action.ACTIVITY, Action.NEXT]
    w, h = display.size
    for kind, x in ((pygame.MOUSEBUTTONDOWN, 0.2), (pygame.MOUSEBUTTONUP, 0.8)):
        pygame.event.post(pygame.event.Event(kind, pos=(int(x * w), h // 2), button=1,
                                             touch=False))
    assert display.poll_actions() == [Action.ACTIVITY, Action.PREVIOUS]


def _painting(display: Display, wh=(300, 450)) -> tuple[np.ndarray, tuple[int, ...]]:
    rect = display.fit(wh)
    painting = np.zeros((rect[3], rect[2], 3), np.uint8)
    painting[:] = (255, 0, 0)  # pure blue in BGR
    return painting, rect


def test_present_draws_painting_at_fitted_rect_and_the_notice():
    with Display((1280, 720), fullscreen=False) as d:
        painting, (x, y, w, h) = _painting(d)
        d.present(painting, OverlayState(camera_on=True))
        screen = pygame.display.get_surface()
        assert tuple(screen.get_at((x + w // 2, y + h // 3)))[:3] == (0, 0, 255)  # RGB blue
        assert tuple(screen.get_at((x - 150, y + 10)))[:3] == (0, 0, 0)  # letterbox
        notice = d.overlay.rects["notice"]
        assert notice.bottom <= 720 and notice.width > 300
        pixels = pygame.surfarray.array3d(screen.subsurface(notice))
        assert (pixels.max(axis=2) > 150).sum() > 200  # light text is drawn there

        d.present(painting, OverlayState(camera_on=False))
        assert "notice" not in d.overlay.rects


def test_label_panel_and_curator_panel_are_drawn():
    state = OverlayState(title="Mona Lisa", artist="Leonardo", year="1503",
                         label="A long label " * 20, credit="Louvre", show_label=True,
                         camera_on=True, curator_visible=True,
                         curator_lines=["camera: running"], status_hint="Swipe")
    with Display((1920, 1080), fullscreen=False) as d:
        painting, _ = _painting(d)
        d.present(painting, state)
        rects = d.overlay.rects
        assert {"label", "notice", "curator", "hint"} <= rects.keys()
        assert rects["label"].bottom <= rects["notice"].top
        assert not rects["hint"].colliderect(rects["label"])
        assert rects["label"].top > 1080 // 2  # clear of the chevrons
        d.present(painting, OverlayState(**{**vars(state), "show_label": False}))
        assert "label" not in d.overlay.rects


def test_present_rejects_wrong_arrays(display):
    with pytest.raises(ValueError, match="uint8 BGR"):
        display.present(np.zeros((10, 10), np.uint8), OverlayState())
    with pytest.raises(ValueError):
        display.present(np.zeros((10, 10, 3), np.float32), OverlayState())


def test_rotation_swaps_logical_size_and_presents():
    with Display((640, 360), fullscreen=False, rotation=90) as d:
        assert d.logical_size == (360, 640)
        painting, rect = _painting(d, (360, 640))
        assert rect == (0, 0, 360, 640)
        painting[:10, :10] = (0, 0, 255)  # red marker at the logical top-left
        d.present(painting, OverlayState(camera_on=True))
        screen = pygame.display.get_surface()
        # Rotated counter-clockwise: the logical top-left lands at the physical bottom-left.
        assert tuple(screen.get_at((2, 360 - 3)))[:3] == (255, 0, 0)
        u, v = physical_to_logical(2 / 640, 357 / 360, 90)
        assert u < 0.03 and v < 0.03


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_physical_to_logical_inverts_the_presented_rotation(rotation):
    logical = pygame.Surface((40, 20))
    logical.fill((0, 0, 0))
    logical.set_at((5, 3), (255, 255, 255))
    physical = pygame.transform.rotate(logical, rotation)
    pw, ph = physical.get_size()
    hits = [(px, py) for px in range(pw) for py in range(ph) if physical.get_at((px, py))[0]]
    assert len(hits) == 1
    px, py = hits[0]
    u, v = physical_to_logical((px + 0.5) / pw, (py + 0.5) / ph, rotation)
    assert (int(u * 40), int(v * 20)) == (5, 3)


def test_bad_rotation_and_bad_keys_fail_before_opening():
    with pytest.raises(ValueError, match="rotation"):
        Display((320, 240), fullscreen=False, rotation=45)
    with pytest.raises(ValueError, match="bad key combination"):
        Display((320, 240), fullscreen=False, exit_keys="ctrl+")


def test_screenshot(tmp_path, display):
    painting, _ = _painting(display)
    display.present(painting, OverlayState(camera_on=True, show_label=True, title="T"))
    display.screenshot(tmp_path / "shot.png")
    assert pygame.image.load(str(tmp_path / "shot.png")).get_size() == (640, 360)


# -- curator access on a touch screen --------------------------------------------------------

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
    with Display((1280, 720), fullscreen=False, clock=clock, curator_pin=PIN) as d:
        pygame.event.clear()
        yield d


def _touch(kind, u: float, v: float, fid: int = 1) -> None:
    pygame.event.post(pygame.event.Event(kind, x=u, y=v, dx=0.0, dy=0.0, finger_id=fid,
                                         touch_id=1, pressure=1.0))


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
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=(x + 60, y), rel=(60, 0),
                                         buttons=(1, 0, 0), touch=False))
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
        _key(key)
    assert kiosk.poll_actions() == [Action.ACTIVITY]
    assert kiosk.access_view().digits == 3
    _key(pygame.K_ESCAPE)
    assert kiosk.poll_actions() == [Action.ACTIVITY]
    assert not kiosk.pin_pad_open
    _open_pad(kiosk, clock)
    for key in (pygame.K_4, pygame.K_8, pygame.K_2, pygame.K_1, pygame.K_RETURN):
        _key(key)
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
    with Display((640, 360), fullscreen=False, kiosk_mode=False, clock=clock) as d:
        pygame.event.clear()
        _touch(pygame.FINGERDOWN, *_corner(d))
        d.poll_actions()
        clock.t += 3.0
        assert d.poll_actions() == [Action.TOGGLE_CURATOR]
        assert not d.pin_pad_open


def test_without_pin_a_kiosk_gives_no_touch_access(clock):
    with Display((640, 360), fullscreen=False, kiosk_mode=True, clock=clock) as d:
        pygame.event.clear()
        _touch(pygame.FINGERDOWN, *_corner(d))
        d.poll_actions()
        clock.t += 3.0
        assert Action.TOGGLE_CURATOR not in d.poll_actions()
        assert not d.pin_pad_open


def test_bad_pin_fails_before_opening():
    with pytest.raises(ValueError, match="4 to 8 digits"):
        Display((320, 240), fullscreen=False, curator_pin="12")


def _show_panel(d: Display) -> None:
    painting, _ = _painting(d)
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
    painting, _ = _painting(kiosk)
    kiosk.present(painting, OverlayState())
    quit_rect = next(r for r, a in kiosk.overlay.panel_buttons() if a is Action.QUIT)
    assert Action.QUIT not in _tap_rect(kiosk, quit_rect)
    assert Action.QUIT not in _tap_rect(kiosk, quit_rect)


def test_kiosk_mode_ignores_escape_and_close_with_pad_or_panel_open(kiosk, clock):
    _open_pad(kiosk, clock)
    for _ in range(2):
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        pygame.event.post(pygame.event.Event(pygame.WINDOWCLOSE))
        _key(pygame.K_ESCAPE)
        assert Action.QUIT not in kiosk.poll_actions()
        _show_panel(kiosk)
    _key(pygame.K_q, CTRL_SHIFT)
    assert kiosk.poll_actions() == [Action.ACTIVITY, Action.QUIT]


@pytest.mark.parametrize("size", [(640, 360), (1280, 720), (1920, 1080), (1080, 1920)])
def test_access_targets_are_big_and_on_screen(size):
    with Display(size, fullscreen=False, curator_pin=PIN) as d:
        screen = pygame.Rect((0, 0), d.logical_size)
        keys = list(d.overlay.pin_pad_keys().values())
        assert len(keys) == 12
        assert all(r.w >= 72 and r.h >= 72 and screen.contains(r) for r in keys)
        assert not any(a.colliderect(b) for i, a in enumerate(keys) for b in keys[i + 1:])
        buttons = [r for r, _ in d.overlay.panel_buttons()]
        assert all(r.w >= 64 and r.h >= 64 and screen.contains(r) for r in buttons)
        assert not any(a.colliderect(b) for i, a in enumerate(buttons) for b in buttons[i + 1:])
        zone = d.overlay.access_zone()
        assert zone.w >= 48 and not any(zone.colliderect(r) for r, _ in d.overlay.hotspots())


def test_pad_panel_and_hold_ring_are_drawn(kiosk, clock):
    painting, _ = _painting(kiosk)
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
