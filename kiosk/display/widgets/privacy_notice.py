"""The privacy notice: a pill at the bottom centre, shown whenever the camera is on."""

from __future__ import annotations

import pygame

from kiosk.display.widgets.style import NOTICE_BG, NOTICE_TEXT, Style

PRIVACY_NOTICE = "This painting is animated live by a computer. The camera image is never stored."

_NOTICE_DOT = (222, 84, 70)


class PrivacyNotice:
    def __init__(self, style: Style) -> None:
        self._style = style

    def draw(self, surface: pygame.Surface, bottom: int) -> pygame.Rect:
        """Draw the notice centred with its bottom at `bottom`; where it was drawn."""
        notice = self._style.cached(("notice", PRIVACY_NOTICE), self._pill)
        rect = notice.get_rect(midbottom=(self._style.size[0] // 2, bottom))
        surface.blit(notice, rect)
        return rect

    def _pill(self) -> pygame.Surface:
        st = self._style
        s = st.scale
        text = st.text("sans", 22, PRIVACY_NOTICE, NOTICE_TEXT)
        if text.get_width() > st.size[0] - 2 * st.gap:  # narrow portrait screens
            text = self._two_lines()
        dot_r = max(4, round(7 * s))
        pad_x, pad_y = round(20 * s), round(10 * s)
        w = pad_x + 2 * dot_r + round(12 * s) + text.get_width() + pad_x
        h = text.get_height() + 2 * pad_y
        pill = pygame.Surface((w, h), pygame.SRCALPHA)
        pygame.draw.rect(pill, NOTICE_BG, pill.get_rect(), border_radius=h // 2)
        centre = (pad_x + dot_r, h // 2)
        pygame.draw.circle(pill, _NOTICE_DOT, centre, dot_r, width=max(1, round(2 * s)))
        pygame.draw.circle(pill, _NOTICE_DOT, centre, max(2, dot_r // 2))
        pill.blit(text, (pad_x + 2 * dot_r + round(12 * s), pad_y))
        return pill

    def _two_lines(self) -> pygame.Surface:
        first, second = PRIVACY_NOTICE.split(". ", 1)
        a = self._style.text("sans", 22, first + ".", NOTICE_TEXT)
        b = self._style.text("sans", 22, second, NOTICE_TEXT)
        surface = pygame.Surface(
            (max(a.get_width(), b.get_width()), a.get_height() + b.get_height()), pygame.SRCALPHA
        )
        surface.blit(a, (0, 0))
        surface.blit(b, (0, a.get_height()))
        return surface
