"""Where the overlays go on a given screen, painting and face: the rules that keep the painted
face uncovered and leave no dead touch zone.

Pure geometry in logical pixels (pygame.Rect only), worked out once per screen, painting and
face; the widgets draw into the areas it gives. This module decides where every overlay goes:
the label, the speech buttons that travel with it, the captions, the curator panel.

The rules:
- the face (`keep_clear`: the face box grown for forehead, hair and chin) is never covered by
  the label or the curator panel;
- the label goes beside the painting (in a letterbox bar) when a bar is wide enough; otherwise
  it lies over the painting in the larger band above or below the face, bottom first;
- a touch target a panel covers is inactive (and not drawn): there is no zone that looks
  tappable but takes the tap for something else;
- the speech row (Listen / Stop / languages) is part of the label's room: it sits against the
  label panel's open side (above a panel that hugs the bottom, below one that hugs the top),
  so it goes wherever the label goes and is as clear of the face;
- captions go in a band along the bottom (else the top) clear of the face, the label, the
  speech row and the chevrons' zones, else in the biggest free part of the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pygame

__all__ = [
    "ScreenLayout",
    "caption_area",
    "face_keep_clear",
    "label_placement",
    "largest_free_rect",
    "panel_buttons",
    "panel_status_area",
    "screen_layout",
    "speech_row",
]

# The narrowest label worth showing (at 1080 px on the short side): about 30 characters a line.
LABEL_MIN_WIDTH = 380
LABEL_MAX_WIDTH = 640
# The least height a label needs over the painting: the title and two lines of text.
LABEL_MIN_HEIGHT = 190


@dataclass(frozen=True, slots=True)
class LabelPlacement:
    """Where the label panel may go: `area` (it is at most this big) and which edge of the area
    it hugs ("bottom" or "top"); `beside` is True when the area is outside the painting."""

    area: pygame.Rect
    anchor: str
    beside: bool


@dataclass(frozen=True, slots=True)
class ScreenLayout:
    """One screen's overlay areas (logical pixels). `keep_clear` is None when no face is known;
    `label.area` excludes the room kept for the speech row (`speech_row_h` tall, 0: no row);
    `bottom` is the lowest the overlays reach (above the privacy notice)."""

    screen: pygame.Rect
    painting: pygame.Rect
    keep_clear: pygame.Rect | None
    label: LabelPlacement
    speech_row_h: int = 0
    bottom: int = 0

    @property
    def label_area(self) -> pygame.Rect:
        """The most room the label panel may take (it hugs `label.anchor` inside it)."""
        return pygame.Rect(self.label.area)


def face_keep_clear(face: pygame.Rect, painting: pygame.Rect) -> pygame.Rect:
    """The face box (landmarks' bounds, on screen) grown to what a visitor sees as the face:
    a third more above for forehead and hair, a sixth to each side and below for ears and chin;
    kept within the painting."""
    grown = pygame.Rect(
        face.x - face.w // 6,
        face.y - face.h // 3,
        face.w + 2 * (face.w // 6),
        face.h + face.h // 3 + face.h // 6,
    )
    return grown.clip(painting) if grown.colliderect(painting) else grown


def label_placement(
    screen: pygame.Rect,
    painting: pygame.Rect,
    keep_clear: pygame.Rect | None,
    *,
    scale: float,
    margin: int,
    gap: int,
    side_reserve: int,
    bottom: int,
    row_room: Callable[[int], int] = lambda width: 0,
) -> LabelPlacement:
    """Where the label (with the speech row) goes. `side_reserve`: the width at each screen
    side kept for the chevrons' tap zones; `bottom`: the lowest the label may reach (above the
    privacy notice); `row_room(width)`: the height the speech row and its gap take at that
    width (0: no row). The area returned includes the row's room."""
    min_w, max_w = round(LABEL_MIN_WIDTH * scale), round(LABEL_MAX_WIDTH * scale)
    top = margin
    # Beside the painting: a side bar (the label sits under the chevrons' zone in its bar, so
    # the bar needs only the label's width) or a bar above or below the painting.
    left_bar = pygame.Rect(gap, top, painting.left - 2 * gap, bottom - top)
    right_bar = pygame.Rect(painting.right + gap, top, screen.right - painting.right - 2 * gap,
                            bottom - top)  # fmt: skip
    for bar in (left_bar, right_bar):
        if bar.w >= min_w:
            bar.w = min(bar.w, max_w)
            return LabelPlacement(bar, "bottom", beside=True)
    inner = pygame.Rect(side_reserve, 0, screen.w - 2 * side_reserve, 0)
    width = min(max_w, inner.w)
    x = inner.x + (inner.w - width) // 2 if width < inner.w else inner.x
    under = pygame.Rect(x, painting.bottom + gap, width, bottom - painting.bottom - gap)
    over = pygame.Rect(x, top, width, painting.top - gap - top)
    enough = round(LABEL_MIN_HEIGHT * scale) + row_room(width)
    for bar, anchor in ((under, "bottom"), (over, "top")):
        if bar.h >= enough:
            return LabelPlacement(bar, anchor, beside=True)
    # Over the painting: below the face when that band holds a label, else the bigger band.
    if keep_clear is None:
        return LabelPlacement(pygame.Rect(x, top, width, bottom - top), "bottom", beside=False)
    below = pygame.Rect(x, keep_clear.bottom + gap, width, bottom - keep_clear.bottom - gap)
    above = pygame.Rect(x, top, width, keep_clear.top - gap - top)
    if below.h >= enough:
        return LabelPlacement(below, "bottom", beside=False)
    if above.h >= enough:
        return LabelPlacement(above, "top", beside=False)
    # A face filling the screen: the widest bar, however narrow, or the biggest free part.
    bar = max(left_bar, right_bar, key=lambda r: r.w)
    if bar.w >= round(LABEL_MIN_WIDTH * scale * 0.6):
        return LabelPlacement(bar, "bottom", beside=True)
    room = pygame.Rect(gap, top, screen.w - 2 * gap, bottom - top)
    free = largest_free_rect(room, [keep_clear], gap, max_width=max_w)
    return LabelPlacement(free, "bottom", beside=False)


