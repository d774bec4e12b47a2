"""Where the overlays' touch targets are, in logical pixels: the chevrons' tap zones, the corner
where a curator's long press starts, the curator panel's buttons and the PIN pad's keys.

Laid out once per screen size; `Display` hit-tests against these and the widgets draw on them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.display.curator_access import PAD_KEYS, PANEL_BUTTONS
from kiosk.display.gestures import Action
from kiosk.display.widgets.style import Style


def chevron_radius(scale: float) -> int:
    """The chevrons' radius: a diameter of at least 56 px, a comfortable target."""
    return max(28, round(36 * scale))


def chevron_inset(scale: float) -> int:
    """How far the chevrons sit in from the screen's sides."""
    return round(20 * scale)


@dataclass(frozen=True, slots=True)
class PinPadLayout:
    """A 3 x 4 keypad under its header, or beside it on short screens."""

    box: pygame.Rect  # the whole pad
    header: pygame.Rect  # title, the dots of the digits entered, the message
    keys: dict[str, pygame.Rect]  # by key name (PAD_KEYS)


@dataclass(frozen=True, slots=True)
class TouchTargets:
    chevrons: tuple[tuple[pygame.Rect, Action], ...]
    access_zone: pygame.Rect
    panel_buttons: tuple[tuple[pygame.Rect, Action], ...]
    pin_pad: PinPadLayout


def layout_touch_targets(style: Style) -> TouchTargets:
    """Every touch target at `style`'s screen size."""
    return TouchTargets(
        chevrons=_chevron_zones(style),
        access_zone=_access_zone(style),
        panel_buttons=_panel_buttons(style),
        pin_pad=_pin_pad(style),
    )


def _chevron_zones(style: Style) -> tuple[tuple[pygame.Rect, Action], ...]:
    """Generous tap zones around the chevrons (well over 48 px)."""
    w, h = style.size
    radius = chevron_radius(style.scale)
    zone_w = max(96, 2 * (radius + chevron_inset(style.scale)))
    zone_h = max(3 * radius, round(0.3 * h))
    top = (h - zone_h) // 2
    return (
        (pygame.Rect(0, top, zone_w, zone_h), Action.PREVIOUS),
        (pygame.Rect(w - zone_w, top, zone_w, zone_h), Action.NEXT),
    )


def _access_zone(style: Style) -> pygame.Rect:
    """The top-left corner where a curator's long press starts (120 px, at least 48)."""
    side = max(48, round(120 * style.scale))
    return pygame.Rect(0, 0, side, side)


def _panel_buttons(style: Style) -> tuple[tuple[pygame.Rect, Action], ...]:
    """The curator panel's buttons in a row along the top (at least 64 px tall)."""
    n, w = len(PANEL_BUTTONS), style.size[0]
    margin, gap = style.margin, style.gap
    bw = min(round(230 * style.scale), (w - 2 * margin - (n - 1) * gap) // n)
    bh = max(64, round(84 * style.scale))
    return tuple(
        (pygame.Rect(margin + i * (bw + gap), margin, bw, bh), action)
        for i, (_, action) in enumerate(PANEL_BUTTONS)
    )


def _pin_pad(style: Style) -> PinPadLayout:
    """The PIN pad centred on the screen, keys at least 72 px square."""
    w, h = style.size
    key = max(72, round(112 * style.scale))
    gap = max(8, round(16 * style.scale))
    pad = max(12, round(32 * style.scale))
    grid_w, grid_h = 3 * key + 2 * gap, 4 * key + 3 * gap
    header_h = max(108, round(162 * style.scale))
    stacked = pad + header_h + gap + grid_h + pad <= h - 2 * gap
    if stacked:
        box = pygame.Rect(0, 0, grid_w + 2 * pad, 2 * pad + header_h + gap + grid_h)
    else:
        box = pygame.Rect(0, 0, 2 * pad + grid_w + gap + grid_w, 2 * pad + grid_h)
    box.center = (w // 2, h // 2)
    if stacked:
        header = pygame.Rect(box.x + pad, box.y + pad, grid_w, header_h)
        grid_x, grid_y = box.x + pad, header.bottom + gap
    else:
        header = pygame.Rect(box.x + pad, box.y + pad, grid_w, grid_h)
        grid_x, grid_y = header.right + gap, box.y + pad
    keys = {
        name: pygame.Rect(grid_x + (i % 3) * (key + gap), grid_y + (i // 3) * (key + gap), key, key)
        for i, name in enumerate(PAD_KEYS)
    }
    return PinPadLayout(box, header, keys)
