"""The status hint (e.g. "Swipe to see another painting" in attract mode): a pill at the
bottom right, moved above the label panel if they would overlap."""

from __future__ import annotations

import pygame

from kiosk.display.widgets.style import NOTICE_BG, NOTICE_TEXT, Style


class StatusHint:
    def __init__(self, style: Style) -> None:
        self._style = style

    def draw(
        self, surface: pygame.Surface, hint: str, bottom: int, label: pygame.Rect | None
    ) -> pygame.Rect:
        """Draw `hint` with its bottom at `bottom`, clear of the `label` panel; where it was."""
        st = self._style
        text = st.text("sans", 23, hint, NOTICE_TEXT)
        pad_x, pad_y = round(18 * st.scale), round(8 * st.scale)
        rect = pygame.Rect(0, 0, text.get_width() + 2 * pad_x, text.get_height() + 2 * pad_y)
        rect.bottomright = (st.size[0] - st.margin, bottom)
        if label is not None and rect.colliderect(label):
            rect.bottom = label.top - st.gap
        bg = st.cached(("hint-bg", rect.size), lambda: _pill(rect.size))
        surface.blit(bg, rect)
        surface.blit(text, (rect.x + pad_x, rect.y + pad_y))
        return rect


def _pill(size: tuple[int, int]) -> pygame.Surface:
    bg = pygame.Surface(size, pygame.SRCALPHA)
    pygame.draw.rect(bg, NOTICE_BG, bg.get_rect(), border_radius=size[1] // 2)
    return bg
