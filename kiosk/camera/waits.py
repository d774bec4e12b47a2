"""When a capture thread waits: frames paced at a frame rate, and the backoff between attempts
to reopen a source. Plain schedules, given a clock and the thread's stop event."""

from __future__ import annotations

import threading
from collections.abc import Callable

Clock = Callable[[], float]


class Backoff:
    """The waits between attempts to reopen a source: from `start_s`, doubling up to `max_s`,
    and back to `start_s` once the source has delivered frames again."""

    def __init__(self, start_s: float, max_s: float) -> None:
        self.start_s, self.max_s = start_s, max_s
        self._next = start_s

    def next_wait(self) -> float:
        """The wait before the next attempt (each call is one attempt)."""
        wait, self._next = self._next, min(self._next * 2, self.max_s)
        return wait

    def reset(self) -> None:
        self._next = self.start_s


class Pacer:
    """Schedules frame k at t0 + k / fps; resynchronises instead of bursting when late."""

    def __init__(self, fps: float, clock: Clock, stop: threading.Event) -> None:
        self.period, self.clock, self.stop = 1.0 / fps, clock, stop
        self.due: float | None = None

    def wait(self) -> None:
        now = self.clock()
        if self.due is None or now - self.due > self.period:
            self.due = now
        self.stop.wait(max(0.0, self.due - now))
        self.due += self.period
