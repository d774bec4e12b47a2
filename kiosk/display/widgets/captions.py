"""Captions: the sentence being spoken, large (readable from 1.5 m), its current word
marked, on a dark band, bottom-aligned in the place `kiosk.display.layout` gives (up to three
lines, fewer when the place is shorter)."""

from __future__ import annotations

import pygame

from kiosk.display.widgets.listen_controls import SpeechView
from kiosk.display.widgets.speech_fonts import SpeechFonts
from kiosk.display.widgets.style import Style, SurfaceCache

_BG = (8, 8, 8, 205)
_TEXT = (240, 236, 228)
_CURRENT = (255, 214, 120)
_MAX_LINES = 3
# About 48 px letters at 1080p: 12-13 mm capitals on a 24-32 inch screen, which the usual
# signage rule (25 mm per 3 m of viewing distance) asks for at 1.5 m.
CAPTION_PX = 52
_MAX_WORDS = 120  # a caption is a sentence; anything longer is cut (bounded layout work)


class Captions:
    def __init__(self, style: Style, fonts: SpeechFonts) -> None:
        self._style = style
        self._fonts = fonts
        # Its own cache: a new image per spoken word must not push out the label panel's.
        self._cache = SurfaceCache(limit=4)

    def heights(self) -> tuple[int, int]:
        """The caption's height with its most lines, and with one (for the layout)."""
        line_h, pad = self._font().get_linesize(), self._pad()
        return _MAX_LINES * line_h + 2 * pad, line_h + 2 * pad

    def draw(self, surface: pygame.Surface, view: SpeechView, area: pygame.Rect) -> pygame.Rect:
        """Draw the caption centred in `area`, bottom-aligned, never taller or wider; where
        it was."""
        max_lines = max(
            1, min(_MAX_LINES, (area.h - 2 * self._pad()) // self._font().get_linesize())
        )
        key = (view.caption_words, view.word, area.width, max_lines)
        image = self._cache.get(key)
        if image is None:
            words = view.caption_words[:_MAX_WORDS]
            image = self._build(words, view.word, area.width, max_lines)
            if image.get_width() > area.width:  # one word wider than the place: shrink it
                scale = area.width / image.get_width()
                image = pygame.transform.smoothscale(
                    image, (area.width, max(1, round(image.get_height() * scale)))
                )
            self._cache.put(key, image)
        rect = image.get_rect(midbottom=(area.centerx, area.bottom))
        surface.blit(image, rect)
        return rect

    def _font(self, bold: bool = False) -> pygame.font.Font:
        return self._fonts.get(max(18, round(CAPTION_PX * self._style.scale)), bold=bold)

    def _pad(self) -> int:
        return round(22 * self._style.scale)

    def _build(
        self, words: tuple[str, ...], current: int, width: int, max_lines: int
    ) -> pygame.Surface:
        s = self._style.scale
        font, bold, pad = self._font(), self._font(bold=True), self._pad()
        lines = _wrap(font, bold, words, current, width - 2 * pad)
        if len(lines) > max_lines:  # keep the lines around the current word
            at = next((i for i, line in enumerate(lines) if current in (j for j, _ in line)), 0)
            first = min(max(0, at - 1), len(lines) - max_lines)
            lines = lines[first : first + max_lines]
        line_h = font.get_linesize()
        line_w = [sum(_word_w(font, bold, w, i == current) for i, w in line) for line in lines]
        inner_w = max(line_w, default=0)
        image = pygame.Surface((inner_w + 2 * pad, len(lines) * line_h + 2 * pad), pygame.SRCALPHA)
        pygame.draw.rect(image, _BG, image.get_rect(), border_radius=round(16 * s))
        for n, line in enumerate(lines):
            x = pad + (inner_w - line_w[n]) // 2
            y = pad + n * line_h
            for i, word in line:
                is_current = i == current
                glyphs = (bold if is_current else font).render(
                    word + " ", True, _CURRENT if is_current else _TEXT
                )
                image.blit(glyphs, (x, y))
                if is_current:  # marked by more than colour: bold and underlined
                    under = y + font.get_ascent() + max(2, round(5 * s))
                    word_w = (bold).size(word)[0]
                    pygame.draw.line(
                        image, _CURRENT, (x, under), (x + word_w, under), max(2, round(4 * s))
                    )
                x += glyphs.get_width()
        return image


def _word_w(font: pygame.font.Font, bold: pygame.font.Font, word: str, current: bool) -> int:
    return (bold if current else font).size(word + " ")[0]


def _wrap(
    font: pygame.font.Font, bold: pygame.font.Font, words: tuple[str, ...], current: int, width: int
) -> list[list[tuple[int, str]]]:
    """Words (with their index) into lines no wider than `width` (a longer word has its own)."""
    lines: list[list[tuple[int, str]]] = [[]]
    used = 0
    for i, word in enumerate(words):
        w = _word_w(font, bold, word, i == current)
        if lines[-1] and used + w > width:
            lines.append([])
            used = 0
        lines[-1].append((i, word))
        used += w
    return [line for line in lines if line]
