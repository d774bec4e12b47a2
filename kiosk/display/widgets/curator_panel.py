"""The curator panel: its row of touch buttons along the top (reload, previous, next, close,
quit with confirmation) and the status lines under them, in a monospaced box."""

from __future__ import annotations

import pygame

from kiosk.display.curator_access import PANEL_BUTTONS, QUIT_CONFIRM_LABEL
from kiosk.display.gestures import Action
from kiosk.display.widgets.style import Style

_CURATOR_BG = (0, 0, 0, 200)
_CURATOR_TEXT = (190, 235, 190)
_BUTTON_BG = (30, 28, 26, 225)
_QUIT_BG = (128, 44, 36, 235)
_QUIT_ARMED_BG = (214, 58, 40, 255)
_MAX_CURATOR_LINES = 24


def _printable(text: str) -> str:
    """Text pygame can render: a file name that is not UTF-8 arrives surrogate-escaped."""
    return text.encode("utf-8", "replace").decode("utf-8")


class CuratorPanel:
    def __init__(self, style: Style, buttons: tuple[tuple[pygame.Rect, Action], ...]) -> None:
        self._style = style
        self._buttons = buttons

    def draw(
        self, surface: pygame.Surface, lines: tuple[str, ...], quit_armed: bool
    ) -> tuple[pygame.Rect, pygame.Rect]:
        """Draw the buttons and, under them, the status `lines`; (buttons' row, lines' box)."""
        for (rect, action), (label, _) in zip(self._buttons, PANEL_BUTTONS, strict=True):
            fill = _BUTTON_BG
            if action is Action.QUIT:
                fill = _QUIT_ARMED_BG if quit_armed else _QUIT_BG
                label = QUIT_CONFIRM_LABEL if quit_armed else label
            surface.blit(self._style.button(rect.size, label, fill, 28), rect)
        row = self._buttons[0][0].unionall([r for r, _ in self._buttons])
        panel = self._style.cached(
            ("curator", lines, row.width), lambda: self._status(lines, row.width)
        )
        rect = panel.get_rect(topleft=(self._style.margin, row.bottom + self._style.gap))
        surface.blit(panel, rect)
        return row, rect

    def _status(self, lines: tuple[str, ...], min_width: int) -> pygame.Surface:
        st = self._style
        font = st.font("mono", 20)
        shown = list(lines[:_MAX_CURATOR_LINES]) or ["(no status)"]
        if len(lines) > _MAX_CURATOR_LINES:
            shown[-1] = f"... {len(lines) - _MAX_CURATOR_LINES + 1} more lines"
        max_w = st.size[0] - 2 * st.margin
        rendered = [font.render(_printable(line), True, _CURATOR_TEXT) for line in shown]
        pad = round(16 * st.scale)
        w = min(max_w, max(min_width, max(r.get_width() for r in rendered) + 2 * pad))
        h = sum(r.get_height() for r in rendered) + 2 * pad
        panel = pygame.Surface((w, h), pygame.SRCALPHA)
        pygame.draw.rect(panel, _CURATOR_BG, panel.get_rect(), border_radius=round(10 * st.scale))
        y = pad
        for r in rendered:
            panel.blit(r, (pad, y), area=pygame.Rect(0, 0, w - 2 * pad, r.get_height()))
            y += r.get_height()
        return panel
