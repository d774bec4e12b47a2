"""The label panel: title, artist and year, the label text and the credit line, bottom left
(in the left letterbox bar when that is wide enough, so the painting stays uncovered)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pygame

from kiosk.display.widgets.style import TITLE, Style
from kiosk.display.widgets.text_layout import with_ellipsis, wrap_text

_PANEL_BG = (14, 13, 12, 200)
_META = (206, 198, 184)
_BODY = (228, 222, 211)
_CREDIT = (160, 153, 142)
_MAX_LABEL_LINES = 12
# The panel lays out at most this many characters of any one text, so what a curator pastes
# cannot stall the display thread. The body shows at most 12 lines (_MAX_LABEL_LINES) of at
# most ~100 characters (the narrowest glyphs, "i" and "l", are 6 px at 25 px in a 584 px line),
# about 1,200 characters; 4,000 leaves room for combining marks. Nothing beyond could be seen.
_MAX_LAYOUT_CHARS = 4_000
_VISIBLE = re.compile(r"\S")


@dataclass(frozen=True, slots=True)
class LabelText:
    """What the panel says (any part may be empty)."""

    title: str
    artist: str
    year: str
    label: str
    credit: str


class LabelPanel:
    def __init__(self, style: Style) -> None:
        self._style = style

    def draw(
        self,
        surface: pygame.Surface,
        text: LabelText,
        fade: float,
        painting: pygame.Rect | None,
        bottom: int,
    ) -> pygame.Rect:
        """Draw the panel at `fade` opacity (0..1) with its bottom at `bottom`; where it was."""
        panel = self._panel(text, self._width(painting))
        panel.set_alpha(round(255 * min(1.0, fade)))
        rect = panel.get_rect(bottomleft=(self._style.margin, bottom))
        surface.blit(panel, rect)
        return rect

    def _width(self, painting: pygame.Rect | None) -> int:
        st = self._style
        s, w = st.scale, st.size[0]
        default = min(w - 2 * st.margin, round(640 * s))
        if painting is not None:
            bar = painting.left - 2 * st.margin
            if round(440 * s) <= bar < default:
                return bar
        return default

    def _panel(self, text: LabelText, width: int) -> pygame.Surface:
        key = ("label", text.title, text.artist, text.year, text.label, text.credit, width)
        return self._style.cached(key, lambda: self._build(text, width))

    def _build(self, text: LabelText, width: int) -> pygame.Surface:
        s = self._style.scale
        pad = round(28 * s)
        inner_w = width - 2 * pad
        blocks = self._heading(text, inner_w) + self._body(text.label, inner_w)
        if text.credit:
            for i, line in enumerate(self._wrap("sans", 19, text.credit, inner_w)):
                blocks.append(
                    (self._line("sans", 19, line, _CREDIT), round(16 * s) if i == 0 else 0)
                )
        height = 2 * pad + sum(img.get_height() + before for img, before in blocks)
        panel = pygame.Surface((inner_w + 2 * pad, height), pygame.SRCALPHA)
        pygame.draw.rect(panel, _PANEL_BG, panel.get_rect(), border_radius=round(18 * s))
        y = pad
        for img, before in blocks:
            y += before
            panel.blit(img, (pad, y))
            y += img.get_height()
        return panel

    def _heading(self, text: LabelText, inner_w: int) -> list[tuple[pygame.Surface, int]]:
        """The title's lines, then artist and year: (line surface, space before)."""
        title = self._wrap("serif", 46, text.title, inner_w)
        blocks = [(self._line("serif", 46, line, TITLE), 0) for line in title]
        meta = " · ".join(p for p in (text.artist, text.year) if p)
        if meta:
            for line in self._wrap("sans", 27, meta, inner_w):
                blocks.append((self._line("sans", 27, line, _META), round(6 * self._style.scale)))
        return blocks

    def _body(self, label: str, inner_w: int) -> list[tuple[pygame.Surface, int]]:
        """The label's lines, as many as the panel shows, the last with an ellipsis if cut."""
        s = self._style.scale
        shown = self._max_body_lines()
        body_lines = self._wrap("sans", 25, label, inner_w, shown + 1)  # +1: is there more?
        cut = _VISIBLE.search(label, _MAX_LAYOUT_CHARS) is not None
        if body_lines and (len(body_lines) > shown or cut):
            body_lines = body_lines[:shown]
            body_lines[-1] = with_ellipsis(self._style.font("sans", 25), body_lines[-1], inner_w)
        return [
            (self._line("sans", 25, line, _BODY), round(18 * s) if i == 0 else round(4 * s))
            for i, line in enumerate(body_lines)
        ]

    def _line(self, kind: str, px: int, line: str, colour: tuple[int, ...]) -> pygame.Surface:
        return self._style.font(kind, px).render(line, True, colour)

    def _wrap(
        self, kind: str, px: int, text: str, width: int, max_lines: int | None = None
    ) -> list[str]:
        """`wrap_text` in the panel's font, of at most _MAX_LAYOUT_CHARS characters of `text`."""
        return wrap_text(self._style.font(kind, px), text[:_MAX_LAYOUT_CHARS], width, max_lines)

    def _max_body_lines(self) -> int:
        # Keep the panel in the lower part of the screen, clear of the chevrons.
        line_h = self._style.font("sans", 25).get_linesize()
        available = self._style.size[1] * 0.42 - 200 * self._style.scale
        return max(2, min(_MAX_LABEL_LINES, int(available // line_h)))
