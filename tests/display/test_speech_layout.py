"""Where the speech buttons and captions go: with the label panel wherever the layout puts it,
and never over the face's keep-clear box, the label, the chevrons or off the screen, on
landscape, 4K and portrait screens with the face in several places."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402
import pytest  # noqa: E402

from kiosk.display import OverlayRenderer, OverlayState, SpeechView, fit_rect  # noqa: E402
from kiosk.display.curator_access import AccessView  # noqa: E402
from kiosk.display.widgets.listen_controls import MIN_TARGET_PX  # noqa: E402

SCREENS = [(1920, 1080), (3840, 2160), (1080, 1920)]
# A painting's shape (w, h) and its face as fractions (x, y, w, h) of it.
FACES = {
    "portrait-centre": ((512, 600), (0.33, 0.18, 0.36, 0.40)),
    "portrait-low": ((770, 1150), (0.30, 0.55, 0.35, 0.30)),
    "closeup": ((1000, 1060), (0.15, 0.12, 0.70, 0.78)),
    "landscape-top-left": ((1600, 900), (0.05, 0.05, 0.20, 0.30)),
    "landscape-bottom-right": ((1600, 900), (0.72, 0.55, 0.20, 0.35)),
    "landscape-low-centre": ((1600, 900), (0.42, 0.50, 0.16, 0.30)),
    "square-top": ((1000, 1000), (0.30, 0.05, 0.40, 0.40)),
}
LABEL = "A painting's wall label, long enough to wrap over many lines of the panel. " * 6
SENTENCE = tuple(
    "Grace Hopper was a computer pioneer and a rear admiral of the United States Navy, "
    "who made the first compiler for a computer language.".split()
)
SPEAKING = SpeechView(languages=("en", "de", "fr"), language="en", speaking=True,
                      status="Captions only", caption_words=SENTENCE, word=4)  # fmt: skip


def _draw(screen, face_key, **state):
    pygame.font.init()  # idempotent; another test's Display.close() shuts pygame down
    (pw, ph), (fx, fy, fw, fh) = FACES[face_key]
    x, y, w, h = fit_rect((pw, ph), screen)
    face = (round(fx * w), round(fy * h), round(fw * w), round(fh * h))
    overlay = OverlayRenderer(screen)
    surface = pygame.Surface(screen, pygame.SRCALPHA)
    full = OverlayState(title="Grace Hopper", artist="Unknown photographer", year="1984",
                        label=LABEL, credit="U.S. Navy", camera_on=True, face_box=face,
                        speech=SPEAKING, **state)  # fmt: skip
    overlay.draw(surface, full, pygame.Rect(x, y, w, h), AccessView())
    return overlay


def _chevron_zones(screen) -> list[pygame.Rect]:
    """Every chevron's tap zone, covered or not (as drawn with no panel open)."""
    overlay = OverlayRenderer(screen)
    overlay.draw(pygame.Surface(screen, pygame.SRCALPHA), OverlayState())
    return [rect for rect, _ in overlay.hotspots()]


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("face", sorted(FACES))
@pytest.mark.parametrize("label_open", [True, False])
def test_speech_buttons_and_captions_keep_clear_of_face_label_and_chevrons(
    screen, face, label_open
):
    overlay = _draw(screen, face, show_label=label_open)
    whole = pygame.Rect((0, 0), screen)
    keep_clear = overlay.layout.keep_clear
    controls, captions = overlay.rects["speech_row"], overlay.rects["captions"]
    label = overlay.rects.get("label")
    assert (label is not None) == label_open
    hotspots = [rect for rect, _ in overlay.hotspots()]
    for name, rect in (("buttons", controls), ("captions", captions)):
        assert whole.contains(rect), (name, rect)
        assert not rect.colliderect(keep_clear), (name, rect, keep_clear)
        assert label is None or not rect.colliderect(label), (name, rect, label)
        assert rect.collidelist(hotspots) < 0, (name, rect, hotspots)
        assert not rect.colliderect(overlay.rects["notice"]), (name, rect)
    assert not controls.colliderect(captions)
    # Captions cover no chevron, not even one a panel made inactive: it would look dead.
    assert captions.collidelist(_chevron_zones(screen)) < 0
    targets = overlay.speech_targets
    assert [name for _, name in targets] == ["stop", "lang:en", "lang:de", "lang:fr"]
    for rect, name in targets:
        assert rect.h >= MIN_TARGET_PX and rect.w >= MIN_TARGET_PX, (name, rect)
        assert controls.contains(rect)
    for i, (rect, _) in enumerate(targets):
        assert rect.collidelist([r for r, _ in targets[i + 1 :]]) < 0


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("face", sorted(FACES))
def test_the_buttons_travel_with_the_label_panel(screen, face):
    overlay = _draw(screen, face, show_label=True)
    label, row = overlay.rects["label"], overlay.rects["speech_row"]
    assert row.left == label.left and row.w == label.w
    if overlay.layout.label.anchor == "bottom":
        assert row.bottom == label.top - overlay.gap
    else:
        assert row.top == label.bottom + overlay.gap
    # The first line (Stop, here) is the one beside the label.
    stop = overlay.speech_targets[0][0]
    assert min(abs(stop.top - label.bottom), abs(stop.bottom - label.top)) == overlay.gap


def test_the_label_keeps_its_place_when_the_painting_starts_to_speak():
    quiet = SpeechView(languages=("en", "de", "fr"), language="en")
    pygame.font.init()
    overlay = OverlayRenderer((1920, 1080))
    surface = pygame.Surface((1920, 1080), pygame.SRCALPHA)
    state = OverlayState(title="Grace Hopper", label=LABEL, show_label=True, speech=quiet,
                         face_box=(150, 100, 200, 260))  # fmt: skip
    painting = pygame.Rect(fit_rect((512, 600), (1920, 1080)))
    overlay.draw(surface, state, painting)
    before = overlay.rects["label"], overlay.speech_targets
    assert [name for _, name in before[1]][0] == "listen"
    # Speaking, with a status that may take a line of its own: Stop is where Listen was.
    state.speech = SpeechView(languages=("en", "de", "fr"), language="en", speaking=True,
                              status="Preparing…", caption_words=SENTENCE, word=0)  # fmt: skip
    overlay.draw(surface, state, painting)
    assert overlay.rects["label"] == before[0]
    assert [r for r, _ in overlay.speech_targets] == [r for r, _ in before[1]]
