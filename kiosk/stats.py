"""Bounded timing statistics: a kiosk runs for weeks, so nothing here grows without limit."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np


class StageTimes:
    """Recent durations per named stage, in milliseconds (the last `window` samples).

    Written by the tracking thread and read by the display thread (health, bench), so every
    access holds a lock: a stage added mid-summary once broke iteration.
    """

    def __init__(self, window: int = 2000) -> None:
        self.window = window
        self._samples: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._tick: dict[str, float] | None = None  # see begin_tick

    def add(self, stage: str, ms: float) -> None:
        with self._lock:
            if stage not in self._samples:
                self._samples[stage] = deque(maxlen=self.window)
            self._samples[stage].append(ms)
            if self._tick is not None:
                self._tick[stage] = self._tick.get(stage, 0.0) + ms

    def begin_tick(self) -> None:
        """Start a per-tick record: from now until the next call, `tick_totals()` holds what
        each stage added (the bench's per-frame rows; a stage added by another thread, such
        as tracking, counts in the tick during which it finished)."""
        with self._lock:
            self._tick = {}

    def tick_totals(self) -> dict[str, float]:
        """Milliseconds per stage added since `begin_tick()` (empty before the first)."""
        with self._lock:
            return dict(self._tick or {})

    def clear(self) -> None:
        """Forget every sample (a benchmark phase starts from nothing)."""
        with self._lock:
            self._samples.clear()
            self._tick = None

    @contextmanager
    def measure(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, (time.perf_counter() - start) * 1000.0)

    def samples(self) -> dict[str, list[float]]:
        """A copy of the recent samples of every stage, oldest first."""
        with self._lock:
            return {stage: list(samples) for stage, samples in self._samples.items()}

    def summary(self) -> dict[str, dict[str, float]]:
        """`summarize` of every stage that has samples."""
        out = {stage: summarize(samples) for stage, samples in self.samples().items()}
        return {stage: s for stage, s in out.items() if s}


def summarize(samples: Sequence[float], baseline_ms: float | None = None) -> dict[str, float]:
    """Median, p95 and count of millisecond samples (empty dict when there are none), and the
    median as a multiple of `baseline_ms` when given (the bench's ratio to its baseline)."""
    if len(samples) == 0:
        return {}
    arr = np.asarray(samples, dtype=np.float64)
    out = {
        "median_ms": round(float(np.median(arr)), 3),
        "p95_ms": round(float(np.percentile(arr, 95)), 3),
        "samples": int(arr.size),
    }
    if baseline_ms:
        out["x_baseline"] = round(out["median_ms"] / baseline_ms, 3)
    return out
