"""The unit that flows from a camera source to the tracker."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Frame:
    """One captured image. Lives in memory only: never written, logged or sent anywhere."""

    image: np.ndarray  # H x W x 3, uint8, BGR (OpenCV order)
    timestamp: float  # time.monotonic() when the frame was captured
    sequence: int  # increases by one per captured frame of a source
