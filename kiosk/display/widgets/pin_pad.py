"""The curator's PIN pad, drawn over a dimmed screen: title, one dot per digit entered, the
message (wrong PIN, lockout) and the keys (dimmed, all but Cancel, while locked out)."""

from __future__ import annotations

import pygame

from kiosk.display.curator_access import CANCEL, OK, AccessView
from kiosk.display.widgets.style import TITLE, Style
from kiosk.display.widgets.touch_targets import PinPadLayout

_DIM = (0, 0, 0, 165)
_PAD_BG = (22, 20, 18, 240)
_KEY_BG = (62, 58, 53)
_OK_BG = (46, 112, 72)
_CANCEL_BG = (84, 62, 56)
_ERROR = (244, 132, 112)


class PinPadPanel:
    def __init__(self, style: Style, layout: PinPadLayout) -> None:
        self._style = style
        self._layout = layout
        self._dim: pygame.Surface | None = None

    def draw(self, surface: pygame.Surface, access: AccessView) -> pygame.Rect:
        """Draw the pad as `access` describes it; where it was drawn."""
        st, box, header = self._style, self._layout.box, self._layout.header
        if self._dim is None:
            self._dim = pygame.Surface(st.size, pygame.SRCALPHA)
            self._dim.fill(_DIM)
        surface.blit(self._dim, (0, 0))
        surface.blit(self._body(access.locked), box)
        # Three equal rows: title, one dot per digit entered, message.
        row = header.height // 3
        top = header.centery - 3 * row // 2
        title = st.text("sans", 34, "Curator PIN", TITLE)
        surface.blit(title, title.get_rect(center=(header.centerx, top + row // 2)))
        dot_r, step = max(6, round(11 * st.scale)), max(18, round(34 * st.scale))
        x0 = header.centerx - (access.digits - 1) * step // 2
        for i in range(access.digits):
            pygame.draw.circle(surface, TITLE, (x0 + i * step, top + 3 * row // 2), dot_r)
        if access.message:
            text = st.fitted_text("sans", 24, access.message, _ERROR, header.width)
            surface.blit(text, text.get_rect(center=(header.centerx, top + 5 * row // 2)))
        return box

    def _body(self, locked: bool) -> pygame.Surface:
        """The pad's box and keys (static; keys dimmed while locked out)."""
        return self._style.cached(("pin_pad", locked), lambda: self._build_body(locked))

    def _build_body(self, locked: bool) -> pygame.Surface:
        st, box = self._style, self._layout.box
        body = pygame.Surface(box.size, pygame.SRCALPHA)
        pygame.draw.rect(body, _PAD_BG, body.get_rect(), border_radius=round(24 * st.scale) + 6)
        for name, rect in self._layout.keys.items():
            fill = {OK: _OK_BG, CANCEL: _CANCEL_BG}.get(name, _KEY_BG)
            px = 44 if name.isdigit() else 28
            image = st.button(rect.size, name, fill, px)
            if locked and name != CANCEL:
                image = image.copy()
                image.set_alpha(90)
            body.blit(image, rect.move(-box.x, -box.y))
        return body
