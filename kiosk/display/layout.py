"""Where the overlays go on a given screen, painting and face: the rules that keep the painted
face uncovered and leave no dead touch zone.

Pure geometry in logical pixels (pygame.Rect only), worked out once per screen, painting and
face; the widgets draw into the areas it gives. Other widgets placed near the label (speech:
the Listen and language buttons, captions) read `ScreenLayout.label_area` and
`ScreenLayout.keep_clear` to place themselves by the same rules.

The rules:
- the face (`keep_clear`: the face box grown for forehead, hair and chin) is never covered by
  the label or the curator panel;
- the label goes beside the painting (in a letterbox bar) when a bar is wide enough; otherwise
  it lies over the painting in the larger band above or below the face, bottom first;
- a touch target a panel covers is inactive (and not drawn): there is no zone that looks
  tappable but takes the tap for something else.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

__all__ = [
    "ScreenLayout",
    "face_keep_clear",
    "label_placement",
    "largest_free_rect",
    "panel_buttons",
    "panel_status_area",
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
    """One screen's overlay areas (logical pixels). `keep_clear` is None when no face is known."""

    screen: pygame.Rect
    painting: pygame.Rect
    keep_clear: pygame.Rect | None
    label: LabelPlacement

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
) -> LabelPlacement:
    """Where the label goes. `side_reserve`: the width at each screen side kept for the
    chevrons' tap zones; `bottom`: the lowest the label may reach (above the privacy notice)."""
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
    for bar, anchor in ((under, "bottom"), (over, "top")):
        if bar.h >= round(LABEL_MIN_HEIGHT * scale):
            return LabelPlacement(bar, anchor, beside=True)
    # Over the painting: below the face when that band holds a label, else the bigger band.
    enough = round(LABEL_MIN_HEIGHT * scale)
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
