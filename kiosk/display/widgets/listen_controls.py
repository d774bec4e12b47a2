"""The speech buttons on the label panel: Listen (a speaker icon and the word), Stop while
the painting speaks, and one button per language offered; each at least 48 px tall."""

from __future__ import annotations

from dataclasses import dataclass, field

import pygame

from kiosk.display.widgets.speech_fonts import SpeechFonts
from kiosk.display.widgets.style import KEY_EDGE, TITLE, Style, SurfaceCache

_FILL = (30, 28, 26, 225)
_CHOSEN = (120, 96, 52, 240)
_DIM = (150, 144, 134)
# Each language's name in itself, for its button; others show their code.
NATIVE_NAMES = {
    "en": "English", "de": "Deutsch", "fr": "Français", "es": "Español", "it": "Italiano",
    "nl": "Nederlands", "pt": "Português", "pl": "Polski", "sv": "Svenska", "da": "Dansk",
    "fi": "Suomi", "no": "Norsk", "nb": "Norsk", "cs": "Čeština", "el": "Ελληνικά",
    "ru": "Русский", "uk": "Українська", "bg": "Български", "sr": "Српски", "tr": "Türkçe",
    "hu": "Magyar", "ro": "Română", "ca": "Català", "is": "Íslenska",
}  # fmt: skip


@dataclass(frozen=True)
class SpeechView:
    """What the speech widgets show this frame (built by the runtime from the speech stage)."""

    languages: tuple[str, ...]
    language: str
    speaking: bool = False
    can_listen: bool = True  # False: this language has no voice (the button is dimmed)
    status: str = ""  # e.g. "Preparing…", shown beside the buttons
    caption_words: tuple[str, ...] = field(default_factory=tuple)  # the sentence being said
    word: int = -1  # the index of the word being said in it


def language_name(code: str) -> str:
    return NATIVE_NAMES.get(code, NATIVE_NAMES.get(code.split("-")[0], code.upper()))


MIN_TARGET_PX = 48  # the smallest touch target (WCAG 2.5.5, Apple and Android guidance)


def button_height(style: Style) -> int:
    """The speech buttons' height: 72 px at 1080 px, never under MIN_TARGET_PX."""
    return max(MIN_TARGET_PX, round(72 * style.scale))


