"""The curator panel: its row of touch buttons (reload, previous, next, close, quit with
confirmation) and the status lines, word-wrapped, in a monospaced box in the area the layout
gives it (clear of the painted face)."""

from __future__ import annotations

import pygame

from kiosk.display.curator_access import PANEL_BUTTONS, QUIT_CONFIRM_LABEL
from kiosk.display.gestures import Action
from kiosk.display.widgets.style import Style
from kiosk.display.widgets.text_layout import wrap_text

_CURATOR_BG = (0, 0, 0, 200)
_CURATOR_TEXT = (190, 235, 190)
_BUTTON_BG = (30, 28, 26, 225)
_QUIT_BG = (128, 44, 36, 235)
_QUIT_ARMED_BG = (214, 58, 40, 255)
_MAX_CURATOR_LINES = 24  # status lines taken (each may wrap onto several screen lines)
_MAX_LINE_CHARS = 600  # of one status line laid out: bounds the display thread's work


def _printable(text: str) -> str:
    """Text pygame can render: a file name that is not UTF-8 arrives surrogate-escaped."""
    return text.encode("utf-8", "replace").decode("utf-8")


class CuratorPanel:
    def __init__(self, style: Style) -> None:
        self._style = style

    def draw(
        self,
        surface: pygame.Surface,
        lines: tuple[str, ...],
        quit_armed: bool,
        buttons: tuple[tuple[pygame.Rect, Action], ...],
        area: pygame.Rect,
    ) -> tuple[pygame.Rect, pygame.Rect]:
        """Draw the `buttons` and the status `lines` inside `area`; (buttons' row, lines' box)."""
        for (rect, action), (label, _) in zip(buttons, PANEL_BUTTONS, strict=True):
            fill = _BUTTON_BG
            if action is Action.QUIT:
                fill = _QUIT_ARMED_BG if quit_armed else _QUIT_BG
                label = QUIT_CONFIRM_LABEL if quit_armed else label
            surface.blit(self._style.button(rect.size, label, fill, 28), rect)
        row = buttons[0][0].unionall([r for r, _ in buttons])
        panel = self._style.cached(
            ("curator", lines, area.size), lambda: self._status(lines, area.size)
        )
        rect = panel.get_rect(topleft=area.topleft)
        surface.blit(panel, rect)
        return row, rect

    def _status(self, lines: tuple[str, ...], room: tuple[int, int]) -> pygame.Surface:
        """The lines wrapped to the room's width; as many as its height holds, the last saying
        how many more there are."""
        st = self._style
        font = st.font("mono", 20)
        pad = round(16 * st.scale)
        inner_w, inner_h = room[0] - 2 * pad, room[1] - 2 * pad
        line_h = font.get_linesize()
        rows = inner_h // line_h
        if inner_w < font.size("MMMMMMMM")[0] or rows < 1:
            return pygame.Surface((0, 0), pygame.SRCALPHA)
        wrapped: list[str] = []
        for line in lines[:_MAX_CURATOR_LINES] or ("(no status)",):
            text = _printable(line[:_MAX_LINE_CHARS])
            # Continuation lines are indented so each status line still reads as one.
            first, *rest = wrap_text(font, text, inner_w) or [""]
            rest_text = " ".join(rest)
            more = wrap_text(font, rest_text, inner_w - font.size("  ")[0]) if rest else []
            wrapped += [first] + ["  " + m for m in more]
            if len(wrapped) > rows:
                break
        hidden = len(lines) > _MAX_CURATOR_LINES or len(wrapped) > rows
        if hidden:
            wrapped = wrapped[: rows - 1] + ["... more: see the log or `kiosk check`"]
        rendered = [font.render(line, True, _CURATOR_TEXT) for line in wrapped]
        w = max(r.get_width() for r in rendered) + 2 * pad
        panel = pygame.Surface((min(room[0], w), len(rendered) * line_h + 2 * pad),
                               pygame.SRCALPHA)  # fmt: skip
        pygame.draw.rect(panel, _CURATOR_BG, panel.get_rect(), border_radius=round(10 * st.scale))
        for i, r in enumerate(rendered):
            panel.blit(r, (pad, pad + i * line_h))
        return panel
