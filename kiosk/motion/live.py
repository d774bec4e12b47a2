"""The live path: a camera frame -> the chosen visitor's filtered motion."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2

from kiosk.camera.frame import Frame
from kiosk.motion.estimator import FilterSettings, MotionEstimator
from kiosk.motion.motion import Motion
from kiosk.stats import StageTimes
from kiosk.tracking.face_mesh import FaceMeshDetector
from kiosk.tracking.visitor import VisitorSelector

if TYPE_CHECKING:
    from kiosk.config import KioskConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LiveResult:
    frame_sequence: int
    frame_timestamp: float
    faces: int
    motion: Motion | None  # None when no visitor is in view


class LiveMotion:
    """Owns the video-mode face tracker, the visitor choice and the motion estimator.

    `mirror` flips the camera image first; a visitor unseen for more than `forget_after_s` is
    someone new, whose own neutral face is measured.
    """

    def __init__(
        self,
        settings: FilterSettings | None = None,
        mirror: bool = True,
        forget_after_s: float = 1.5,
    ) -> None:
        self.mirror = mirror
        self.forget_after_s = forget_after_s
        # One face slot: with more, MediaPipe re-runs its face detector on every frame in which
        # fewer faces are tracked than slots (the usual case of one visitor), which measured
        # 6.7 ms a frame against 4.4 ms (d3.mp4). The tracker keeps the face it locked on to
        # until it is lost, which is the visitor we want to keep anyway.
        self._detector = FaceMeshDetector(static_image=False, max_faces=1)
        self._selector = VisitorSelector()
        self._estimator = MotionEstimator(settings)
        self._last_seen: float | None = None

    @classmethod
    def from_config(cls, config: KioskConfig) -> LiveMotion:
        """As the kiosk tracks its visitors: config's engine filter, mirror and timeouts."""
        return cls(
            FilterSettings.from_config(config.engine),
            mirror=config.camera.mirror,
            forget_after_s=config.timeouts.visitor_forget_s,
        )

    def process(self, frame: Frame, times: StageTimes | None = None) -> LiveResult:
        image = cv2.flip(frame.image, 1) if self.mirror else frame.image
        times = times or StageTimes(window=1)
        with times.measure("tracking"):
            faces = self._detector.detect(image)
            visitor = self._selector.choose(faces, (image.shape[1], image.shape[0]))
        with times.measure("motion"):
            if visitor is None:
                motion = None
            else:
                gone_for = frame.timestamp - (self._last_seen or frame.timestamp)
                if gone_for > self.forget_after_s:
                    self._estimator.reset()  # a new visitor: measure their own neutral face
                self._last_seen = frame.timestamp
                motion = self._estimator.update(visitor.landmarks, frame.timestamp)
        return LiveResult(frame.sequence, frame.timestamp, len(faces), motion)

    def close(self) -> None:
        self._detector.close()
