"""Bounded timing statistics: a kiosk runs for weeks, so nothing here grows without limit."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
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

    def add(self, stage: str, ms: float) -> None:
        with self._lock:
            if stage not in self._samples:
                self._samples[stage] = deque(maxlen=self.window)
            self._samples[stage].append(ms)

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
        snapshot = self.samples()
        out: dict[str, dict[str, float]] = {}
        for stage, samples in snapshot.items():
            if samples:
                arr = np.asarray(samples, dtype=np.float64)
                out[stage] = {
                    "median_ms": round(float(np.median(arr)), 3),
                    "p95_ms": round(float(np.percentile(arr, 95)), 3),
                    "samples": len(arr),
                }
        return out
