"""The live path: a camera frame -> the people in view, and the engaged visitor's filtered
motion and gaze. Nothing but landmarks, boxes and numbers derived from them leaves here, and,
when the kiosk transfers the visitor's own mouth, a small in-memory patch of their inner
mouth (kiosk.tracking.mouth_patch) for the renderer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np

from kiosk.camera.frame import Frame
from kiosk.motion.estimator import FilterSettings, MotionEstimator
from kiosk.motion.eye_contact import CameraGeometry, VisitorGaze, measure_gaze
from kiosk.motion.motion import Motion
from kiosk.stats import StageTimes
from kiosk.tracking.face_mesh import DetectedFace, FaceMeshDetector
from kiosk.tracking.mouth_patch import MouthPatch, cut_mouth_patch
from kiosk.tracking.people import Engagement, PeopleFinder, PersonInView
from kiosk.tracking.visitor import VisitorSelector

if TYPE_CHECKING:
    from kiosk.config import KioskConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LiveResult:
    frame_sequence: int
    frame_timestamp: float
    faces: int
    motion: Motion | None  # None when no engaged visitor is in view
    people: tuple[PersonInView, ...] = ()  # everybody in view, engaged or not
    gaze: VisitorGaze | None = None  # where the engaged visitor looks, in the room
    # The engaged visitor's inner mouth while it is open (only with `mouth_patches`).
    mouth: MouthPatch | None = None


class LiveMotion:
    """Owns the video-mode face tracker, the visitor choice and the motion estimator.

    `mirror` flips the camera image first; a visitor unseen for more than `forget_after_s` is
    someone new, whose own neutral face is measured. With `people` the others in view are
    found too; with `engagement` only an engaged visitor gets a motion (a passer-by is only
    seen), and with `camera` their gaze is measured in the room. Without them (recording a
    clip) any face is followed. With `mouth_patches` the followed visitor's open inner mouth is
    cut out for the renderer (engine.mouth_interior_source: visitor).
    """

    def __init__(
        self,
        settings: FilterSettings | None = None,
        mirror: bool = True,
        forget_after_s: float = 1.5,
        *,
        people: PeopleFinder | None = None,
        engagement: Engagement | None = None,
        camera: CameraGeometry | None = None,
        mouth_patches: bool = False,
    ) -> None:
        self.mirror = mirror
        self.mouth_patches = mouth_patches
        self.forget_after_s = forget_after_s
        self._people = people
        self._engagement = engagement
        self._camera = camera
        # One face slot: with more, MediaPipe re-runs its face detector on every frame in which
        # fewer faces are tracked than slots (the usual case of one visitor), which measured
        # 6.7 ms a frame against 4.4 ms (d3.mp4). The tracker keeps the face it locked on to
        # until it is lost, which is the visitor we want to keep anyway.
        self._detector = FaceMeshDetector(static_image=False, max_faces=1)
        self._selector = VisitorSelector()
        self._estimator = MotionEstimator(settings)
        self._last_seen: float | None = None

    @classmethod
    def from_config(cls, config: KioskConfig, recording: bool = False) -> LiveMotion:
        """As the kiosk tracks its visitors: config's engine filter, mirror and timeouts;
        `recording` (the screen is being recorded): never cut the visitor's mouth."""
        attention = config.attention
        camera = CameraGeometry.from_config(attention)
        return cls(
            FilterSettings.from_config(config.engine),
            mirror=config.camera.mirror,
            forget_after_s=config.timeouts.visitor_forget_s,
            people=PeopleFinder(
                camera.hfov_deg, attention.people_every_frames,
                attention.people_every_frames_engaged,
            ),
            engagement=Engagement(
                attention.engage_distance_m, attention.engage_max_yaw_deg,
                attention.engage_max_speed,
            ),
            camera=camera,
            mouth_patches=config.engine.mouth_interior_source == "visitor" and not recording,
        )  # fmt: skip

    def process(self, frame: Frame, times: StageTimes | None = None) -> LiveResult:
        image = cv2.flip(frame.image, 1) if self.mirror else frame.image
        times = times or StageTimes(window=1)
        wh = (image.shape[1], image.shape[0])
        with times.measure("tracking"):
            faces = self._detector.detect(image)
            visitor = self._selector.choose(faces, wh)
        people = self._find_people(image, visitor, times)
        if self._engagement is not None:
            # Every frame, a face lost included: engagement is judged on an unbroken watch.
            followed = people[0] if people and people[0].followed else None
            if not self._engagement.update(followed, frame.timestamp, wh[0] / wh[1]):
                visitor = None  # seen, not engaged: noticed, not followed
            if self._people is not None:
                self._people.engaged = self._engagement.engaged
        motion = gaze = mouth = None
        with times.measure("motion"):
            if visitor is not None:
                gone_for = frame.timestamp - (self._last_seen or frame.timestamp)
                if gone_for > self.forget_after_s:
                    self._estimator.reset()  # a new visitor: measure their own neutral face
                self._last_seen = frame.timestamp
                motion = self._estimator.update(visitor.landmarks, frame.timestamp)
                if self._camera is not None:
                    gaze = measure_gaze(visitor.landmarks, wh, self._camera)
                if self.mouth_patches:
                    mouth = cut_mouth_patch(image, visitor.landmarks)
        return LiveResult(frame.sequence, frame.timestamp, len(faces), motion, people, gaze, mouth)

    def _find_people(
        self, image: np.ndarray, followed: DetectedFace | None, times: StageTimes
    ) -> tuple[PersonInView, ...]:
        """Everybody in view; the full-range detector's frames are timed as `people`."""
        if self._people is None:
            return ()
        if self._people.due():
            with times.measure("people"):
                return self._people.find(image, followed)
        return self._people.find(image, followed)

    def close(self) -> None:
        self._detector.close()
        if self._people is not None:
            self._people.close()