def largest_free_rect(
    room: pygame.Rect, obstacles: list[pygame.Rect], gap: int, max_width: int = 900
) -> pygame.Rect:
    """The biggest rectangle inside `room` that keeps `gap` from every obstacle (by area, with
    widths over `max_width` counting as `max_width`: a text box wider than that gains nothing).
    Tries every rectangle whose sides lie on the room's or an obstacle's edges (a few hundred
    at most); an empty rect at the room's corner when there is no room at all."""
    grown = [o.inflate(2 * gap, 2 * gap) for o in obstacles]
    xs = sorted({room.left, room.right, *[c for o in grown for c in (o.left, o.right)]})
    ys = sorted({room.top, room.bottom, *[c for o in grown for c in (o.top, o.bottom)]})
    xs = [x for x in xs if room.left <= x <= room.right]
    ys = [y for y in ys if room.top <= y <= room.bottom]
    best, best_score = pygame.Rect(room.topleft, (0, 0)), 0
    for i, x0 in enumerate(xs):
        for x1 in xs[i + 1 :]:
            for j, y0 in enumerate(ys):
                for y1 in ys[j + 1 :]:
                    rect = pygame.Rect(x0, y0, x1 - x0, y1 - y0)
                    score = min(rect.w, max_width) * rect.h
                    if score > best_score and rect.collidelist(grown) < 0:
                        best, best_score = rect, score
    return best


def panel_buttons(
    buttons: list[pygame.Rect], screen: pygame.Rect, keep_clear: pygame.Rect | None,
    margin: int, gap: int, bottom: int,
) -> list[pygame.Rect]:  # fmt: skip
    """The curator panel's buttons, laid out in a row along the top as given, or moved clear
    of the face: a column down the left or the right side, else a row ending at `bottom`
    (above the privacy notice)."""
    row = buttons[0].unionall(buttons)
    column_h = sum(b.h for b in buttons) + gap * (len(buttons) - 1)
    top = (screen.h - column_h) // 2
    layouts = [
        list(buttons),
        *[
            [pygame.Rect(x, top + i * (b.h + gap), b.w, b.h) for i, b in enumerate(buttons)]
            for x in (margin, screen.right - margin - buttons[0].w)
        ],
        [b.move(0, bottom - row.bottom) for b in buttons],
    ]
    for layout in layouts:
        if keep_clear is None or not layout[0].unionall(layout).colliderect(keep_clear):
            return layout
    return list(buttons)  # no place misses the face: a curator at work, the top as always


