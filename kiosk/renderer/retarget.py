"""Motion (reference-face units, relative pose) -> target mesh positions on one painted face."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from kiosk.motion.geometry import image_roll, matrix_from_euler
from kiosk.motion.motion import Motion
from kiosk.motion.proportions import mouth_weights
from kiosk.renderer.face_rig import MESH_LANDMARKS, FaceRig
from kiosk.tracking import landmarks as lm

_EYES = lm.as_index(
    lm.RIGHT_EYE_UPPER + lm.RIGHT_EYE_LOWER + lm.LEFT_EYE_UPPER + lm.LEFT_EYE_LOWER
    + lm.RIGHT_EYE_UPPER_RING + lm.LEFT_EYE_UPPER_RING
)  # fmt: skip
_IRISES = lm.as_index(lm.RIGHT_IRIS + lm.LEFT_IRIS)
_BROWS = lm.as_index(lm.RIGHT_EYEBROW + lm.LEFT_EYEBROW)


@dataclass(frozen=True, slots=True)
class Gains:
    head: float = 1.0
    mouth: float = 1.0
    eyes: float = 1.0
    brows: float = 1.0
    gaze: float = 1.0


@dataclass(frozen=True, slots=True)
class PoseLimits:
    yaw_deg: float = 20.0
    pitch_deg: float = 15.0
    roll_deg: float = 15.0


def _gain_vector(gains: Gains) -> np.ndarray:
    g = np.full(478, 1.0, dtype=np.float32)
    g *= 1.0 + (gains.mouth - 1.0) * mouth_weights()
    g[_EYES] = gains.eyes
    g[_BROWS] = gains.brows
    g[_IRISES] = gains.gaze
    return g[:, None]


def target_landmarks(
    rig: FaceRig, motion: Motion, gains: Gains = Gains(), limits: PoseLimits = PoseLimits()
) -> np.ndarray:
    """Where the painting's 478 landmarks go (image pixels, (478, 3))."""
    expressed = expressed_landmarks(rig, motion, gains)
    return _posed(expressed, _head_transform(rig, motion, gains, limits))


def _posed(
    points: np.ndarray, head: tuple[np.ndarray, np.ndarray, np.ndarray, float]
) -> np.ndarray:
    rot, pivot, shift, scale = head
    return (points - pivot) @ rot.T * scale + pivot + shift


def expressed_landmarks(rig: FaceRig, motion: Motion, gains: Gains = Gains()) -> np.ndarray:
    """The painting's landmarks with the motion's expression but not its head movement (image
    pixels, (478, 3)): where an expression can be measured whatever the pose."""
    frame = rig.frame
    offsets = motion.offsets * rig.offset_scale * _gain_vector(gains)
    canonical = _keep_lips_and_lids_apart(rig.canonical + offsets, rig.canonical)
    return rig.landmarks + ((canonical - rig.canonical) @ frame.axes.T) * frame.iod


# Facing pairs, corner to corner: the first of each pair may never pass below the second.
_UPPER_LIP = lm.as_index(lm.LIPS_INNER_UPPER)
_LOWER_LIP = lm.as_index(lm.LIPS_INNER_LOWER_78_TO_308)
_UPPER_LIDS = lm.as_index(lm.RIGHT_EYE_UPPER + lm.LEFT_EYE_UPPER)
_LOWER_LIDS = lm.as_index(lm.RIGHT_EYE_LOWER + lm.LEFT_EYE_LOWER)


def _keep_lips_and_lids_apart(canonical: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """Lips and lids meet but never pass through each other. A performer whose neutral face
    had the mouth a little open closes it by more than a painted closed mouth can close; those
    offsets must stop at 'closed', not cross the lips over."""
    out = canonical.copy()
    for upper, lower in ((_UPPER_LIP, _LOWER_LIP), (_UPPER_LIDS, _LOWER_LIDS)):
        top, bottom = out[upper, 1], out[lower, 1]
        # The detector may overlap a closed pair slightly at rest; that much is allowed.
        allowed = np.minimum(neutral[lower, 1] - neutral[upper, 1], 0.0)
        crossed = bottom - top < allowed
        if crossed.any():
            meet = (top + bottom - allowed) / 2
            out[upper[crossed], 1] = meet[crossed]
            out[lower[crossed], 1] = (meet + allowed)[crossed]
    return out


def _head_transform(
    rig: FaceRig, motion: Motion, gains: Gains, limits: PoseLimits
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    g = gains.head
    yaw = np.clip(motion.yaw * g, -np.radians(limits.yaw_deg), np.radians(limits.yaw_deg))
    pitch = np.clip(motion.pitch * g, -np.radians(limits.pitch_deg), np.radians(limits.pitch_deg))
    roll = np.clip(motion.roll * g, -np.radians(limits.roll_deg), np.radians(limits.roll_deg))
    turn = matrix_from_euler(float(yaw), float(pitch), 0.0)
    # Roll is the tilt of the eye line in the image (see geometry.image_roll). Turning a face
    # that is itself tilted or seen in three-quarter view tilts its eye line in the image too,
    # so the in-plane rotation makes up the difference: the painting's eye line tilts exactly as
    # much as the visitor's, whatever either face's own pose.
    tilt_from_turn = image_roll(rig.landmarks, turn)
    rot = matrix_from_euler(0.0, 0.0, float(roll - tilt_from_turn)) @ turn
    frame = rig.frame
    # Rotate about the same point the motion was measured about (the centroid of the skull-fixed
    # landmarks): the measured translation already carries the centroid's own movement, so any
    # other pivot would count part of the head's swing twice.
    pivot = frame.origin
    shift = np.zeros(3)
    shift[:2] = np.clip(motion.translation * g, -0.35, 0.35) * frame.iod
    scale = float(np.clip(1.0 + (motion.scale - 1.0) * g, 0.9, 1.1))
    return rot, pivot, shift, scale


class FaceTargets(NamedTuple):
    mesh: np.ndarray  # (V, 3) mesh vertex targets with depth, for the warp
    landmarks: np.ndarray  # (478, 3) landmark targets
    expressed: np.ndarray  # (478, 3) the same without the head's movement (expressed_landmarks)


def target_mesh(
    rig: FaceRig, motion: Motion, gains: Gains = Gains(), limits: PoseLimits = PoseLimits()
) -> FaceTargets:
    """Where the painting's mesh and landmarks go for `motion`."""
    expressed = expressed_landmarks(rig, motion, gains)
    head = _head_transform(rig, motion, gains, limits)
    landmarks = _posed(expressed, head)
    hair_full = _posed(rig.hair_ring, head)
    hair = rig.hair_ring + rig.hair_follow * (hair_full - rig.hair_ring)
    far = np.full((len(rig.outer_ring), 1), landmarks[:, 2].max() + 10.0 * rig.frame.iod)
    outer = np.concatenate([rig.outer_ring, far], axis=1)  # background: always behind the head
    mesh = np.concatenate([landmarks[MESH_LANDMARKS], hair, outer])
    return FaceTargets(mesh.astype(np.float32), landmarks, expressed)
