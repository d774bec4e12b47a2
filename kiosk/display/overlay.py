"""What is drawn over the painting: label panel, privacy notice, chevrons, hint, curator panel.

Everything is laid out from the logical screen size and rendered into cached surfaces that
are rebuilt only when their text changes, so drawing a frame is a handful of blits.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field

import pygame

from kiosk.display.gestures import Action

log = logging.getLogger(__name__)

PRIVACY_NOTICE = "This painting is animated live by a computer. The camera image is never stored."

# Calm, warm museum palette (RGB).
_PANEL_BG = (14, 13, 12, 200)
_TITLE = (246, 241, 230)
_META = (206, 198, 184)
_BODY = (228, 222, 211)
_CREDIT = (160, 153, 142)
_NOTICE_BG = (10, 10, 10, 170)
_NOTICE_TEXT = (232, 228, 220)
_NOTICE_DOT = (222, 84, 70)
_CURATOR_BG = (0, 0, 0, 200)
_CURATOR_TEXT = (190, 235, 190)
_CHEVRON_BG = (0, 0, 0, 80)
_CHEVRON = (255, 255, 255, 170)

_SERIF = "georgia,dejavuserif,liberationserif,freeserif"
_SANS = "dejavusans,liberationsans,arial,freesans"
_MONO = "dejavusansmono,liberationmono,couriernew,freemono"
_MAX_LABEL_LINES = 12
_MAX_CURATOR_LINES = 24
_CACHE_LIMIT = 32


@dataclass
class OverlayState:
    """Everything the overlays show this frame (built by the app from exhibit + director)."""

    title: str = ""
    artist: str = ""
    year: str = ""
    label: str = ""
    credit: str = ""
    show_label: bool = False
    camera_on: bool = False  # True: the privacy notice is always drawn
    curator_visible: bool = False
    curator_lines: list[str] = field(default_factory=list)
    status_hint: str = ""  # e.g. "Swipe to see another painting" in attract mode
    fade: float = 1.0  # label panel opacity, 0..1


def _printable(text: str) -> str:
    """Text pygame can render: a file name that is not UTF-8 arrives surrogate-escaped."""
    return text.encode("utf-8", "replace").decode("utf-8")


def wrap_text(font: pygame.font.Font, text: str, max_width: int) -> list[str]:
    """Greedy word wrap to `max_width` pixels; words wider than a line are split."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            while font.size(word)[0] > max_width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and font.size(word[:cut])[0] > max_width:
                    cut -= 1
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:cut])
                word = word[cut:]
            candidate = f"{line} {word}" if line else word
            if font.size(candidate)[0] <= max_width:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


class _LruCache:
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


