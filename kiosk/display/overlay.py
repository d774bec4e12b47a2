"""What is drawn over the painting: label panel, privacy notice, chevrons, hint, curator panel
with its touch buttons, and the curator's PIN pad.

Everything is laid out from the logical screen size and rendered into cached surfaces that
are rebuilt only when their text changes, so drawing a frame is a handful of blits.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pygame

from kiosk.display.curator_access import (
    CANCEL,
    OK,
    PAD_KEYS,
    PANEL_BUTTONS,
    QUIT_CONFIRM_LABEL,
    AccessView,
)
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
_DIM = (0, 0, 0, 165)
_PAD_BG = (22, 20, 18, 240)
_KEY_BG = (62, 58, 53)
_KEY_EDGE = (96, 90, 82)
_OK_BG = (46, 112, 72)
_CANCEL_BG = (84, 62, 56)
_ERROR = (244, 132, 112)
_BUTTON_BG = (30, 28, 26, 225)
_QUIT_BG = (128, 44, 36, 235)
_QUIT_ARMED_BG = (214, 58, 40, 255)
_RING = (246, 241, 230, 220)
_RING_TRACK = (0, 0, 0, 110)
_RING_FROM = 0.3  # a brief touch in the corner shows nothing; a held one shows a filling ring

_SERIF = "georgia,dejavuserif,liberationserif,freeserif"
_SANS = "dejavusans,liberationsans,arial,freesans"
_MONO = "dejavusansmono,liberationmono,couriernew,freemono"
_MAX_LABEL_LINES = 12
_MAX_CURATOR_LINES = 24
_CACHE_LIMIT = 32
# The panel lays out at most this many characters of any one text, so what a curator pastes
# cannot stall the display thread. The body shows at most 12 lines (_MAX_LABEL_LINES) of at
# most ~100 characters (the narrowest glyphs, "i" and "l", are 6 px at 25 px in a 584 px line),
# about 1,200 characters; 4,000 leaves room for combining marks. Nothing beyond could be seen.
_MAX_LAYOUT_CHARS = 4_000
_FIRST_GUESS = 16  # characters tried first for a paragraph's first line; later lines start
# from the length of the line before, which is usually within a few characters
_ZWJ = "\u200d"  # zero-width joiner: emoji sequences built with it are not split
_VISIBLE = re.compile(r"\S")


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


def wrap_text(
    font: pygame.font.Font, text: str, max_width: int, max_lines: int | None = None
) -> list[str]:
    """Greedy word wrap to `max_width` pixels; words wider than a line are split.

    Runs of whitespace become one space, each line of `text` starts a new line and trailing
    blank lines are dropped. `max_lines` stops early, with the first that many lines of the
    full wrap. Each line is found by a search over measured prefixes (a few measurements about a
    line long), so the work grows linearly with the text, for words without spaces (CJK, a
    pasted URL) as for English.
    """
    lines: list[str] = []
    blanks = 0  # blank lines seen and not yet kept: they are kept only if text follows them
    for line in _wrapped_lines(font, text, max_width):
        if not line:
            blanks += 1
            continue
        lines.extend([""] * (blanks if max_lines is None else min(blanks, max_lines)))
        lines.append(line)
        blanks = 0
        if max_lines is not None and len(lines) >= max_lines:
            return lines[:max_lines]
    return lines


def _wrapped_lines(font: pygame.font.Font, text: str, max_width: int) -> Iterator[str]:
    """The lines of `wrap_text`, one at a time, blank ones included."""
    for paragraph in text.splitlines() or [""]:
        words = " ".join(paragraph.split())
        if not words:
            yield ""
            continue
        start, guess = 0, _FIRST_GUESS
        while start < len(words):
            fit = _fitting_chars(font, words, start, max_width, guess)
            end = start + fit
            if end == len(words):
                yield words[start:]
                break
            space = words.rfind(" ", start, end + 1)
            if space > start:  # the line ends at the last space that fits
                yield words[start:space]
                start = space + 1
            else:  # one word wider than the line: as much of it as fits
                cut = _cluster_boundary(words, end, start)
                if cut == start:  # its first character alone is too wide: it goes anyway
                    cut = max(end, start + 1)
                yield words[start:cut]
                start = cut + words.startswith(" ", cut)  # a one-letter word may end there
            guess = max(1, fit)


def _fitting_chars(
    font: pygame.font.Font, text: str, start: int, max_width: int, guess: int
) -> int:
    """How many characters of `text` from `start` fit in `max_width` pixels."""
    return _longest(
        lambda n: font.size(text[start : start + n])[0] <= max_width, len(text) - start, guess
    )


def _longest(fits: Callable[[int], bool], limit: int, guess: int) -> int:
    """The largest n in 0..limit with fits(n), for `fits` true up to some n and false beyond.

    Steps away from `guess` by 1, 2, 4, ... until the answer is bracketed, then bisects: a
    good guess costs two or three calls, any guess O(log n).
    """
    lo, hi = 0, limit + 1  # fits(lo) holds (nothing fits in any width); fits(hi) does not
    probe, step = min(max(guess, 1), limit), 1
    if fits(probe):
        lo = probe
        while lo < limit:
            probe = min(lo + step, limit)
            if not fits(probe):
                hi = probe
                break
            lo, step = probe, 2 * step
    else:
        hi = probe
        while hi - step > lo:
            probe = hi - step
            if fits(probe):
                lo = probe
                break
            hi, step = probe, 2 * step
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid
    return lo


def _cluster_boundary(text: str, i: int, low: int) -> int:
    """The last index at or before `i`, and above `low`, that does not part a character from
    its combining marks or break a ZWJ sequence; `low` if there is none."""
    while low < i < len(text) and (
        unicodedata.category(text[i]).startswith("M") or _ZWJ in (text[i], text[i - 1])
    ):
        i -= 1
    return i


def _with_ellipsis(font: pygame.font.Font, line: str, max_width: int) -> str:
    """`line` ending in " …" to say the text goes on, shortened if need be to fit `max_width`."""
    marked = line.rstrip(" .,;:") + " …"
    if font.size(marked)[0] <= max_width:
        return marked
    keep = _longest(lambda n: font.size(line[:n] + " …")[0] <= max_width, len(line), len(line))
    space = line.rfind(" ", 0, keep + 1)
    if space > keep // 2:  # end on a whole word unless that leaves a short line (CJK has none)
        keep = space
    keep = _cluster_boundary(line, keep, 0)
    return line[:keep].rstrip(" .,;:") + " …"


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
        self._buttons = self._layout_panel_buttons()
        self._pad_box, self._pad_header, self._pad_keys = self._layout_pin_pad()
        self._dim: pygame.Surface | None = None

    # -- public -------------------------------------------------------------------------

    def draw(
        self,
        surface: pygame.Surface,
        state: OverlayState,
        painting: pygame.Rect | None = None,
        access: AccessView | None = None,
    ) -> None:
        """Draw all visible overlays for `state` onto `surface` (logical size).

        With the painting's rect given, the label panel moves into the left letterbox bar
        when that bar is wide enough, so the painting itself stays uncovered. `access` adds
        what the Display knows about curator access: the long-press ring, the panel's quit
        confirmation and the PIN pad (drawn last, over everything).
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
        access = access or AccessView()
        if state.curator_visible:
            self._draw_panel_buttons(surface, access.quit_armed)
            row = self._buttons[0][0].unionall([r for r, _ in self._buttons])
            panel = self._curator_panel(tuple(state.curator_lines), row.width)
            top = row.bottom + self.gap
            rect = panel.get_rect(topleft=(self.margin, top))
            surface.blit(panel, rect)
            self.rects["curator"] = rect
        if access.hold_progress >= _RING_FROM and not access.pad_open:
            self._draw_hold_ring(surface, access.hold_progress)
        if access.pad_open:
            self._draw_pin_pad(surface, access)

    def access_zone(self) -> pygame.Rect:
        """The top-left corner where a curator's long press starts (120 px, at least 48)."""
        side = max(48, round(120 * self.scale))
        return pygame.Rect(0, 0, side, side)

    def panel_buttons(self) -> list[tuple[pygame.Rect, Action]]:
        """Touch targets of the curator panel's buttons (at least 64 px tall)."""
        return list(self._buttons)

    def pin_pad_keys(self) -> dict[str, pygame.Rect]:
        """Touch targets of the PIN pad's keys (at least 72 px square), by key name."""
        return dict(self._pad_keys)

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
        for line in self._wrap("serif", 46, state.title, inner_w):
            blocks.append((self.font("serif", 46).render(line, True, _TITLE), 0))
        meta = " · ".join(p for p in (state.artist, state.year) if p)
        if meta:
            for line in self._wrap("sans", 27, meta, inner_w):
                blocks.append((self.font("sans", 27).render(line, True, _META), round(6 * s)))
        shown = self._max_body_lines()
        body_lines = self._wrap("sans", 25, state.label, inner_w, shown + 1)  # +1: is there more?
        cut = _VISIBLE.search(state.label, _MAX_LAYOUT_CHARS) is not None
        if body_lines and (len(body_lines) > shown or cut):
            body_lines = body_lines[:shown]
            body_lines[-1] = _with_ellipsis(self.font("sans", 25), body_lines[-1], inner_w)
        for i, line in enumerate(body_lines):
            blocks.append(
                (
                    self.font("sans", 25).render(line, True, _BODY),
                    round(18 * s) if i == 0 else round(4 * s),
                )
            )
        if state.credit:
            for i, line in enumerate(self._wrap("sans", 19, state.credit, inner_w)):
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

    def _wrap(
        self, kind: str, px: int, text: str, width: int, max_lines: int | None = None
    ) -> list[str]:
        """`wrap_text` in the panel's font, of at most _MAX_LAYOUT_CHARS characters of `text`."""
        return wrap_text(self.font(kind, px), text[:_MAX_LAYOUT_CHARS], width, max_lines)

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

    def _curator_panel(self, lines: tuple[str, ...], min_width: int = 0) -> pygame.Surface:
        key = ("curator", lines, min_width)
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
        w = min(max_w, max(min_width, max(r.get_width() for r in rendered) + 2 * pad))
        h = sum(r.get_height() for r in rendered) + 2 * pad
        panel = pygame.Surface((w, h), pygame.SRCALPHA)
        pygame.draw.rect(panel, _CURATOR_BG, panel.get_rect(), border_radius=round(10 * self.scale))
        y = pad
        for r in rendered:
            panel.blit(r, (pad, y), area=pygame.Rect(0, 0, w - 2 * pad, r.get_height()))
            y += r.get_height()
        return self._cache.put(key, panel)

    # -- curator access -------------------------------------------------------------------

    def _layout_panel_buttons(self) -> list[tuple[pygame.Rect, Action]]:
        n, w = len(PANEL_BUTTONS), self.size[0]
        bw = min(round(230 * self.scale), (w - 2 * self.margin - (n - 1) * self.gap) // n)
        bh = max(64, round(84 * self.scale))
        return [
            (pygame.Rect(self.margin + i * (bw + self.gap), self.margin, bw, bh), action)
            for i, (_, action) in enumerate(PANEL_BUTTONS)
        ]

    def _layout_pin_pad(self) -> tuple[pygame.Rect, pygame.Rect, dict[str, pygame.Rect]]:
        """(box, header, keys): a 3 x 4 keypad under its header, or beside it on short screens."""
        w, h = self.size
        key = max(72, round(112 * self.scale))
        gap = max(8, round(16 * self.scale))
        pad = max(12, round(32 * self.scale))
        grid_w, grid_h = 3 * key + 2 * gap, 4 * key + 3 * gap
        header_h = max(108, round(162 * self.scale))
        stacked = pad + header_h + gap + grid_h + pad <= h - 2 * gap
        if stacked:
            box = pygame.Rect(0, 0, grid_w + 2 * pad, 2 * pad + header_h + gap + grid_h)
        else:
            box = pygame.Rect(0, 0, 2 * pad + grid_w + gap + grid_w, 2 * pad + grid_h)
        box.center = (w // 2, h // 2)
        if stacked:
            header = pygame.Rect(box.x + pad, box.y + pad, grid_w, header_h)
            grid_x, grid_y = box.x + pad, header.bottom + gap
        else:
            header = pygame.Rect(box.x + pad, box.y + pad, grid_w, grid_h)
            grid_x, grid_y = header.right + gap, box.y + pad
        keys = {
            name: pygame.Rect(
                grid_x + (i % 3) * (key + gap), grid_y + (i // 3) * (key + gap), key, key
            )
            for i, name in enumerate(PAD_KEYS)
        }
        return box, header, keys

    def _fitted_text(
        self, kind: str, px: int, text: str, colour: tuple[int, ...], max_w: int
    ) -> pygame.Surface:
        """Text at `px`, or smaller until it fits `max_w` (button labels on narrow screens)."""
        image = self._text(kind, px, text, colour)
        while image.get_width() > max_w and px > 12:
            px = round(px * 0.88)
            image = self._text(kind, px, text, colour)
        return image

    def _button(
        self, size: tuple[int, int], label: str, fill: tuple[int, ...], px: int
    ) -> pygame.Surface:
        key = ("button", size, label, fill, px)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        image = pygame.Surface(size, pygame.SRCALPHA)
        radius = round(14 * self.scale) + 4
        pygame.draw.rect(image, fill, image.get_rect(), border_radius=radius)
        pygame.draw.rect(
            image,
            _KEY_EDGE,
            image.get_rect(),
            width=max(1, round(2 * self.scale)),
            border_radius=radius,
        )
        text = self._fitted_text("sans", px, label, _TITLE, size[0] - 2 * self.gap)
        image.blit(text, text.get_rect(center=(size[0] // 2, size[1] // 2)))
        return self._cache.put(key, image)

    def _draw_panel_buttons(self, surface: pygame.Surface, quit_armed: bool) -> None:
        for (rect, action), (label, _) in zip(self._buttons, PANEL_BUTTONS, strict=True):
            fill = _BUTTON_BG
            if action is Action.QUIT:
                fill = _QUIT_ARMED_BG if quit_armed else _QUIT_BG
                label = QUIT_CONFIRM_LABEL if quit_armed else label
            surface.blit(self._button(rect.size, label, fill, 28), rect)
        self.rects["panel_buttons"] = self._buttons[0][0].unionall([r for r, _ in self._buttons])

    def _draw_hold_ring(self, surface: pygame.Surface, progress: float) -> None:
        zone = self.access_zone()
        radius = round(zone.width * 0.32)
        width = max(3, round(6 * self.scale))
        ring = pygame.Surface((2 * radius + 2, 2 * radius + 2), pygame.SRCALPHA)
        box = ring.get_rect()
        pygame.draw.circle(ring, _RING_TRACK, box.center, radius)
        start = math.pi / 2 - 2 * math.pi * progress  # clockwise from twelve o'clock
        pygame.draw.arc(ring, _RING, box.inflate(-2, -2), start, math.pi / 2, width)
        rect = ring.get_rect(center=zone.center)
        surface.blit(ring, rect)
        self.rects["hold_ring"] = rect

    def _draw_pin_pad(self, surface: pygame.Surface, access: AccessView) -> None:
        if self._dim is None:
            self._dim = pygame.Surface(self.size, pygame.SRCALPHA)
            self._dim.fill(_DIM)
        surface.blit(self._dim, (0, 0))
        surface.blit(self._pin_pad_body(access.locked), self._pad_box)
        header = self._pad_header
        # Three equal rows: title, one dot per digit entered, message.
        row = header.height // 3
        top = header.centery - 3 * row // 2
        title = self._text("sans", 34, "Curator PIN", _TITLE)
        surface.blit(title, title.get_rect(center=(header.centerx, top + row // 2)))
        dot_r, step = max(6, round(11 * self.scale)), max(18, round(34 * self.scale))
        x0 = header.centerx - (access.digits - 1) * step // 2
        for i in range(access.digits):
            pygame.draw.circle(surface, _TITLE, (x0 + i * step, top + 3 * row // 2), dot_r)
        if access.message:
            text = self._fitted_text("sans", 24, access.message, _ERROR, header.width)
            surface.blit(text, text.get_rect(center=(header.centerx, top + 5 * row // 2)))
        self.rects["pin_pad"] = self._pad_box

    def _pin_pad_body(self, locked: bool) -> pygame.Surface:
        """The pad's box and keys (static; keys dimmed while locked out)."""
        key = ("pin_pad", locked)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        box = self._pad_box
        body = pygame.Surface(box.size, pygame.SRCALPHA)
        pygame.draw.rect(body, _PAD_BG, body.get_rect(), border_radius=round(24 * self.scale) + 6)
        for name, rect in self._pad_keys.items():
            fill = {OK: _OK_BG, CANCEL: _CANCEL_BG}.get(name, _KEY_BG)
            px = 44 if name.isdigit() else 28
            image = self._button(rect.size, name, fill, px)
            if locked and name != CANCEL:
                image = image.copy()
                image.set_alpha(90)
            body.blit(image, rect.move(-box.x, -box.y))
        return self._cache.put(key, body)

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
