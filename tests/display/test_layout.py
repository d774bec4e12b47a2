"""The layout rules at several screen and painting shapes: the face is never covered by the
label or the curator panel, and no active touch target lies under a panel."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402
import pytest  # noqa: E402

from kiosk.display import OverlayRenderer, OverlayState, fit_rect  # noqa: E402
from kiosk.display.curator_access import AccessView  # noqa: E402

SCREENS = [(1920, 1080), (1080, 1920), (3840, 2160), (1280, 800), (800, 1280)]
# Painting shapes (w, h) and where the face is in them, as fractions (x, y, w, h): a
# head-and-shoulders portrait (Grace Hopper), a half-length with the face high (Mona Lisa),
# a close-up filling the picture, a landscape with a small face low down.
PAINTINGS = {
    "hopper": ((512, 600), (0.33, 0.18, 0.36, 0.40)),
    "mona": ((770, 1150), (0.36, 0.12, 0.27, 0.24)),
    "closeup": ((1000, 1060), (0.15, 0.12, 0.70, 0.78)),
    "landscape": ((1600, 900), (0.55, 0.50, 0.10, 0.18)),
    "square": ((1000, 1000), (0.30, 0.20, 0.40, 0.45)),
}
LABEL = "A painting's wall label, long enough to wrap over many lines of the panel. " * 12
STATUS = [
    "Mode: attract    camera: failed    exhibits: 2",
    "Frame time: 6.1 ms median",
    "exhibits/mona.yaml: animation.gains.mouth: must be between 0 and 2 (got 7); "
    "change the value in the file and save it again, the kiosk reloads it within a second",
    *[f"exhibits/x{i}.yaml: title: required key is missing; add a 'title:' line" for i in range(8)],
]


def _draw(screen, painting_key, **state):
    pygame.font.init()  # idempotent; another test's Display.close() shuts pygame down
    (pw, ph), (fx, fy, fw, fh) = PAINTINGS[painting_key]
    x, y, w, h = fit_rect((pw, ph), screen)
    face = (round(fx * w), round(fy * h), round(fw * w), round(fh * h))
    overlay = OverlayRenderer(screen)
    surface = pygame.Surface(screen, pygame.SRCALPHA)
    full = OverlayState(title="Mona Lisa", artist="Leonardo da Vinci", year="1503-1519",
                        label=LABEL, credit="Musée du Louvre, Paris", camera_on=True,
                        face_box=face, **state)  # fmt: skip
    overlay.draw(surface, full, pygame.Rect(x, y, w, h), AccessView())
    return overlay, pygame.Rect(face).move(x, y)


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("painting", sorted(PAINTINGS))
def test_the_label_never_covers_the_face(screen, painting):
    overlay, face = _draw(screen, painting, show_label=True)
    label = overlay.rects["label"]
    assert not label.colliderect(face), (label, face)
    assert overlay.layout.keep_clear.contains(face)  # the kept-clear area holds the face
    assert not label.colliderect(overlay.layout.keep_clear)
    assert label.height > 0  # there is always room for some of it
    assert pygame.Rect((0, 0), screen).contains(label)
    assert not label.colliderect(overlay.rects["notice"])


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("painting", sorted(PAINTINGS))
def test_the_curator_panel_never_covers_the_face(screen, painting):
    overlay, face = _draw(screen, painting, curator_visible=True, curator_lines=STATUS)
    for name in ("curator", "panel_buttons"):
        assert not overlay.rects[name].colliderect(face), (name, overlay.rects[name], face)
    assert pygame.Rect((0, 0), screen).contains(overlay.rects["curator"])
    for rect, _ in overlay.panel_buttons():  # the touch targets are where they are drawn
        assert overlay.rects["panel_buttons"].contains(rect)
    assert not overlay.rects["panel_buttons"].colliderect(overlay.rects["notice"])


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("painting", sorted(PAINTINGS))
@pytest.mark.parametrize("panel", ["label", "curator", "title"])
def test_no_active_touch_target_lies_under_a_panel(screen, painting, panel):
    state = {"label": {"show_label": True}, "title": {"show_title": True},
             "curator": {"curator_visible": True, "curator_lines": STATUS}}[panel]  # fmt: skip
    overlay, _ = _draw(screen, painting, **state)
    panels = [overlay.rects[k] for k in ("label", "title", "curator", "panel_buttons")
              if k in overlay.rects]  # fmt: skip
    assert panels
    for rect, action in overlay.hotspots():
        assert rect.collidelist(panels) < 0, (action, rect, panels)


def test_the_label_goes_beside_a_narrow_painting_and_over_a_wide_one():
    beside, _ = _draw((1920, 1080), "hopper", show_label=True)
    assert beside.layout.label.beside
    painting = beside.layout.painting
    assert beside.rects["label"].right <= painting.left  # in the left bar, off the painting
    over, face = _draw((1920, 1080), "landscape", show_label=True)
    assert not over.layout.label.beside
    assert over.rects["label"].colliderect(over.layout.painting)


def test_a_covered_chevron_is_inactive_and_the_others_stay():
    overlay, _ = _draw((1920, 1080), "hopper", show_label=True)
    actions = {a for _, a in overlay.hotspots()}
    label = overlay.rects["label"]
    shut, _ = _draw((1920, 1080), "hopper")
    assert len(shut.hotspots()) == 2  # with no panel open both chevrons take taps
    zones = {a: r for r, a in shut.hotspots()}  # the same places, whether covered or not
    for action, zone in zones.items():
        assert (action in actions) == (not zone.colliderect(label))


def test_long_status_lines_wrap_inside_the_panel():
    overlay, _ = _draw((1080, 1920), "mona", curator_visible=True, curator_lines=STATUS)
    box = overlay.rects["curator"]
    line_h = overlay.font("mono", 20).get_linesize()
    assert box.right <= 1080 - overlay.margin + 1
    # The long third line wraps instead of being cut at the edge: more rows than lines shown.
    assert box.height > (len(STATUS) + 1) * line_h
