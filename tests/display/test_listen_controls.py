"""The speech buttons' touch targets."""

from __future__ import annotations

import pygame

from kiosk.display.overlay import OverlayRenderer, OverlayState
from kiosk.display.widgets.listen_controls import MIN_TARGET_PX, SpeechView


def test_buttons_keep_whole_targets_when_the_overlays_are_redrawn_clipped() -> None:
    """When only the face moved the display redraws the overlays clipped to the face's region;
    the buttons' targets must still be where the buttons are, whole (they once shrank to the
    clipped part, nothing, and Listen took no taps)."""
    pygame.init()
    size = (960, 540)
    overlay = OverlayRenderer(size)
    state = OverlayState(
        title="Grace Hopper", label="A label.", show_label=True,
        speech=SpeechView(languages=("en", "de"), language="en"),
    )  # fmt: skip
    full = pygame.Surface(size)
    overlay.draw(full, state)
    whole = list(overlay.speech_targets)
    assert [name for _, name in whole] == ["listen", "lang:en", "lang:de"]
    assert all(r.h >= MIN_TARGET_PX and r.w >= MIN_TARGET_PX for r, _ in whole)

    clipped = pygame.Surface(size)
    clipped.set_clip(pygame.Rect(size[0] - 100, size[1] - 100, 50, 50))  # far from the buttons
    overlay.draw(clipped, state)
    assert overlay.speech_targets == whole
    listen = whole[0][0]
    assert overlay.speech_button_at(listen.center) == "listen"
