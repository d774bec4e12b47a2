"""The attention source: the painting's eyes on the viewer, small natural saccades and a
little head; and `attend`, which lets it own the gaze of another motion.

On a flat picture a frontal gaze meets every viewer's eyes wherever they stand (the "Mona Lisa
effect": perceived gaze relative to the viewer equals depicted gaze relative to the picture's
normal, Todorovic 2006). So looking at someone is turning the eyes to frontal: towards the
picture's normal, whatever the head does.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from kiosk.motion.controls import control_basis, nod_translation
from kiosk.motion.motion import Motion
from kiosk.tracking import landmarks as lm

IRISES = lm.as_index(lm.RIGHT_IRIS + lm.LEFT_IRIS)
# The eyeball's radius over the distance between the pupils (about 12 mm over 63 mm): how far
# the iris moves in the head when the eye turns, sin(angle) * this, in IOD units.
EYEBALL_RADIUS_IOD = 0.19
GAZE_LIMIT = 1.0  # the gaze controls' range (kiosk.motion.controls.CONTROLS)

# A little head while looking (degrees, seconds): slow, small, never in step.
HEAD_SWAY = (("yaw", 1.6, 7.3), ("pitch", 0.9, 5.9))
# Small saccades: a new fixation point every SACCADE_EVERY_S or so, at most SACCADE_GAZE away
# (gaze units; 0.06 is about 1.5% of the eye's width), reached in SACCADE_MOVE_S.
SACCADE_EVERY_S = 0.9
SACCADE_GAZE = 0.06
SACCADE_MOVE_S = 0.04


@lru_cache(maxsize=1)
def _gaze_units() -> tuple[float, float]:
    """How far gaze_x = 1 and gaze_y = 1 move the iris, in IOD units (from the control basis,
    so the two stay in step)."""
    basis = control_basis()
    c = lm.RIGHT_IRIS_CENTER
    return float(basis["gaze_x"][c, 0]), float(basis["gaze_y"][c, 1])


def gaze_offsets(gaze_x: float, gaze_y: float) -> np.ndarray:
    """The irises' offsets (10, 3) for gaze controls (each clipped to its range)."""
    basis = control_basis()
    gx = float(np.clip(gaze_x, -GAZE_LIMIT, GAZE_LIMIT))
    gy = float(np.clip(gaze_y, -GAZE_LIMIT, GAZE_LIMIT))
    return (basis["gaze_x"][IRISES] * gx + basis["gaze_y"][IRISES] * gy).astype(np.float32)


def eye_in_head(angle_x: float, angle_y: float, yaw: float, pitch: float) -> tuple[float, float]:
    """Gaze controls that point the eyes `angle_x` towards the image's right and `angle_y`
    down (radians, from the picture's normal) in a head turned by `yaw` and `pitch` (Motion's
    conventions: yaw turns the nose to the image's left, pitch brings the chin down)."""
    unit_x, unit_y = _gaze_units()
    return (
        math.sin(angle_x + yaw) * EYEBALL_RADIUS_IOD / unit_x,
        math.sin(angle_y - pitch) * EYEBALL_RADIUS_IOD / unit_y,
    )


def world_gaze(gaze_x: float, gaze_y: float) -> tuple[float, float]:
    """The angles (radians) an unturned head's gaze controls point the eyes at."""
    unit_x, unit_y = _gaze_units()
    sx = np.clip(gaze_x * unit_x / EYEBALL_RADIUS_IOD, -1.0, 1.0)
    sy = np.clip(gaze_y * unit_y / EYEBALL_RADIUS_IOD, -1.0, 1.0)
    return float(np.arcsin(sx)), float(np.arcsin(sy))


def with_gaze(motion: Motion, angle_x: float, angle_y: float, weight: float = 1.0) -> Motion:
    """`motion` with its eyes turned to these angles from the picture's normal (its head's pose
    allowed for); `weight` < 1 blends from the eyes it had."""
    out = motion.copy()
    wanted = gaze_offsets(*eye_in_head(angle_x, angle_y, motion.yaw, motion.pitch))
    out.offsets[IRISES] += (wanted - out.offsets[IRISES]) * np.float32(weight)
    return out


def _hash01(seed: int, slot: int, salt: int) -> float:
    """A repeatable pseudo-random number in [0, 1) for a time slot (no state to keep)."""
    x = (seed * 0x9E3779B1 + slot * 0x85EBCA77 + salt * 0xC2B2AE3D) & 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x7FEB352D) & 0xFFFFFFFF
    x ^= x >> 15
    return x / 2**32


class AttentionMotion:
    """The painting looking at the viewer: a pure function of time and the director's gaze
    target, so the same clock gives the same motion."""

    def __init__(self, seed: int = 19) -> None:
        self.seed = seed

    def saccade(self, now: float) -> tuple[float, float]:
        """The small fixation offset at `now`: piecewise still, a quick move at each slot."""
        slot = math.floor(now / SACCADE_EVERY_S)
        into = now - slot * SACCADE_EVERY_S
        here = self._fixation(slot)
        if into >= SACCADE_MOVE_S:
            return here
        before = self._fixation(slot - 1)
        u = into / SACCADE_MOVE_S
        return tuple(b + (h - b) * u for b, h in zip(before, here, strict=True))  # type: ignore[return-value]

    def _fixation(self, slot: int) -> tuple[float, float]:
        return (
            (_hash01(self.seed, slot, 1) * 2 - 1) * SACCADE_GAZE,
            (_hash01(self.seed, slot, 2) * 2 - 1) * SACCADE_GAZE * 0.6,
        )

    def motion_at(self, now: float, target: tuple[float, float] = (0.0, 0.0)) -> Motion:
        """Head pose plus the eyes' angles (as gaze controls of an unturned head: `attend`
        allows for the head it ends up on)."""
        pose = {
            name: math.radians(amp) * math.sin(2 * math.pi * (now / period + 0.37 * k))
            for k, (name, amp, period) in enumerate(HEAD_SWAY)
        }
        sx, sy = self.saccade(now)
        motion = Motion(
            yaw=pose["yaw"], pitch=pose["pitch"], translation=nod_translation(pose["pitch"])
        )
        motion.offsets[IRISES] = gaze_offsets(target[0] + sx, target[1] + sy)
        return motion


def attend(base: Motion, attention: Motion, weight: float) -> Motion:
    """`base` (an idle loop, a reaction) with the attention source owning the gaze and the
    head's turn and nod by `weight`; blinks, expressions and tilt stay the base's."""
    w = float(np.clip(weight, 0.0, 1.0))
    if w <= 0.0:
        return base.copy()
    out = base.copy()
    out.yaw = base.yaw + (attention.yaw - base.yaw) * w
    out.pitch = base.pitch + (attention.pitch - base.pitch) * w
    out.translation = base.translation + (attention.translation - base.translation) * w
    unit_x, unit_y = _gaze_units()
    c = int(np.flatnonzero(IRISES == lm.RIGHT_IRIS_CENTER)[0])
    gx = float(attention.offsets[IRISES][c, 0]) / unit_x
    gy = float(attention.offsets[IRISES][c, 1]) / unit_y
    return with_gaze(out, *world_gaze(gx, gy), weight=w)
