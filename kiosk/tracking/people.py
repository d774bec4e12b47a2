"""The people in view, for attract mode: boxes and distances, never images.

The face mesh follows one face; a full-range face detector (MediaPipe's BlazeFace, the model
for faces up to about 5 m) finds the others and the ones too small for the mesh, on one camera
frame in `every_frames` (in `every_frames_engaged` while a visitor is followed), so its cost is
spread over several frames. Distances come from face
size and the camera's field of view (a pinhole camera; faces about the same size).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.tracking import landmarks as lm
from kiosk.tracking.face_mesh import DetectedFace, mp

# Forehead-to-chin height of an adult face, as the face mesh boxes it (landmark 10 to 152 and
# the oval around them), and the full-range detector's box height over the mesh's, measured on
# the walk-by stand-in video (117 px against 130 px).
FACE_HEIGHT_M = 0.2
DETECTOR_BOX_OVER_MESH = 0.9
MIN_CONFIDENCE = 0.5


@dataclass(frozen=True, slots=True)
class PersonInView:
    """One face in view: where (fractions of the tracked image, which the kiosk mirrors), how
    far (metres), which way it turns (None when only a box is known), and whether it is the
    face the mesh follows."""

    box: tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of width and height
    distance_m: float
    yaw_deg: float | None = None
    followed: bool = False

    @property
    def centre(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box
        return (x0 + x1) / 2.0, (y0 + y1) / 2.0

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


def focal_px(frame_width: int, hfov_deg: float) -> float:
    """A pinhole camera's focal length in pixels."""
    return (frame_width / 2.0) / math.tan(math.radians(hfov_deg) / 2.0)


def face_yaw_deg(landmarks: np.ndarray) -> float:
    """How far a face is turned from the camera, from where its nose tip sits between the two
    sides of the face (0 = facing the camera; the sign follows the image's x)."""
    right, left = landmarks[234, 0], landmarks[454, 0]  # the face's sides at the cheekbones
    half = max(abs(left - right) / 2.0, 1e-6)
    along = (landmarks[lm.NOSE_TIP, 0] - (left + right) / 2.0) / half
    return math.degrees(math.asin(float(np.clip(along, -1.0, 1.0))))


class PeopleFinder:
    """The people in view from the followed mesh face and a full-range detector run now and
    then; boxes from the detector's last run are kept until its next."""

    def __init__(self, hfov_deg: float, every_frames: int, every_frames_engaged: int) -> None:
        self.hfov_deg = hfov_deg
        self.every_frames = max(1, every_frames)
        self.every_frames_engaged = max(1, every_frames_engaged)
        self.engaged = False  # a visitor is followed: the detector runs less often
        self._detector = mp.solutions.face_detection.FaceDetection(
            model_selection=1, min_detection_confidence=MIN_CONFIDENCE
        )
        self._frames = 1 << 30  # the first frame runs it
        self._boxes: list[tuple[float, float, float, float]] = []

    def due(self) -> bool:
        """Whether this frame runs the detector (the caller times it)."""
        every = self.every_frames_engaged if self.engaged else self.every_frames
        return self._frames >= every

    def find(
        self, image_bgr: np.ndarray, followed: DetectedFace | None
    ) -> tuple[PersonInView, ...]:
        """Everybody in view in this (mirrored) camera image; the image is not kept."""
        h, w = image_bgr.shape[:2]
        if self.due():
            self._boxes = self._detect(image_bgr)
            self._frames = 0
        self._frames += 1
        focal = focal_px(w, self.hfov_deg)
        people: list[PersonInView] = []
        if followed is not None:
            x0, y0, x1, y1 = followed.box
            distance = focal * FACE_HEIGHT_M / max(y1 - y0, 1.0)
            box = (x0 / w, y0 / h, x1 / w, y1 / h)
            people.append(PersonInView(box, distance, face_yaw_deg(followed.landmarks), True))
        for box in self._boxes:
            if followed is not None and _covers(people[0].box, box):
                continue
            height_px = (box[3] - box[1]) * h / DETECTOR_BOX_OVER_MESH
            people.append(PersonInView(box, focal * FACE_HEIGHT_M / max(height_px, 1.0)))
        return tuple(people)

    def _detect(self, image_bgr: np.ndarray) -> list[tuple[float, float, float, float]]:
        result = self._detector.process(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB))
        boxes = []
        for det in result.detections or ():
            b = det.location_data.relative_bounding_box
            x0, y0 = max(0.0, b.xmin), max(0.0, b.ymin)
            boxes.append((x0, y0, min(1.0, b.xmin + b.width), min(1.0, b.ymin + b.height)))
        return boxes

    def close(self) -> None:
        self._detector.close()


