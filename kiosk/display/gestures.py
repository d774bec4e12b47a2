"""Visitor input as actions: the Action enum and a pure tap/swipe recogniser.

The recogniser works in normalised logical-screen coordinates (0..1 on both axes), so it is
independent of pygame, screen size and rotation, and unit-testable without events.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass


class Action(enum.Enum):
    """What the app should do in response to input."""

    NEXT = "next"
    PREVIOUS = "previous"
    TOGGLE_LABEL = "toggle_label"
    TOGGLE_CURATOR = "toggle_curator"
    RELOAD = "reload"
    QUIT = "quit"
    ACTIVITY = "activity"  # any touch or key: someone is here


@dataclass(frozen=True, slots=True)
class Hotspot:
    """A tappable area (normalised x, y, w, h) that triggers an action, e.g. a chevron."""

    x: float
    y: float
    w: float
    h: float
    action: Action

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x <= self.x + self.w and self.y <= y <= self.y + self.h


class GestureRecognizer:
    """Turns one pointer's down/up into a swipe, a tap or nothing.

    A swipe is a mostly horizontal drag longer than `swipe_min` of the width: swiping left
    (content moves left) shows the NEXT painting, swiping right the PREVIOUS one. A tap is a
    short press (< `tap_max_s`) that moves less than `tap_max_move`: on a hotspot it triggers
    the hotspot's action, elsewhere TOGGLE_LABEL. Long presses and vertical drags do nothing.
    """

    def __init__(
        self,
        swipe_min: float = 0.08,
        tap_max_s: float = 0.4,
        tap_max_move: float = 0.03,
        hotspots: Sequence[Hotspot] = (),
    ) -> None:
        self.swipe_min = swipe_min
        self.tap_max_s = tap_max_s
        self.tap_max_move = tap_max_move
        self.hotspots: tuple[Hotspot, ...] = tuple(hotspots)
        self._down: tuple[float, float, float] | None = None

    def down(self, x: float, y: float, t: float) -> None:
        """A pointer went down at (x, y) at time t (seconds, monotonic)."""
        self._down = (x, y, t)

    def cancel(self) -> None:
        """Forget the pending press (e.g. a second finger joined)."""
        self._down = None

    def up(self, x: float, y: float, t: float) -> Action | None:
        """The pointer went up: the recognised action, or None."""
        if self._down is None:
            return None
        x0, y0, t0 = self._down
        self._down = None
        dx, dy = x - x0, y - y0
        if abs(dx) >= self.swipe_min and abs(dx) > 2 * abs(dy):
            return Action.NEXT if dx < 0 else Action.PREVIOUS
        if t - t0 < self.tap_max_s and max(abs(dx), abs(dy)) <= self.tap_max_move:
            for hotspot in self.hotspots:
                if hotspot.contains(x0, y0):
                    return hotspot.action
            return Action.TOGGLE_LABEL
        return None