def panel_status_area(
    screen: pygame.Rect, buttons: pygame.Rect, keep_clear: pygame.Rect | None,
    margin: int, gap: int,
) -> pygame.Rect:  # fmt: skip
    """Where the curator panel's status lines go: the biggest part of the screen (within its
    margins) clear of the buttons and the face."""
    room = screen.inflate(-2 * margin, -2 * margin)
    obstacles = [buttons] + ([keep_clear] if keep_clear is not None else [])
    return largest_free_rect(room, obstacles, gap)


def screen_layout(
    screen: pygame.Rect, painting: pygame.Rect, keep_clear: pygame.Rect | None, *,
    scale: float, margin: int, gap: int, side_reserve: int, bottom: int,
    row_height: Callable[[int], int] | None = None,
) -> ScreenLayout:  # fmt: skip
    """The label's place, with room for the speech row (`row_height(width)`: its height at a
    label width; None: no speech row) taken from the area's open side."""

    def row_room(width: int) -> int:
        return row_height(width) + gap if row_height is not None else 0

    place = label_placement(
        screen, painting, keep_clear, scale=scale, margin=margin, gap=gap,
        side_reserve=side_reserve, bottom=bottom, row_room=row_room,
    )  # fmt: skip
    area = pygame.Rect(place.area)
    room = row_room(area.w)
    if room > area.h:  # a face filling the screen leaves no room for a row: none is drawn
        room = 0
    row_h = max(0, room - gap)
    area.h -= room
    if place.anchor == "bottom":
        area.y += room
    label = LabelPlacement(area, place.anchor, place.beside)
    return ScreenLayout(screen, pygame.Rect(painting), keep_clear, label, row_h, bottom)


def speech_row(layout: ScreenLayout, panel: pygame.Rect | None, gap: int) -> pygame.Rect:
    """The speech buttons' row, as wide as the label's area: against the label `panel` as
    drawn on its open side (above it when it hugs the bottom, below when it hugs the top), or
    at the label's anchored edge when no panel is shown. Always inside the room the layout
    kept for label and row, so it is as clear of the face as the label is."""
    area, h = layout.label.area, layout.speech_row_h
    if layout.label.anchor == "bottom":
        y = (panel.top - gap if panel is not None else area.bottom) - h
    else:
        y = panel.bottom + gap if panel is not None else area.top
    return pygame.Rect(area.x, y, area.w, h)


def caption_area(
    layout: ScreenLayout, obstacles: list[pygame.Rect], *, want_h: int, min_h: int,
    min_w: int, max_w: int, margin: int, gap: int,
) -> pygame.Rect | None:  # fmt: skip
    """Where captions go (`want_h` tall for their most lines, at least `min_h` for one),
    keeping `gap` from the face's keep-clear box and every obstacle (the label, the speech
    row, the chevrons' zones): a band along the bottom, else along the top, at most `max_w`
    wide and centred in its free span; else the biggest free part of the screen. None when
    no place is at least `min_w` by `min_h`."""
    screen = layout.screen
    room = pygame.Rect(margin, margin, screen.w - 2 * margin, layout.bottom - margin)
    blocked = obstacles + ([layout.keep_clear] if layout.keep_clear is not None else [])
    h = min(want_h, room.h)
    for y in (room.bottom - h, room.top):
        span = _widest_free_span(pygame.Rect(room.x, y, room.w, h), blocked, gap)
        if span.w >= min_w:
            return _centred(span, max_w)
    free = largest_free_rect(room, blocked, gap, max_width=max_w)
    if free.w < min_w or free.h < min_h:
        return None
    free.h, free.y = min(free.h, want_h), free.bottom - min(free.h, want_h)
    return _centred(free, max_w)


def _widest_free_span(band: pygame.Rect, obstacles: list[pygame.Rect], gap: int) -> pygame.Rect:
    """The widest part of `band` (its full height) that keeps `gap` from every obstacle."""
    cuts = sorted(
        (o.left - gap, o.right + gap)
        for o in obstacles
        if o.inflate(2 * gap, 2 * gap).colliderect(band)
    )
    best, x = pygame.Rect(band.x, band.y, 0, band.h), band.left
    for left, right in [*cuts, (band.right, band.right)]:
        if min(left, band.right) - x > best.w:
            best = pygame.Rect(x, band.y, min(left, band.right) - x, band.h)
        x = max(x, right)
    return best


def _centred(rect: pygame.Rect, max_w: int) -> pygame.Rect:
    """`rect` narrowed to `max_w` about its centre."""
    w = min(rect.w, max_w)
    return pygame.Rect(rect.centerx - w // 2, rect.y, w, rect.h)
