"""The engine-independent description of how a face moves.

Live tracking and driver clips both produce a `Motion`; the renderer consumes it. Head pose is
relative to the performer's neutral pose; expression offsets live in a canonical, pose-free face
frame (x right, y down, z away from the viewer) in units of the performer's inter-ocular
distance, so they can be rescaled onto any painting.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NUM_LANDMARKS = 478


def _zero_offsets() -> np.ndarray:
    return np.zeros((NUM_LANDMARKS, 3), dtype=np.float32)


@dataclass(slots=True)
class Motion:
    """Relative head pose plus expression offsets; `Motion()` is the neutral face."""

    yaw: float = 0.0  # radians, positive = the nose moves towards the image's left
    pitch: float = 0.0  # radians, positive = chin down
    roll: float = 0.0  # radians, positive = clockwise in the image
    translation: np.ndarray = field(default_factory=lambda: np.zeros(2, dtype=np.float32))
    scale: float = 1.0  # relative head size, 1.0 = neutral
    offsets: np.ndarray = field(default_factory=_zero_offsets)  # (478, 3) canonical, IOD units

    def same_as(self, other: Motion) -> bool:
        """Exactly the same pose and expression (so the same rendered frame)."""
        return (
            self.yaw == other.yaw
            and self.pitch == other.pitch
            and self.roll == other.roll
            and self.scale == other.scale
            and np.array_equal(self.translation, other.translation)
            and np.array_equal(self.offsets, other.offsets)
        )

    def copy(self) -> Motion:
        return Motion(
            self.yaw,
            self.pitch,
            self.roll,
            self.translation.copy(),
            self.scale,
            self.offsets.copy(),
        )


def blend(a: Motion, b: Motion, weight: float) -> Motion:
    """Linear cross-fade from `a` (weight 0) to `b` (weight 1); angles are small so lerp is fine."""
    w = float(np.clip(weight, 0.0, 1.0))
    if w <= 0.0:
        return a.copy()
    if w >= 1.0:
        return b.copy()
    return Motion(
        yaw=a.yaw + (b.yaw - a.yaw) * w,
        pitch=a.pitch + (b.pitch - a.pitch) * w,
        roll=a.roll + (b.roll - a.roll) * w,
        translation=a.translation + (b.translation - a.translation) * w,
        scale=a.scale + (b.scale - a.scale) * w,
        offsets=a.offsets + (b.offsets - a.offsets) * w,
    )
