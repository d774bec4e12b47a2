"""Test-only stand-ins (never shipped in `kiosk/`)."""

from __future__ import annotations

import threading


class ManualClock:
    """A clock that only moves when told to: frame times and staleness without waiting."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError(f"a clock cannot go back ({seconds} s)")
        with self._lock:
            self._now += seconds
            return self._now
