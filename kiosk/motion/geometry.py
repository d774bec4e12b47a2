"""Face-frame geometry shared by motion estimation and retargeting."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiosk.tracking import landmarks as lm

_RIGID = lm.as_index(lm.RIGID)


@dataclass(frozen=True, slots=True)
class FaceFrame:
    """A face's own axes (columns x right, y down, z away) in image space, origin and size."""

    axes: np.ndarray  # (3, 3) rotation, canonical -> image
    origin: np.ndarray  # (3,)
    iod: float  # inter-ocular distance in image units

    def to_canonical(self, points: np.ndarray) -> np.ndarray:
        """Image-space points -> canonical frame in units of this face's IOD."""
        return ((points - self.origin) @ self.axes) / self.iod

    def to_image(self, canonical: np.ndarray) -> np.ndarray:
        return canonical * self.iod @ self.axes.T + self.origin


def face_frame(points: np.ndarray) -> FaceFrame:
    """Axes from the eye line (33->263) and the forehead->chin line (10->152)."""
    x = points[lm.LEFT_EYE_OUTER] - points[lm.RIGHT_EYE_OUTER]
    x = x / max(np.linalg.norm(x), 1e-9)
    down = points[lm.CHIN] - points[lm.FOREHEAD]
    y = down - np.dot(down, x) * x
    y = y / max(np.linalg.norm(y), 1e-9)
    z = np.array([x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2], x[0] * y[1] - x[1] * y[0]])
    axes = np.stack([x, y, z], axis=1).astype(np.float64)
    origin = points[_RIGID].mean(axis=0).astype(np.float64)
    return FaceFrame(axes, origin, max(lm.inter_ocular_distance(points), 1e-6))


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Least-squares s, R, t with dst ~= s * R @ src + t (Umeyama 1991), for (N, 3) arrays."""
    mu_s = src.mean(axis=0)
    mu_d = dst.mean(axis=0)
    a = src - mu_s
    b = dst - mu_d
    cov = b.T @ a / len(src)
    u, sig, vt = np.linalg.svd(cov)
    d = np.ones(3)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        d[-1] = -1.0
    rot = u @ np.diag(d) @ vt
    var_s = (a**2).sum() / len(src)
    scale = float((sig * d).sum() / max(var_s, 1e-12))
    trans = mu_d - scale * rot @ mu_s
    return scale, rot, trans


def rigid_fit(neutral: np.ndarray, current: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Head motion from `neutral` to `current` landmarks, measured on skull-fixed points."""
    return similarity_transform(
        neutral[_RIGID].astype(np.float64), current[_RIGID].astype(np.float64)
    )


def euler_from_matrix(rot: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) for rot = Rz(roll) @ Rx(pitch) @ Ry(yaw), image axes (y down)."""
    # Rz Rx Ry: rot[2,0] = -cos(p) sin(y), rot[2,1] = sin(p), rot[2,2] = cos(p) cos(y)
    pitch = float(np.arcsin(np.clip(rot[2, 1], -1.0, 1.0)))
    yaw = float(np.arctan2(-rot[2, 0], rot[2, 2]))
    roll = float(np.arctan2(-rot[0, 1], rot[1, 1]))
    return yaw, pitch, roll


def matrix_from_euler(yaw: float, pitch: float, roll: float) -> np.ndarray:
    cy, sy = np.cos(yaw), np.sin(yaw)
    cp, sp = np.cos(pitch), np.sin(pitch)
    cr, sr = np.cos(roll), np.sin(roll)
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return rz @ rx @ ry


def image_roll(face: np.ndarray, rot: np.ndarray) -> float:
    """How far rotating `face` (landmarks) by `rot` tilts its eye line (33 -> 263) in the image,
    radians.

    This is what a visitor sees as a head tilt, and what the renderer reproduces on the painting.
    It is the rotation's own 'roll' for a face looking straight at the camera; for a face that is
    turned or tilted, turning it also tilts its eye line, and that is included. Measured on the
    rigid fit of the whole skull, not on the two eye corners, so detector jitter stays out."""
    eye_line = face[lm.LEFT_EYE_OUTER] - face[lm.RIGHT_EYE_OUTER]
    turned = rot @ eye_line
    tilt = np.arctan2(turned[1], turned[0]) - np.arctan2(eye_line[1], eye_line[0])
    return float((tilt + np.pi) % (2 * np.pi) - np.pi)
