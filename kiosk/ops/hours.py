"""The sleep policy: outside opening hours the kiosk shows black and idles.

The schedule itself (kiosk.opening_hours.OpeningHours) lives below kiosk.config, which checks
it when config.yaml loads; this module decides, from it and the last touch, whether the loop
sleeps and how long it may wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.config import OpeningHoursConfig
from kiosk.opening_hours import OpeningHours

_DEFAULTS = OpeningHoursConfig()  # config.yaml's


@dataclass(frozen=True, slots=True)
class SleepDecision:
    asleep: bool
    poll_interval_s: float  # how long the loop may wait before looking again (0 = frame rate)
    reason: str  # "open", "closed", "woken by touch"


class SleepPolicy:
    """Outside opening hours: asleep (black screen, no camera), polling slowly.

    A touch wakes the kiosk for `wake_on_touch_s`. While asleep the loop should wait up to
    `poll_interval_s` for input (e.g. pygame.event.wait(timeout)) and keep pinging the
    watchdog, so `max_poll_s` must stay below the watchdog interval.
    """

    def __init__(
        self,
        hours: OpeningHours,
        wake_on_touch_s: float = _DEFAULTS.wake_on_touch_s,
        max_poll_s: float = _DEFAULTS.sleep_poll_s,
    ) -> None:
        if max_poll_s <= 0 or wake_on_touch_s < 0:
            raise ValueError("max_poll_s must be positive and wake_on_touch_s not negative")
        self.hours = hours
        self.wake_on_touch_s = wake_on_touch_s
        self.max_poll_s = max_poll_s

    def decide(self, now: datetime, now_mono: float, last_touch: float | None) -> SleepDecision:
        """`now`: local wall time; `now_mono`, `last_touch`: time.monotonic() values."""
        if self.hours.is_open(now):
            return SleepDecision(False, 0.0, "open")
        if last_touch is not None and 0 <= now_mono - last_touch < self.wake_on_touch_s:
            return SleepDecision(False, 0.0, "woken by touch")
        poll = self.max_poll_s
        opening = self.hours.next_change(now)
        if opening is not None:
            poll = max(0.0, min(poll, (opening - now).total_seconds()))
        return SleepDecision(True, poll, "closed")
