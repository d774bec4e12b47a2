"""Live gaze corrected for where the camera sits: where the visitor looks relative to the
painting's eyes on screen.

The camera sits above or below the picture, so a visitor looking at the painting's eyes looks
past the camera; copied as it is, their gaze makes the painting look slightly down (or up).
Here the visitor's gaze is measured as a direction in the room, and the painting's gaze is that
direction's angle from the line joining the visitor's eyes to the painting's: looking at the
painting's eyes gives a frontal gaze (eye contact), looking away turns the painting's eyes the
same way (mirrored, as the kiosk mirrors).

The room's frame: metres, origin at the screen's centre, x to the right as the visitor sees the
screen, y down, z out of the screen towards the visitor. The mirrored camera image's axes are
the room's (x right, y down, depth away from the camera).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from kiosk.motion.attention import EYEBALL_RADIUS_IOD
from kiosk.motion.geometry import face_frame
from kiosk.motion.proportions import reference_face
from kiosk.tracking import landmarks as lm

if TYPE_CHECKING:
    from kiosk.config import AttentionConfig

IOD_M = 0.063  # an adult's distance between the pupils
# Where eyes whose irises sit as the reference face's do look, in the face's own frame (x right,
# y down, z away; kiosk.motion.geometry.face_frame): towards the camera of the two sample
# portraits the reference face was averaged from, 8.1 degrees above the frame's -z axis (the
# frame's y axis runs from forehead to chin, which leans back). Measured with the face mesh on
# those portraits; over 14 other near-frontal portraits and driver videos the median is 8 too.
LOOKING_AHEAD = np.array([0.0, -math.sin(math.radians(8.1)), -math.cos(math.radians(8.1))])


@dataclass(frozen=True, slots=True)
class CameraGeometry:
    """Where the camera sits and what it sees (config.yaml's attention section)."""

    offset_m: tuple[float, float] = (0.0, -0.36)  # the lens from the screen's centre
    screen_size_m: tuple[float, float] = (1.21, 0.68)
    hfov_deg: float = 60.0

    @classmethod
    def from_config(cls, attention: AttentionConfig) -> CameraGeometry:
        return cls(
            tuple(attention.camera_offset_m),
            tuple(attention.screen_size_m),
            attention.camera_hfov_deg,
        )

    def focal_px(self, frame_width: int) -> float:
        return (frame_width / 2.0) / math.tan(math.radians(self.hfov_deg) / 2.0)

    def screen_point(self, xy_px: tuple[float, float], screen_px: tuple[int, int]) -> np.ndarray:
        """A point on the screen (logical pixels) in the room's frame."""
        (w_m, h_m), (w, h) = self.screen_size_m, screen_px
        return np.array([(xy_px[0] / w - 0.5) * w_m, (xy_px[1] / h - 0.5) * h_m, 0.0])


@dataclass(frozen=True, slots=True)
class VisitorGaze:
    """The visitor's eyes (their midpoint) and where they look, in the room's frame."""

    eyes_m: np.ndarray  # (3,)
    direction: np.ndarray  # (3,) unit vector


# Each eye's outer corner, inner corner and iris centre.
_EYES = (
    (lm.RIGHT_EYE_OUTER, lm.RIGHT_EYE_INNER, lm.RIGHT_IRIS_CENTER),
    (lm.LEFT_EYE_OUTER, lm.LEFT_EYE_INNER, lm.LEFT_IRIS_CENTER),
)
_EYE_POINTS = lm.as_index(tuple(i for eye in _EYES for i in eye))


def _iris_shift(points: np.ndarray) -> np.ndarray:
    """The two irises' mean offset from their eye corners' midpoints, (x, y), for the
    (6, 3) points of _EYE_POINTS."""
    p = points[:, :2].reshape(2, 3, 2)
    return (p[:, 2] - (p[:, 0] + p[:, 1]) / 2).mean(axis=0)


@lru_cache(maxsize=1)
def _rest_shift() -> np.ndarray:
    return _iris_shift(reference_face()[_EYE_POINTS].astype(np.float64))


def _eye_in_head(eye_points: np.ndarray) -> np.ndarray:
    """The eyes' direction in the head's own frame (z away from the viewer), from where the
    irises sit between the eye corners (canonical _EYE_POINTS) compared with the reference
    face looking ahead: an iris on a sphere of EYEBALL_RADIUS_IOD, LOOKING_AHEAD at the
    reference's place."""
    xy = LOOKING_AHEAD[:2] + (_iris_shift(eye_points) - _rest_shift()) / EYEBALL_RADIUS_IOD
    norm = float(np.linalg.norm(xy))
    if norm > 0.95:  # beyond what eyes turn: a tracking error
        xy *= 0.95 / norm
    return np.array([xy[0], xy[1], -math.sqrt(1.0 - float(xy @ xy))])


def _rotation_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation taking unit vector `a` to unit vector `b` (Rodrigues)."""
    v = np.cross(a, b)
    c = float(np.dot(a, b))
    if c < -0.999999:
        return -np.eye(3)
    vx = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    return np.eye(3) + vx + vx @ vx / (1.0 + c)


def measure_gaze(
    landmarks: np.ndarray, frame_wh: tuple[int, int], camera: CameraGeometry
) -> VisitorGaze:
    """The visitor's gaze from their face mesh (478, 3) in the mirrored camera image.

    The mesh sees a face as if along the ray from the camera to it (a face looking into the
    lens reads as frontal wherever it is in the frame), so the measured direction is turned
    from that ray into the room's frame.
    """
    pts = landmarks.astype(np.float64)
    frame = face_frame(pts)
    direction = frame.axes @ _eye_in_head(frame.to_canonical(pts[_EYE_POINTS]))
    w, h = frame_wh
    focal = camera.focal_px(w)
    iris_r, iris_l = pts[lm.RIGHT_IRIS_CENTER], pts[lm.LEFT_IRIS_CENTER]
    depth = focal * IOD_M / max(float(np.linalg.norm(iris_l - iris_r)), 1e-6)
    u, v = (iris_r[:2] + iris_l[:2]) / 2
    cx, cy = camera.offset_m
    eyes = np.array([(u - w / 2) * depth / focal + cx, (v - h / 2) * depth / focal + cy, depth])
    to_camera = np.array([cx, cy, 0.0]) - eyes
    to_camera /= np.linalg.norm(to_camera)
    turned = _rotation_between(np.array([0.0, 0.0, -1.0]), to_camera) @ direction
    return VisitorGaze(eyes, turned / np.linalg.norm(turned))


def _angles(direction: np.ndarray) -> tuple[float, float]:
    """Towards the screen: (right, down) angles in radians."""
    x, y, z = direction
    return math.atan2(x, -z), math.atan2(y, math.hypot(x, z))


def gaze_from_painting(visitor: VisitorGaze, painting_eyes_m: np.ndarray) -> tuple[float, float]:
    """The painting's gaze (radians towards the image's right, and down, from the picture's
    normal): the visitor's gaze relative to the line from their eyes to the painting's."""
    gx, gy = _angles(visitor.direction)
    dx, dy = _angles(painting_eyes_m - visitor.eyes_m)
    return gx - dx, gy - dy
