"""Image and landmark metrics for judging reenactment quality. Pure functions, no I/O."""

from __future__ import annotations

import cv2
import numpy as np
from skimage.metrics import structural_similarity

from kiosk.tracking import landmarks as lm

EVAL_SIZE = 256  # images are compared at 256x256, as in the reenactment literature


def _prepare(image: np.ndarray) -> np.ndarray:
    if image.shape[:2] != (EVAL_SIZE, EVAL_SIZE):
        image = cv2.resize(image, (EVAL_SIZE, EVAL_SIZE), interpolation=cv2.INTER_AREA)
    return image.astype(np.float64) / 255.0


def l1(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference on a 0..1 scale."""
    return float(np.abs(_prepare(a) - _prepare(b)).mean())


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((_prepare(a) - _prepare(b)) ** 2).mean())
    return float("inf") if mse == 0 else float(10.0 * np.log10(1.0 / mse))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    return float(structural_similarity(_prepare(a), _prepare(b), channel_axis=2, data_range=1.0))


def landmark_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Mean 2D distance between two landmark sets over the reference's inter-ocular distance."""
    iod = lm.inter_ocular_distance(b)
    return float(np.linalg.norm(a[:, :2] - b[:, :2], axis=1).mean() / max(iod, 1e-6))


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Correlation over samples where both are known; NaN if either is constant."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ok = ~np.isnan(x) & ~np.isnan(y)
    if ok.sum() < 3 or np.std(x[ok]) < 1e-12 or np.std(y[ok]) < 1e-12:
        return float("nan")
    return float(np.corrcoef(x[ok], y[ok])[0, 1])


def face_signals(landmarks: np.ndarray | None) -> tuple[float, float, float]:
    """(mouth open, mean eye open, head roll) of one face, NaN when there is no face."""
    if landmarks is None:
        return float("nan"), float("nan"), float("nan")
    return (
        lm.mouth_open_ratio(landmarks),
        float(np.mean(lm.eye_open_ratios(landmarks))),
        lm.head_roll(landmarks),
    )


def fitted_pose(tracks: list[np.ndarray | None]) -> tuple[np.ndarray, np.ndarray]:
    """Per frame, the whole head's (yaw, roll) in radians (NaN without a face), from the
    rotation fitted rigidly to all landmarks against the track's first face."""
    from kiosk.motion.estimator import measure_motion
    from kiosk.motion.geometry import face_frame

    first = next((np.asarray(t, dtype=np.float64) for t in tracks if t is not None), None)
    if first is None:
        return np.full(len(tracks), np.nan), np.full(len(tracks), np.nan)
    frame = face_frame(first)
    poses = [
        None if t is None else measure_motion(first, frame, np.asarray(t, np.float64))
        for t in tracks
    ]
    yaw = np.array([np.nan if p is None else p.yaw for p in poses])
    roll = np.array([np.nan if p is None else p.roll for p in poses])
    return yaw, roll


def fitted_head_roll(tracks: list[np.ndarray | None]) -> np.ndarray:
    """Per frame, the roll of the whole head (radians, NaN without a face): the tilt of the eye
    line under the rotation fitted rigidly to all landmarks against the first face. Blinks and
    squints, which move the eye corners, hardly move it."""
    return fitted_pose(tracks)[1]


def mouth_opening(landmarks: np.ndarray | None) -> float:
    """The inner lips' gap at the middle over the inter-ocular distance (NaN: no face)."""
    if landmarks is None:
        return float("nan")
    gap = landmarks[lm.LOWER_LIP_INNER_MID, :2] - landmarks[lm.UPPER_LIP_INNER_MID, :2]
    return float(np.linalg.norm(gap) / max(lm.inter_ocular_distance(landmarks), 1e-6))


def corner_spread(landmarks: np.ndarray | None) -> float:
    """The mouth corners' distance over the inter-ocular distance: a smile widens it."""
    if landmarks is None:
        return float("nan")
    width = landmarks[lm.MOUTH_LEFT, :2] - landmarks[lm.MOUTH_RIGHT, :2]
    return float(np.linalg.norm(width) / max(lm.inter_ocular_distance(landmarks), 1e-6))


def amplitude(values: np.ndarray) -> float:
    """How far a signal swings: its 95th minus its 5th percentile (robust to a stray frame)."""
    arr = np.asarray(values, dtype=np.float64)
    arr = arr[~np.isnan(arr)]
    if len(arr) < 3:
        return float("nan")
    lo, hi = np.percentile(arr, [5, 95])
    return float(hi - lo)


# Below these driver swings a ratio is noise over noise: the pair is not counted for it.
MIN_SWING = {"mouth_opening": 0.05, "smile_spread": 0.03, "head_turn_deg": 3.0}


def amplitude_ratios(
    driver: list[np.ndarray | None], output: list[np.ndarray | None]
) -> dict[str, float]:
    """Output's swing over the driver's, for the mouth opening, the mouth corners' spread (a
    smile) and the fitted head turn; each face's lengths over its own inter-ocular distance
    (the turn is an angle). NaN where the driver hardly moves that way (`MIN_SWING`)."""

    def turn(tracks: list[np.ndarray | None]) -> np.ndarray:
        return np.degrees(fitted_pose(tracks)[0])

    measures = {
        "mouth_opening": lambda t: np.array([mouth_opening(x) for x in t]),
        "smile_spread": lambda t: np.array([corner_spread(x) for x in t]),
        "head_turn_deg": turn,
    }
    ratios = {}
    for name, measure in measures.items():
        swing = amplitude(measure(driver))
        ok = not np.isnan(swing) and swing >= MIN_SWING[name]
        ratios[name] = amplitude(measure(output)) / swing if ok else float("nan")
    return ratios


def head_roll_agreement(tracks: list[np.ndarray | None]) -> float:
    """How much of a performer's measured roll is head roll: the correlation of the eye-line
    angle (`face_signals`' roll, landmarks 33 -> 263) with `fitted_head_roll`.

    A painting that copied the performer's head roll exactly scores this on the roll measure:
    whatever else moves the two eye corners (a blink, a squint, a turn) moves the eye line too.
    """
    eye_line = np.array([face_signals(t)[2] for t in tracks])
    return pearson(eye_line, fitted_head_roll(tracks))


def mean_jitter(tracks: list[np.ndarray | None]) -> float:
    """Mean frame-to-frame landmark motion in pixels over consecutive frames with a face."""
    steps = [
        float(np.linalg.norm(b[:, :2] - a[:, :2], axis=1).mean())
        for a, b in zip(tracks, tracks[1:], strict=False)
        if a is not None and b is not None
    ]
    return float(np.mean(steps)) if steps else float("nan")


def changed_outside(original: np.ndarray, rendered: np.ndarray, region_mask: np.ndarray) -> float:
    """Fraction of pixels outside the animated region (mask == 0) that differ at all."""
    outside = region_mask == 0
    if not outside.any():
        return 0.0
    differs = np.any(original != rendered, axis=2)
    return float(differs[outside].mean())
