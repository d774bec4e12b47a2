"""Where the speech widgets go: the Listen, Stop and language buttons just above the label
panel, the captions beside it along the bottom.

One small function, so it can follow the label panel wherever the layout puts it: today it
takes the label panel's rect as drawn (or where the panel would stand when closed).
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.display.widgets.style import Style

MIN_TARGET_PX = 48  # the smallest touch target (WCAG 2.5.5, Apple and Android guidance)


@dataclass(frozen=True, slots=True)
class SpeechLayout:
    controls: pygame.Rect  # the row of speech buttons (left-aligned in it)
    button_h: int
    captions: pygame.Rect  # where captions are centred, bottom-aligned


def speech_layout(style: Style, label: pygame.Rect | None, bottom: int) -> SpeechLayout:
    """The speech widgets' places, given the label panel's rect (None: it is closed) and the
    lowest y the overlays may use (above the privacy notice)."""
    s, w = style.scale, style.size[0]
    button_h = max(MIN_TARGET_PX, round(72 * s))
    width = round(640 * s) if label is None else label.width
    row_bottom = (label.top if label is not None else bottom) - style.gap
    controls = pygame.Rect(style.margin, row_bottom - button_h, width, button_h)
    # Captions: to the right of the panel (clear of the right-hand chevron), bottom-aligned.
    left = controls.right + 2 * style.gap
    right = w - style.margin - round(110 * s)
    if right - left < round(500 * s):  # a narrow screen: the whole width, above the buttons
        left, right = style.margin, w - style.margin
        cap_bottom = controls.top - style.gap
    else:
        cap_bottom = bottom
    captions = pygame.Rect(left, 0, right - left, cap_bottom)
    return SpeechLayout(controls, button_h, captions)
