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
    """Sleeps between display frames: a frame is due one budget (1/fps) after the last, on a
    fixed schedule (not "budget minus this frame", so sleep's overshoot does not pile up; a
    late frame restarts the schedule).

    With a `wakeup` (the tracker's "new result" event), a result makes the next frame due at
    once, but never sooner than half a budget after the last frame, and the schedule restarts
    from it. Waiting for the next scheduled frame instead cost up to a whole frame (16.7 ms at
    60 fps) of latency, and the render then started on a core that had gone idle (slow to wake
    on a virtual machine) rather than straight after tracking.

    So frames are never more than a budget apart (the display never drops below its rate,
    whatever the camera does) and never less than half a budget, and results bring frames
    forward at most once a budget. A camera faster than the display still has its newest
    result shown by the scheduled frames in between: about 80 frames a second at 60 fps.
    A result that lands just after a scheduled frame waits half a budget: an extra frame
    that only re-showed the last one costs a present (about 1 ms).
    """

    def __init__(
        self,
        fps: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.budget = 1.0 / fps
        self.min_gap = self.budget / 2
        self._clock = clock
        self._sleep = sleep
        self._last = clock()  # when the last frame was due (its nominal start)
        self._last_result = float("-inf")  # ... and the last frame a result made due

    def wait(self, wakeup: Wakeup | None = None) -> bool:
        """Wait for the next frame; True if a new result brought it forward (made it due
        before the schedule would have)."""
        now = self._clock()
        due = max(self._last + self.budget, now - self.budget)
        if wakeup is None or not wakeup.wait(max(due - now, 0.0)):
            self._sleep_until(due)
            self._last = due
            return False
        wakeup.clear()
        earliest = max(self._last + self.min_gap, self._last_result + self.budget)
        start = min(max(self._clock(), earliest), due)
        self._sleep_until(start)
        self._last = start
        if start < due:
            self._last_result = start
            return True
        return False

    def _sleep_until(self, moment: float) -> None:
        spare = moment - self._clock()
        if spare > 0:
            self._sleep(spare)