class ListenControls:
    def __init__(self, style: Style, fonts: SpeechFonts) -> None:
        self._style = style
        self._fonts = fonts
        self._cache = SurfaceCache(limit=24)  # its own: never pushes out the label panel

    def row_height(self, view: SpeechView, width: int) -> int:
        """How tall the row of buttons (and status) is at `width`: one line of buttons, or
        more when they do not fit side by side. Measured with the wider of Listen and Stop,
        so the row (and the label beside it) does not move when the painting starts to speak."""
        h, gap = button_height(self._style), self._style.gap
        widths = [self._main(view, view.speaking).get_width()]
        widths += [image.get_width() for image, _ in self._languages(view, h)]
        if view.status:
            widths.append(self._status(view.status).get_width() + 2 * gap)
        lines = 1 + max(_line_of(widths, width, gap), default=0)
        return lines * h + (lines - 1) * gap

    def draw(
        self, surface: pygame.Surface, view: SpeechView, row: pygame.Rect, upward: bool = False
    ) -> list[tuple[pygame.Rect, str]]:
        """Draw the buttons left to right in `row`, onto further lines when a line is full,
        and the status after them; nothing outside `row` (what does not fit is left out).
        The first line is at the top, or at the bottom when `upward` (the row stands above
        the label): either way beside the label, so a status that needs a line of its own
        adds it away from the label and Listen / Stop stay put. Their rects and ids
        ("listen", "stop", "lang:CODE") for hit-testing."""
        st = self._style
        h = button_height(st)
        main = "stop" if view.speaking else "listen"
        items = [(self._main(view, view.speaking), main), *self._languages(view, h)]
        if view.status:
            items.append((self._status(view.status), ""))
        lines = _line_of([image.get_width() for image, _ in items], row.w, st.gap)
        targets: list[tuple[pygame.Rect, str]] = []
        x, line = row.x, 0
        for (image, name), at_line in zip(items, lines, strict=True):
            if at_line != line:
                x, line = row.x, at_line
            top = (
                row.bottom - (line + 1) * h - line * st.gap
                if upward
                else row.y + line * (h + st.gap)
            )
            rect = image.get_rect(topleft=(x, top))
            if name and row.contains(rect):
                targets.append((_blit(surface, image, rect.topleft), name))
            elif not name and rect.h <= h:  # the status pill, centred on its line
                rect.centery = top + h // 2
                if row.contains(rect):
                    surface.blit(image, rect)
            x += image.get_width() + st.gap
        return targets

    def _main(self, view: SpeechView, speaking: bool) -> pygame.Surface:
        """Listen, or Stop while speaking: as wide as the wider of the two, so that neither
        the row's lines nor the language buttons after it move when one becomes the other."""
        h = button_height(self._style)
        width = max(self._width(icon, word, h) for icon, word in (("listen", "Listen"),
                                                                  ("stop", "Stop")))  # fmt: skip
        icon, word = ("stop", "Stop") if speaking else ("listen", "Listen")
        return self._button(icon, word, h, view.can_listen or speaking, False, width)

    def _languages(self, view: SpeechView, h: int) -> list[tuple[pygame.Surface, str]]:
        if len(view.languages) < 2:
            return []
        return [
            (self._button("", language_name(code), h, True, code == view.language), f"lang:{code}")
            for code in view.languages
        ]

    def _status(self, status: str) -> pygame.Surface:
        """The status on a dark pill (it may stand over the painting)."""
        key = ("status", status)
        image = self._cache.get(key)
        if image is None:
            st = self._style
            text = self._fonts.get(max(14, round(24 * st.scale))).render(status, True, TITLE)
            pill = text.get_rect().inflate(2 * st.gap, st.gap)
            image = pygame.Surface(pill.size, pygame.SRCALPHA)
            pygame.draw.rect(image, _FILL[:3], image.get_rect(), border_radius=pill.h // 2)
            image.blit(text, text.get_rect(center=image.get_rect().center))
            self._cache.put(key, image)
        return image

    def _button(
        self, icon: str, word: str, h: int, enabled: bool, chosen: bool, min_w: int = 0
    ) -> pygame.Surface:
        key = (icon, word, h, enabled, chosen, min_w)
        image = self._cache.get(key)
        return image or self._cache.put(key, self._build(icon, word, h, enabled, chosen, min_w))

    def _font(self, icon: str) -> pygame.font.Font:
        return self._fonts.get(max(16, round(30 * self._style.scale)), bold=bool(icon))

    def _width(self, icon: str, word: str, h: int) -> int:
        """A button's width: padding, icon and word; never under its height (the target)."""
        pad = round(20 * self._style.scale)
        icon_w = h // 2 + pad // 2 if icon else 0
        return max(h, pad + icon_w + self._font(icon).size(word)[0] + pad)

    def _build(
        self, icon: str, word: str, h: int, enabled: bool, chosen: bool, min_w: int
    ) -> pygame.Surface:
        s = self._style.scale
        colour = TITLE if enabled else _DIM
        text = self._font(icon).render(word, True, colour)
        pad = round(20 * s)
        icon_w = h // 2 + pad // 2 if icon else 0
        width = max(min_w, self._width(icon, word, h))
        image = pygame.Surface((width, h), pygame.SRCALPHA)
        radius = h // 2
        pygame.draw.rect(
            image, _CHOSEN if chosen else _FILL, image.get_rect(), border_radius=radius
        )
        pygame.draw.rect(
            image, KEY_EDGE, image.get_rect(), width=max(1, round(2 * s)), border_radius=radius
        )
        if icon:
            _icon(image, icon, pygame.Rect(pad, h // 4, h // 2, h // 2), colour)
        image.blit(text, (pad + icon_w, (h - text.get_height()) // 2))
        return image


def _icon(image: pygame.Surface, kind: str, box: pygame.Rect, colour: tuple[int, ...]) -> None:
    """A loudspeaker with sound waves (listen) or a square (stop), drawn in `box`."""
    if kind == "stop":
        pygame.draw.rect(image, colour, box.inflate(-box.w // 5, -box.h // 5), border_radius=3)
        return
    x, y, w, h = box
    corners = ((0, 0.35), (0.25, 0.35), (0.55, 0.1), (0.55, 0.9), (0.25, 0.65), (0, 0.65))
    body = [(x + w * u, y + h * v) for u, v in corners]
    pygame.draw.polygon(image, colour, body)
    width = max(2, w // 12)
    for i, r in enumerate((0.3, 0.5)):
        arc = pygame.Rect(0, 0, 2 * r * w, 2 * r * h)
        arc.center = (round(x + w * 0.5), round(y + h * 0.5))
        pygame.draw.arc(image, colour, arc, -0.9 + 0.1 * i, 0.9 - 0.1 * i, width)


def _line_of(widths: list[int], width: int, gap: int) -> list[int]:
    """The line each item goes on, filling lines of `width` left to right (an item wider than
    a line has one of its own)."""
    lines, line, used = [], 0, 0
    for w in widths:
        if used and used + gap + w > width:
            line, used = line + 1, 0
        used += (gap if used else 0) + w
        lines.append(line)
    return lines


def _blit(surface: pygame.Surface, image: pygame.Surface, at: tuple[int, int]) -> pygame.Rect:
    """Draw `image` at `at`; its whole rect, the touch target. (What blit returns is clipped:
    the display redraws the overlays clipped to the face's region when only the face moved,
    and a target taken from it shrank to nothing, so Listen took no taps.)"""
    rect = pygame.Rect(at, image.get_size())
    surface.blit(image, rect)
    return rect
