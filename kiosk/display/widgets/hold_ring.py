"""The ring that fills while a curator holds the top-left corner (shown from RING_FROM of the
hold on)."""

from __future__ import annotations

import math

import pygame

from kiosk.display.widgets.style import Style

_RING = (246, 241, 230, 220)
_RING_TRACK = (0, 0, 0, 110)
RING_FROM = 0.3  # a brief touch in the corner shows nothing; a held one shows a filling ring


class HoldRing:
    def __init__(self, style: Style, zone: pygame.Rect) -> None:
        self._style = style
        self._zone = zone

    def draw(self, surface: pygame.Surface, progress: float) -> pygame.Rect:
        """Draw the ring `progress` (0..1) full, clockwise from twelve o'clock; where it was."""
        zone = self._zone
        radius = round(zone.width * 0.32)
        width = max(3, round(6 * self._style.scale))
        ring = pygame.Surface((2 * radius + 2, 2 * radius + 2), pygame.SRCALPHA)
        box = ring.get_rect()
        pygame.draw.circle(ring, _RING_TRACK, box.center, radius)
        start = math.pi / 2 - 2 * math.pi * progress
        pygame.draw.arc(ring, _RING, box.inflate(-2, -2), start, math.pi / 2, width)
        rect = ring.get_rect(center=zone.center)
        surface.blit(ring, rect)
        return rect