class OverlayRenderer:
    """Draws an `OverlayState` onto a logical-size surface. Sizes scale with the screen."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = w, h = size
        self.scale = s = min(w, h) / 1080
        self.margin = round(48 * s)
        self.gap = round(16 * s)
        self._fonts: dict[tuple[str, int], pygame.font.Font] = {}
        self._cache = _LruCache()
        self.rects: dict[str, pygame.Rect] = {}  # where things were last drawn (tests, hit areas)
        self._chevrons = self._build_chevrons()

    # -- public -------------------------------------------------------------------------

    def draw(
        self, surface: pygame.Surface, state: OverlayState, painting: pygame.Rect | None = None
    ) -> None:
        """Draw all visible overlays for `state` onto `surface` (logical size).

        With the painting's rect given, the label panel moves into the left letterbox bar
        when that bar is wide enough, so the painting itself stays uncovered.
        """
        self.rects = {}
        for rect, image in self._chevrons:
            surface.blit(image, rect)
        bottom = self.size[1] - self.gap
        if state.camera_on:
            notice = self._notice()
            rect = notice.get_rect(midbottom=(self.size[0] // 2, bottom))
            surface.blit(notice, rect)
            self.rects["notice"] = rect
            bottom = rect.top
        bottom -= self.gap
        if state.show_label and state.fade > 0 and (state.title or state.label):
            panel = self._label_panel(state, self._panel_width(painting))
            panel.set_alpha(round(255 * min(1.0, state.fade)))
            rect = panel.get_rect(bottomleft=(self.margin, bottom))
            surface.blit(panel, rect)
            self.rects["label"] = rect
        if state.status_hint:
            self._draw_hint(surface, state.status_hint, bottom)
        if state.curator_visible:
            panel = self._curator_panel(tuple(state.curator_lines))
            rect = panel.get_rect(topleft=(self.margin, self.margin))
            surface.blit(panel, rect)
            self.rects["curator"] = rect

    def hotspots(self) -> list[tuple[pygame.Rect, Action]]:
        """Touch targets of the chevrons (generous, well over 48 px) in logical pixels."""
        w, h = self.size
        radius = self._chevron_radius()
        zone_w = max(96, 2 * (radius + self._chevron_inset()))
        zone_h = max(3 * radius, round(0.3 * h))
        top = (h - zone_h) // 2
        return [
            (pygame.Rect(0, top, zone_w, zone_h), Action.PREVIOUS),
            (pygame.Rect(w - zone_w, top, zone_w, zone_h), Action.NEXT),
        ]

    # -- fonts and text -----------------------------------------------------------------

    def font(self, kind: str, px: int) -> pygame.font.Font:
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

    def _text(self, kind: str, px: int, text: str, colour: tuple[int, ...]) -> pygame.Surface:
        key = ("text", kind, px, text, colour)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache.put(key, self.font(kind, px).render(text, True, colour))
        return cached

    # -- panels ---------------------------------------------------------------------------

    def _panel_width(self, painting: pygame.Rect | None) -> int:
        s, w = self.scale, self.size[0]
        default = min(w - 2 * self.margin, round(640 * s))
        if painting is not None:
            bar = painting.left - 2 * self.margin
            if round(440 * s) <= bar < default:
                return bar
        return default

    def _label_panel(self, state: OverlayState, width: int) -> pygame.Surface:
        key = ("label", state.title, state.artist, state.year, state.label, state.credit, width)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        s = self.scale
        pad = round(28 * s)
        inner_w = width - 2 * pad
        blocks: list[tuple[pygame.Surface, int]] = []  # (line surface, space before)
        for line in wrap_text(self.font("serif", 46), state.title, inner_w):
            blocks.append((self.font("serif", 46).render(line, True, _TITLE), 0))
        meta = " · ".join(p for p in (state.artist, state.year) if p)
        if meta:
            for line in wrap_text(self.font("sans", 27), meta, inner_w):
                blocks.append((self.font("sans", 27).render(line, True, _META), round(6 * s)))
        body_lines = wrap_text(self.font("sans", 25), state.label, inner_w)
        if len(body_lines) > self._max_body_lines():
            body_lines = body_lines[: self._max_body_lines()]
            body_lines[-1] = body_lines[-1].rstrip(" .,;:") + " …"
        for i, line in enumerate(body_lines):
            blocks.append(
                (
                    self.font("sans", 25).render(line, True, _BODY),
                    round(18 * s) if i == 0 else round(4 * s),
                )
            )
        if state.credit:
            for i, line in enumerate(wrap_text(self.font("sans", 19), state.credit, inner_w)):
                blocks.append(
                    (
                        self.font("sans", 19).render(line, True, _CREDIT),
                        round(16 * s) if i == 0 else 0,
                    )
                )
        height = 2 * pad + sum(img.get_height() + before for img, before in blocks)
        panel = pygame.Surface((inner_w + 2 * pad, height), pygame.SRCALPHA)
        pygame.draw.rect(panel, _PANEL_BG, panel.get_rect(), border_radius=round(18 * s))
        y = pad
        for img, before in blocks:
            y += before
            panel.blit(img, (pad, y))
            y += img.get_height()
        return self._cache.put(key, panel)

    def _max_body_lines(self) -> int:
        # Keep the panel in the lower part of the screen, clear of the chevrons.
        line_h = self.font("sans", 25).get_linesize()
        available = self.size[1] * 0.42 - 200 * self.scale
        return max(2, min(_MAX_LABEL_LINES, int(available // line_h)))

    def _notice(self) -> pygame.Surface:
        key = ("notice", PRIVACY_NOTICE)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        s = self.scale
        text = self._text("sans", 22, PRIVACY_NOTICE, _NOTICE_TEXT)
        if text.get_width() > self.size[0] - 2 * self.gap:  # narrow portrait screens
            text = self._two_line_notice()
        dot_r = max(4, round(7 * s))
        pad_x, pad_y = round(20 * s), round(10 * s)
        w = pad_x + 2 * dot_r + round(12 * s) + text.get_width() + pad_x
        h = text.get_height() + 2 * pad_y
        pill = pygame.Surface((w, h), pygame.SRCALPHA)
        pygame.draw.rect(pill, _NOTICE_BG, pill.get_rect(), border_radius=h // 2)
        centre = (pad_x + dot_r, h // 2)
        pygame.draw.circle(pill, _NOTICE_DOT, centre, dot_r, width=max(1, round(2 * s)))
        pygame.draw.circle(pill, _NOTICE_DOT, centre, max(2, dot_r // 2))
        pill.blit(text, (pad_x + 2 * dot_r + round(12 * s), pad_y))
        return self._cache.put(key, pill)

    def _two_line_notice(self) -> pygame.Surface:
        first, second = PRIVACY_NOTICE.split(". ", 1)
        a = self._text("sans", 22, first + ".", _NOTICE_TEXT)
        b = self._text("sans", 22, second, _NOTICE_TEXT)
        surface = pygame.Surface(
            (max(a.get_width(), b.get_width()), a.get_height() + b.get_height()), pygame.SRCALPHA
        )
        surface.blit(a, (0, 0))
        surface.blit(b, (0, a.get_height()))
        return surface

    def _draw_hint(self, surface: pygame.Surface, hint: str, bottom: int) -> None:
        text = self._text("sans", 23, hint, _NOTICE_TEXT)
        pad_x, pad_y = round(18 * self.scale), round(8 * self.scale)
        rect = pygame.Rect(0, 0, text.get_width() + 2 * pad_x, text.get_height() + 2 * pad_y)
        rect.bottomright = (self.size[0] - self.margin, bottom)
        label = self.rects.get("label")
        if label is not None and rect.colliderect(label):
            rect.bottom = label.top - self.gap
        key = ("hint-bg", rect.size)
        bg = self._cache.get(key)
        if bg is None:
            bg = pygame.Surface(rect.size, pygame.SRCALPHA)
            pygame.draw.rect(bg, _NOTICE_BG, bg.get_rect(), border_radius=rect.height // 2)
            self._cache.put(key, bg)
        surface.blit(bg, rect)
        surface.blit(text, (rect.x + pad_x, rect.y + pad_y))
        self.rects["hint"] = rect

    def _curator_panel(self, lines: tuple[str, ...]) -> pygame.Surface:
        key = ("curator", lines)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        font = self.font("mono", 20)
        shown = list(lines[:_MAX_CURATOR_LINES]) or ["(no status)"]
        if len(lines) > _MAX_CURATOR_LINES:
            shown[-1] = f"... {len(lines) - _MAX_CURATOR_LINES + 1} more lines"
        max_w = self.size[0] - 2 * self.margin
        rendered = [font.render(_printable(line), True, _CURATOR_TEXT) for line in shown]
        pad = round(16 * self.scale)
        w = min(max_w, max(r.get_width() for r in rendered) + 2 * pad)
        h = sum(r.get_height() for r in rendered) + 2 * pad
        panel = pygame.Surface((w, h), pygame.SRCALPHA)
        pygame.draw.rect(panel, _CURATOR_BG, panel.get_rect(), border_radius=round(10 * self.scale))
        y = pad
        for r in rendered:
            panel.blit(r, (pad, y), area=pygame.Rect(0, 0, w - 2 * pad, r.get_height()))
            y += r.get_height()
        return self._cache.put(key, panel)

    # -- chevrons -----------------------------------------------------------------------

    def _chevron_radius(self) -> int:
        return max(28, round(36 * self.scale))  # diameter >= 56 px: a comfortable target

    def _chevron_inset(self) -> int:
        return round(20 * self.scale)

    def _build_chevrons(self) -> list[tuple[pygame.Rect, pygame.Surface]]:
        r, inset = self._chevron_radius(), self._chevron_inset()
        w, h = self.size
        out = []
        for direction, cx in ((-1, inset + r), (1, w - inset - r)):
            image = pygame.Surface((2 * r, 2 * r), pygame.SRCALPHA)
            pygame.draw.circle(image, _CHEVRON_BG, (r, r), r)
            arm = r * 0.38
            tip = (r + direction * arm * 0.55, r)
            back = r - direction * arm * 0.45
            points = [(back, r - arm), tip, (back, r + arm)]
            pygame.draw.lines(image, _CHEVRON, False, points, max(2, round(3 * self.scale)))
            out.append((image.get_rect(center=(cx, h // 2)), image))
        return out
