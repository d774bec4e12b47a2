"""One Euro filter (Casiez, Roussel, Vogel, CHI 2012): little jitter when still, little lag when
moving. Works element-wise on numpy arrays and uses the real time step between samples."""

from __future__ import annotations

import math

import numpy as np


def _alpha(cutoff_hz: float, dt: float) -> float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    def __init__(self, min_cutoff: float = 1.5, beta: float = 4.0, d_cutoff: float = 1.0) -> None:
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.d_cutoff = d_cutoff
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    def reset(self) -> None:
        self._x = self._dx = None
        self._t = None

    def __call__(self, value: np.ndarray, t: float) -> np.ndarray:
        """Filtered value for a sample taken at monotonic time `t` (seconds)."""
        x = np.asarray(value, dtype=np.float64)
        if self._x is None or self._t is None or t <= self._t:
            if self._x is None or self._x.shape != x.shape:
                self._x = x.copy()
                self._dx = np.zeros_like(x)
                self._t = t
                return x.copy()
            if t <= self._t:  # repeated timestamp: nothing new to learn
                return self._x.copy()
        dt = t - self._t
        dx = (x - self._x) / dt
        a_d = _alpha(self.d_cutoff, dt)
        self._dx = self._dx + a_d * (dx - self._dx)
        cutoff = self.min_cutoff + self.beta * np.abs(self._dx)
        tau = 1.0 / (2.0 * np.pi * cutoff)
        a = 1.0 / (1.0 + tau / dt)
        self._x = self._x + a * (x - self._x)
        self._t = t
        return self._x.copy()
