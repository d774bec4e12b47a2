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


class ListenControls:
    def __init__(self, style: Style, fonts: SpeechFonts) -> None:
        self._style = style
        self._fonts = fonts
        self._cache = SurfaceCache(limit=24)  # its own: never pushes out the label panel

    def draw(
        self, surface: pygame.Surface, view: SpeechView, row: pygame.Rect, button_h: int
    ) -> list[tuple[pygame.Rect, str]]:
        """Draw the buttons left to right in `row`; their rects and ids ("listen", "stop",
        "lang:CODE") for hit-testing."""
        st = self._style
        targets: list[tuple[pygame.Rect, str]] = []
        x = row.x
        main = "stop" if view.speaking else "listen"
        word = "Stop" if view.speaking else "Listen"
        image = self._button(main, word, button_h, view.can_listen or view.speaking, False)
        targets.append((_blit(surface, image, (x, row.y)), main))
        x += image.get_width() + st.gap
        if len(view.languages) > 1:
            for code in view.languages:
                image = self._button("", language_name(code), button_h, True, code == view.language)
                targets.append((_blit(surface, image, (x, row.y)), f"lang:{code}"))
                x += image.get_width() + st.gap
        if view.status:  # on a dark pill: it may stand over the painting
            text = self._fonts.get(max(14, round(24 * st.scale))).render(view.status, True, TITLE)
            pill = text.get_rect().inflate(2 * st.gap, st.gap)
            pill.midleft = (x, row.centery)
            pygame.draw.rect(surface, _FILL[:3], pill, border_radius=pill.h // 2)
            surface.blit(text, text.get_rect(center=pill.center))
        return targets

    def _button(self, icon: str, word: str, h: int, enabled: bool, chosen: bool) -> pygame.Surface:
        key = (icon, word, h, enabled, chosen)
        image = self._cache.get(key)
        return image or self._cache.put(key, self._build(icon, word, h, enabled, chosen))

    def _build(self, icon: str, word: str, h: int, enabled: bool, chosen: bool) -> pygame.Surface:
        s = self._style.scale
        colour = TITLE if enabled else _DIM
        text = self._fonts.get(max(16, round(30 * s)), bold=bool(icon)).render(word, True, colour)
        pad = round(20 * s)
        icon_w = h // 2 + pad // 2 if icon else 0
        image = pygame.Surface((pad + icon_w + text.get_width() + pad, h), pygame.SRCALPHA)
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


def _blit(surface: pygame.Surface, image: pygame.Surface, at: tuple[int, int]) -> pygame.Rect:
    """Draw `image` at `at`; its whole rect, the touch target. (What blit returns is clipped:
    the display redraws the overlays clipped to the face's region when only the face moved,
    and a target taken from it shrank to nothing, so Listen took no taps.)"""
    rect = pygame.Rect(at, image.get_size())
    surface.blit(image, rect)
    return rect