def _covers(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Whether boxes `a` and `b` overlap: the same face, seen by both (the detector's box may
    be a few frames old, and the face has moved since)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class Engagement:
    """Whether the followed face is an engaged visitor: close, facing the camera and nearly
    still (a passer-by walks on), all unbroken for `HOLD_S`. Once engaged, a visitor stays
    engaged while they stay roughly in place: a step back or a look aside does not drop them.

    Speed is measured between tracked frames no more than `MAX_GAP_S` apart: across a longer
    gap (a camera or tracker that stalled; a video file then resumes where it stopped) a
    walker would look still, so a gap starts the watch again.
    """

    KEEP_DISTANCE = 1.3  # engaged visitors may step back to this multiple of the distance
    KEEP_EXTRA_YAW_DEG = 20.0
    SPEED_SMOOTHING_S = 0.3
    MAX_GAP_S = 0.2
    HOLD_S = 0.4

    def __init__(self, distance_m: float, max_yaw_deg: float, max_speed: float) -> None:
        self.distance_m, self.max_yaw_deg, self.max_speed = distance_m, max_yaw_deg, max_speed
        self.engaged = False
        self._still_since: float | None = None
        self._last: tuple[float, tuple[float, float]] | None = None  # t, centre
        self._speed: float | None = None

    def update(self, person: PersonInView | None, timestamp: float, aspect: float) -> bool:
        """`aspect`: the camera image's width over its height (boxes are in fractions)."""
        if person is None or person.yaw_deg is None:
            self.engaged, self._still_since, self._last, self._speed = False, None, None, None
            return False
        unbroken = self._track_speed(person, timestamp, aspect)
        yaw = abs(person.yaw_deg)
        if self.engaged:
            self.engaged = (
                person.distance_m <= self.distance_m * self.KEEP_DISTANCE
                and yaw <= self.max_yaw_deg + self.KEEP_EXTRA_YAW_DEG
            )
            return self.engaged
        candidate = (
            unbroken
            and person.distance_m <= self.distance_m
            and yaw <= self.max_yaw_deg
            and self._speed is not None
            and self._speed <= self.max_speed
        )
        if not candidate:
            self._still_since = None
        elif self._still_since is None:
            self._still_since = timestamp
        self.engaged = candidate and timestamp - self._still_since >= self.HOLD_S
        return self.engaged

    def _track_speed(self, person: PersonInView, t: float, aspect: float) -> bool:
        """Face heights a second, smoothed over about SPEED_SMOOTHING_S (any frame rate);
        False after a gap (the speed is then unknown until the next frame)."""
        last = self._last
        self._last = (t, person.centre)
        if last is None or not 0.0 < t - last[0] <= self.MAX_GAP_S:
            self._speed = None
            return False
        dt = t - last[0]
        dx = (person.centre[0] - last[1][0]) * aspect
        dy = person.centre[1] - last[1][1]
        speed = math.hypot(dx, dy) / max(person.height, 1e-6) / dt
        if self._speed is None:
            self._speed = speed
        else:
            self._speed += min(1.0, dt / self.SPEED_SMOOTHING_S) * (speed - self._speed)
        return True
