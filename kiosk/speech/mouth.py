"""Speech owns the mouth: the landmarks the mouth controls move take speech's shape, blended
in and out by a weight; head pose, eyes and brows stay with the idle clip or the visitor."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from kiosk.motion.controls import control_basis, motion_from_controls
from kiosk.motion.motion import Motion
from kiosk.speech.visemes import MOUTH_CONTROLS
from kiosk.tracking import landmarks as lm


@lru_cache(maxsize=1)
def mouth_landmarks() -> np.ndarray:
    """Which of the 478 landmarks speech owns: the lips and everything the jaw, pucker and
    lip-tuck controls move (the lower face). The smile's reach into the cheeks stays out."""
    basis = control_basis()
    moved = np.zeros(len(next(iter(basis.values()))), bool)
    for name in ("jaw_open", "pucker", "lip_tuck", "lips_press"):
        moved |= np.abs(basis[name]).max(axis=1) > 1e-6
    moved[list(set(lm.LIPS_INNER) | set(lm.LIPS_OUTER))] = True
    moved.setflags(write=False)
    return moved


def own_mouth(base: Motion, mouth: dict[str, float], weight: float) -> Motion:
    """`base` with its mouth replaced by speech's `mouth` controls at `weight` (0..1)."""
    w = float(np.clip(weight, 0.0, 1.0))
    if w <= 0.0:
        return base
    speech = motion_from_controls({k: v for k, v in mouth.items() if k in MOUTH_CONTROLS})
    mask = mouth_landmarks()
    out = base.copy()
    out.offsets[mask] += (speech.offsets[mask] - out.offsets[mask]) * w
    return out


def blend_weight(t: float, start_s: float, end_s: float | None, blend_s: float) -> float:
    """How much speech owns the mouth at `t`: ramping up over `blend_s` from `start_s`, down
    over `blend_s` from `end_s` (None: still speaking)."""
    if blend_s <= 0:
        return 1.0 if start_s <= t and (end_s is None or t < end_s) else 0.0
    up = np.clip((t - start_s) / blend_s, 0.0, 1.0)
    down = 1.0 if end_s is None else np.clip(1.0 - (t - end_s) / blend_s, 0.0, 1.0)
    return float(min(up, down))
