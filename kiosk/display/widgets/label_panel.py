"""The label panel: title, artist and year, the label text and the credit line, in the area
`kiosk.display.layout` gives it (beside the painting when there is room, else clear of the
face), cut to fit that area's height."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pygame

from kiosk.display.layout import LabelPlacement
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
        self, surface: pygame.Surface, text: LabelText, fade: float, place: LabelPlacement
    ) -> pygame.Rect:
        """Draw the panel at `fade` opacity (0..1) inside `place.area`, hugging its anchored
        edge, at most as tall as the area (the text is cut, with an ellipsis, to fit); where it
        was drawn."""
        area = place.area
        panel = self._panel(text, area.w, area.h)
        panel.set_alpha(round(255 * min(1.0, fade)))
        if place.anchor == "top":
            rect = panel.get_rect(topleft=area.topleft)
        else:
            rect = panel.get_rect(bottomleft=area.bottomleft)
        surface.blit(panel, rect)
        return rect

    def _panel(self, text: LabelText, width: int, max_height: int) -> pygame.Surface:
        key = ("label", text.title, text.artist, text.year, text.label, text.credit, width,
               max_height)  # fmt: skip
        return self._style.cached(key, lambda: self._build(text, width, max_height))

    def _build(self, text: LabelText, width: int, max_height: int) -> pygame.Surface:
        s = self._style.scale
        pad = round(28 * s)
        inner_w = max(1, width - 2 * pad)
        heading = self._heading(text, inner_w)
        credit: list[tuple[pygame.Surface, int]] = []
        if text.credit:
            for i, line in enumerate(self._wrap("sans", 19, text.credit, inner_w)):
                credit.append(
                    (self._line("sans", 19, line, _CREDIT), round(16 * s) if i == 0 else 0)
                )
        used = 2 * pad + sum(img.get_height() + before for img, before in heading + credit)
        if used > max_height:  # no room for the credit: the title and text matter more
            used -= sum(img.get_height() + before for img, before in credit)
            credit = []
        blocks = heading + self._body(text.label, inner_w, max_height - used) + credit
        height = 2 * pad + sum(img.get_height() + before for img, before in blocks)
        while blocks and height > max_height:  # a long title in a small area: cut it too
            img, before = blocks.pop()
            height -= img.get_height() + before
        if not blocks:  # no room at all: nothing is drawn rather than cover the face
            return pygame.Surface((width, 0), pygame.SRCALPHA)
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

    def _body(self, label: str, inner_w: int, room: int) -> list[tuple[pygame.Surface, int]]:
        """The label's lines, as many as fit in `room` pixels (at most _MAX_LABEL_LINES), the
        last with an ellipsis if cut."""
        s = self._style.scale
        step = self._style.font("sans", 25).get_linesize() + round(4 * s)
        shown = max(0, min(_MAX_LABEL_LINES, (room - round(14 * s)) // step))
        if shown == 0:
            return []
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
