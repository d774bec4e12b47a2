"""Display: fitting, gestures, key combos, kiosk-mode input and what present() draws."""

from __future__ import annotations

import inspect
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
from kiosk.stats import StageTimes  # noqa: E402
from tests.display.support import CTRL_SHIFT, blue_painting, open_display, post_key  # noqa: E402

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
    with open_display((640, 360)) as d:
        pygame.event.clear()
        yield d


def test_kiosk_mode_ignores_close_and_escape_but_honours_exit_combo(display):
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    post_key(pygame.K_ESCAPE)
    assert Action.QUIT not in display.poll_actions()
    post_key(pygame.K_q, CTRL_SHIFT)
    assert display.poll_actions() == [Action.ACTIVITY, Action.QUIT]


def test_windowed_mode_quits_on_close_and_escape():
    with open_display((320, 240), kiosk_mode=False) as d:
        pygame.event.clear()
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        assert d.poll_actions() == [Action.QUIT]
        post_key(pygame.K_ESCAPE)
        assert d.poll_actions() == [Action.ACTIVITY, Action.QUIT]


def test_key_mapping(display):
    post_key(pygame.K_RIGHT)
    post_key(pygame.K_LEFT)
    post_key(pygame.K_SPACE)
    post_key(pygame.K_c, CTRL_SHIFT)
    post_key(pygame.K_r, pygame.KMOD_LCTRL)
    post_key(pygame.K_a)
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


def test_present_draws_painting_at_fitted_rect_and_the_notice():
    with open_display((1280, 720)) as d:
        painting, (x, y, w, h) = blue_painting(d)
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
    with open_display((1920, 1080)) as d:
        painting, _ = blue_painting(d)
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
    with open_display((640, 360), rotation=90) as d:
        assert d.logical_size == (360, 640)
        painting, rect = blue_painting(d, (360, 640))
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
        open_display((320, 240), rotation=45)
    with pytest.raises(ValueError, match="bad key combination"):
        open_display((320, 240), exit_keys="ctrl+")


def test_screenshot(tmp_path, display):
    painting, _ = blue_painting(display)
    display.present(painting, OverlayState(camera_on=True, show_label=True, title="T"))
    display.screenshot(tmp_path / "shot.png")
    assert pygame.image.load(str(tmp_path / "shot.png")).get_size() == (640, 360)


def test_the_window_takes_every_config_setting_from_its_caller():
    """config.yaml's `display` and `curator` sections own these defaults: Display repeats none."""
    params = inspect.signature(Display).parameters
    for name in ("size", "fullscreen", "rotation", "show_notice", "exit_keys", "overlay_keys",
                 "curator_pin", "kiosk_mode"):  # fmt: skip
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, name
        assert params[name].default is inspect.Parameter.empty, name


def test_given_stage_times_the_window_records_overlay_drawing_as_overlays():
    times = StageTimes()
    state = OverlayState(title="T", label="A label " * 30, show_label=True, camera_on=True)
    with open_display((640, 360), times=times) as d:
        painting, _ = blue_painting(d)
        for _ in range(3):
            d.present(painting, state)
    (overlays,) = [v for k, v in times.samples().items() if k == "overlays"]
    assert len(overlays) == 3 and all(ms > 0 for ms in overlays)
    assert set(times.samples()) == {"overlays"}  # nothing else is timed by the window
