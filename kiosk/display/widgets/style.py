"""What every overlay widget shares: the screen's scale and spacing, the palette, fonts, and a
bounded cache of rendered surfaces (rebuilt only when their text changes)."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable

import pygame

log = logging.getLogger(__name__)

# Calm, warm museum palette (RGB): the colours more than one widget uses.
TITLE = (246, 241, 230)
NOTICE_BG = (10, 10, 10, 170)
NOTICE_TEXT = (232, 228, 220)
KEY_EDGE = (96, 90, 82)

_SERIF = "georgia,dejavuserif,liberationserif,freeserif"
_SANS = "dejavusans,liberationsans,arial,freesans"
_MONO = "dejavusansmono,liberationmono,couriernew,freemono"
_CACHE_LIMIT = 32


class SurfaceCache:
    """A small bounded cache: the kiosk runs for weeks, so nothing grows without limit."""

    def __init__(self, limit: int = _CACHE_LIMIT) -> None:
        self.limit = limit
        self._items: OrderedDict[object, pygame.Surface] = OrderedDict()

    def get(self, key: object) -> pygame.Surface | None:
        surface = self._items.get(key)
        if surface is not None:
            self._items.move_to_end(key)
        return surface

    def put(self, key: object, surface: pygame.Surface) -> pygame.Surface:
        self._items[key] = surface
        self._items.move_to_end(key)
        while len(self._items) > self.limit:
            self._items.popitem(last=False)
        return surface

    def __len__(self) -> int:
        return len(self._items)


class Style:
    """Sizes scale with the screen (1.0 at 1080 px on the short side); one per logical size."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = w, h = size
        self.scale = s = min(w, h) / 1080
        self.margin = round(48 * s)
        self.gap = round(16 * s)
        self._fonts: dict[tuple[str, int], pygame.font.Font] = {}
        self.cache = SurfaceCache()

    def cached(self, key: object, build: Callable[[], pygame.Surface]) -> pygame.Surface:
        """The surface cached under `key`, built (and cached) on a miss."""
        surface = self.cache.get(key)
        if surface is None:
            surface = self.cache.put(key, build())
        return surface

    def font(self, kind: str, px: int) -> pygame.font.Font:
        """The "serif", "sans" or "mono" font at `px` (at 1080 px; scaled, at least 10)."""
        size = max(10, round(px * self.scale))
        key = (kind, size)
        if key not in self._fonts:
            names = {"serif": _SERIF, "sans": _SANS, "mono": _MONO}[kind]
            try:
                self._fonts[key] = pygame.font.SysFont(names, size)
            except Exception as exc:  # no fontconfig etc.: the built-in font always works
                log.info("system font %s unavailable (%s); using the default", kind, exc)
                self._fonts[key] = pygame.font.Font(None, size)
        return self._fonts[key]

    def text(self, kind: str, px: int, text: str, colour: tuple[int, ...]) -> pygame.Surface:
        """One line of text, rendered once."""
        return self.cached(
            ("text", kind, px, text, colour),
            lambda: self.font(kind, px).render(text, True, colour),
        )

    def fitted_text(
        self, kind: str, px: int, text: str, colour: tuple[int, ...], max_w: int
    ) -> pygame.Surface:
        """Text at `px`, or smaller until it fits `max_w` (button labels on narrow screens)."""
        image = self.text(kind, px, text, colour)
        while image.get_width() > max_w and px > 12:
            px = round(px * 0.88)
            image = self.text(kind, px, text, colour)
        return image

    def button(
        self, size: tuple[int, int], label: str, fill: tuple[int, ...], px: int
    ) -> pygame.Surface:
        """A rounded, edged touch button with its label centred (panel buttons, pad keys)."""
        return self.cached(
            ("button", size, label, fill, px), lambda: self._button(size, label, fill, px)
        )

    def _button(
        self, size: tuple[int, int], label: str, fill: tuple[int, ...], px: int
    ) -> pygame.Surface:
        image = pygame.Surface(size, pygame.SRCALPHA)
        radius = round(14 * self.scale) + 4
        pygame.draw.rect(image, fill, image.get_rect(), border_radius=radius)
        pygame.draw.rect(
            image,
            KEY_EDGE,
            image.get_rect(),
            width=max(1, round(2 * self.scale)),
            border_radius=radius,
        )
        text = self.fitted_text("sans", px, label, TITLE, size[0] - 2 * self.gap)
        image.blit(text, text.get_rect(center=(size[0] // 2, size[1] // 2)))
        return image
