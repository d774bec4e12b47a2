"""Visitor input as actions: the Action enum and a pure tap/swipe recogniser.

The recogniser works in normalised logical-screen coordinates (0..1 on both axes), so it is
independent of pygame, screen size and rotation, and unit-testable without events.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

# How long a curator holds the screen's top-left corner to open the PIN pad (seconds): long
# enough that no visitor does it by chance. `Display(long_press_s=...)` changes it.
LONG_PRESS_S = 3.0


class Action(enum.Enum):
    """What the app should do in response to input."""

    NEXT = "next"
    PREVIOUS = "previous"
    TOGGLE_LABEL = "toggle_label"
    TOGGLE_CURATOR = "toggle_curator"
    RELOAD = "reload"
    QUIT = "quit"
    ACTIVITY = "activity"  # any touch or key: someone is here
    SPEECH = "speech"  # a speech button (Display.speech_tapped says which)


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
    the hotspot's action, elsewhere TOGGLE_LABEL. Long presses and vertical drags do nothing
    here (`LongPress` recognises the curator's corner press separately).
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


class LongPress:
    """A press held still inside a hot zone for `hold_s` seconds: the curator's way in.

    Pure like GestureRecognizer (normalised coordinates, times passed in). `poll` runs every
    frame, so a finger resting without producing any events still triggers; it fires at most
    once per press, and moving `max_move` or more (of the width or height) cancels the press.
    """

    def __init__(
        self,
        zone: tuple[float, float, float, float],
        hold_s: float = LONG_PRESS_S,
        max_move: float = 0.03,
    ) -> None:
        if hold_s <= 0:
            raise ValueError(f"long press time must be positive, got {hold_s}")
        self.zone = zone
        self.hold_s = hold_s
        self.max_move = max_move
        self._start: tuple[float, float, float] | None = None

    def down(self, x: float, y: float, t: float) -> None:
        """A pointer went down; only presses inside the zone are tracked."""
        zx, zy, zw, zh = self.zone
        inside = zx <= x <= zx + zw and zy <= y <= zy + zh
        self._start = (x, y, t) if inside else None

    def move(self, x: float, y: float) -> None:
        """The pointer moved while down: too far and the press no longer counts."""
        if self._start is not None:
            x0, y0, _ = self._start
            if max(abs(x - x0), abs(y - y0)) >= self.max_move:
                self._start = None

    def cancel(self) -> None:
        self._start = None

    def poll(self, t: float) -> bool:
        """True once when the press has been held long enough."""
        if self._start is not None and t - self._start[2] >= self.hold_s:
            self._start = None
            return True
        return False

    def up(self, x: float, y: float, t: float) -> bool:
        """The pointer went up: True if the press completed before any frame polled it."""
        self.move(x, y)
        fired = self.poll(t)
        self._start = None
        return fired

    def progress(self, t: float) -> float:
        """How far the current press is, 0..1 (0 when none is being tracked)."""
        if self._start is None:
            return 0.0
        return min(1.0, max(0.0, (t - self._start[2]) / self.hold_s))
