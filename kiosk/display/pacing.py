"""Pacing the display loop: a frame every 1/fps seconds, and one at once when the tracker has a
new result, so a visitor's movement is rendered as soon as it is measured."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class Wakeup(Protocol):
    """What `threading.Event` offers: `wait` returns True once it is set."""

    def wait(self, timeout: float | None = None) -> bool: ...

    def clear(self) -> None: ...


class FramePacer:
    """Sleeps between display frames on a fixed schedule (not "budget minus this frame", so
    sleep's overshoot does not pile up; a late frame restarts the schedule).

    With a `wakeup` (the tracker's "new result" event) the sleep ends as soon as a result
    arrives, and the schedule restarts from there. Waiting for the next scheduled frame instead
    cost up to a whole frame (16.7 ms at 60 fps) of latency, and the render then started on a
    core that had gone idle (slow to wake on a virtual machine) rather than straight after
    tracking. Results come at the camera's steady rate, so a scheduled frame that would fall
    just before the next one is expected waits for it instead: the display keeps its rate
    (a 30 fps camera on a 60 fps display: every other frame new, none shown twice in a row).
    """

    def __init__(
        self,
        fps: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.budget = 1.0 / fps
        self._clock = clock
        self._sleep = sleep
        self._deadline = clock()
        self._last_result: float | None = None
        self._period: float | None = None  # smoothed time between results

    def wait(self, wakeup: Wakeup | None = None) -> bool:
        """Wait for the next frame; True if a new result (not the schedule) ended the wait."""
        now = self._clock()
        self._deadline = max(self._deadline + self.budget, now - self.budget)
        if wakeup is None:
            if self._deadline > now:
                self._sleep(self._deadline - now)
            return False
        expected = self._expected_result()
        if expected is not None and abs(self._deadline - expected) < self.budget / 2:
            # The result due about now replaces this frame; if it is late, the frame is only
            # half a frame late, and the schedule carries on from there.
            self._deadline = expected + self.budget / 2
        if not wakeup.wait(max(self._deadline - now, 0.0)):
            return False
        wakeup.clear()
        arrived = self._clock()
        if self._last_result is not None:
            interval = arrived - self._last_result
            self._period = interval if self._period is None else 0.8 * self._period + 0.2 * interval
        self._last_result = arrived
        self._deadline = arrived  # the next scheduled frame is one budget after this one
        return True

    def _expected_result(self) -> float | None:
        """When the next result should arrive, if results come at a steady, usable rate."""
        if self._last_result is None or self._period is None:
            return None
        if not self.budget * 0.75 <= self._period <= self.budget * 4:
            return None  # faster than the display, or too slow to plan around
        return self._last_result + self._period
