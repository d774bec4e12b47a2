"""Recorded driver clips: a performance (a sequence of `Motion`) -> a keyframe clip file.

A recording is stored as ordinary control tracks, so it plays through the same parser
(`kiosk.clips.clip`) and retargeting as the hand-written clips, and curators can open and
edit it like any other clip. Only numbers are stored: never a camera image.

Per frame the head pose is taken directly (degrees) and the expression offsets are fitted to
the named controls by bounded least squares against `control_basis()`. The frames are then
trimmed to where a face was seen, sampled at `keys_per_second` with linear easing, and the
last `loop_blend_s` seconds are blended towards the first frame so the loop has no jump.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.camera.frame import Frame
from kiosk.clips.clip import parse_clip
from kiosk.motion.controls import CONTROLS, POSE_CONTROLS, control_basis
from kiosk.motion.estimator import FilterSettings
from kiosk.motion.live import LiveMotion
from kiosk.motion.motion import Motion
from kiosk.tracking import landmarks as lm

# Expression controls fitted by least squares. `jaw_open` is measured first, directly from
# the inner-lip gap (the most visible feature, and what viewers judge speech by); `blink` is
# left out: it is exactly blink_left + blink_right, which would make the fit ambiguous.
FIT_CONTROLS = (
    "smile", "pucker", "brow_raise", "brow_frown",
    "blink_left", "blink_right", "gaze_x", "gaze_y",
)  # fmt: skip
TRACK_ORDER = (*POSE_CONTROLS, "jaw_open", *FIT_CONTROLS)
KEYS_PER_SECOND = 15.0
LOOP_BLEND_S = 0.5
_QUIET = 0.01  # a track that never leaves +-this (in control units) is left out of the file
# Upper/lower inner-lip landmark pairs whose vertical gap measures the mouth opening.
_LIP_PAIRS = ((13, 14), (82, 87), (312, 317), (81, 178), (311, 402))
# Fit weights: the lips, lids and brows carry the expression; cheeks and jaw line follow.
_WEIGHTED = {
    10.0: lm.LIPS_INNER,
    3.0: lm.LIPS_OUTER
    + lm.RIGHT_EYE_UPPER
    + lm.LEFT_EYE_UPPER
    + lm.RIGHT_EYEBROW
    + lm.LEFT_EYEBROW,
}
# Lighter smoothing than the live kiosk: keyframes are averaged anyway, and the live
# filter's smoothing of fast mouth movements would flatten recorded speech.
RECORDING_FILTER = FilterSettings(expression_min_cutoff=10.0, expression_beta=20.0)


def _lip_gap(offsets: np.ndarray) -> float:
    upper = [u for u, _ in _LIP_PAIRS]
    lower = [lo for _, lo in _LIP_PAIRS]
    return float(np.mean(offsets[lower, 1] - offsets[upper, 1]))


@lru_cache(maxsize=1)
def _fit_system() -> tuple[np.ndarray, np.ndarray, float]:
    """(weighted basis (956, C), weights (956,), lip gap of jaw_open at 1).

    Only image-plane (x, y) offsets are used: the tracker's depth is noisy and the 2D warp
    cannot show it anyway.
    """
    basis = control_basis()
    weights = np.ones(478)
    for weight, points in _WEIGHTED.items():
        weights[list(points)] = weight
    w2 = np.repeat(weights, 2)
    a = np.stack([basis[name][:, :2].reshape(-1) for name in FIT_CONTROLS], axis=1)
    return a * w2[:, None], w2, _lip_gap(basis["jaw_open"])


def _bounded_lstsq(a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Least squares with box bounds by an active set: clamp the worst offender, re-solve."""
    x = np.zeros(a.shape[1])
    free = np.ones(a.shape[1], dtype=bool)
    for _ in range(a.shape[1]):
        fixed_part = a[:, ~free] @ x[~free]
        x[free] = np.linalg.lstsq(a[:, free], b - fixed_part, rcond=None)[0]
        over = np.maximum(x - hi, 0.0) + np.maximum(lo - x, 0.0)
        over[~free] = 0.0
        worst = int(np.argmax(over))
        if over[worst] <= 1e-9:
            break
        x[worst] = np.clip(x[worst], lo[worst], hi[worst])
        free[worst] = False
        if not free.any():
            break
    return np.clip(x, lo, hi)


def fit_controls(motion: Motion) -> dict[str, float]:
    """Control values (degrees for the pose, control units for the rest) that best match a
    `Motion`; head translation and scale have no control and are dropped."""
    values = {
        "yaw": float(np.degrees(motion.yaw)),
        "pitch": float(np.degrees(motion.pitch)),
        "roll": float(np.degrees(motion.roll)),
    }
    for name in POSE_CONTROLS:
        low, high, _ = CONTROLS[name]
        values[name] = float(np.clip(values[name], low, high))
    a, weights, jaw_gap = _fit_system()
    offsets = np.asarray(motion.offsets, dtype=np.float64)
    jaw = float(np.clip(_lip_gap(offsets) / jaw_gap, 0.0, 1.0))
    rest = offsets - jaw * control_basis()["jaw_open"]
    lo = np.array([CONTROLS[c][0] for c in FIT_CONTROLS])
    hi = np.array([CONTROLS[c][1] for c in FIT_CONTROLS])
    fitted = _bounded_lstsq(a, rest[:, :2].reshape(-1) * weights, lo, hi)
    values["jaw_open"] = jaw
    values.update(zip(FIT_CONTROLS, (float(v) for v in fitted), strict=True))
    return values


def performance_motions(
    frames: Iterable[Frame], mirror: bool = True
) -> Iterator[tuple[Motion | None, float]]:
    """(motion or None when no face, timestamp) per frame, as the live kiosk tracks a visitor
    (same tracker, visitor choice and mirroring) but with `RECORDING_FILTER`."""
    live = LiveMotion(RECORDING_FILTER, mirror=mirror)
    try:
        for frame in frames:
            yield live.process(frame).motion, frame.timestamp
    finally:
        live.close()


def face_span(motions: Sequence[Motion | None]) -> tuple[int, int]:
    """(first, last) indices of frames with a face; ValueError when there is none."""
    seen = [i for i, m in enumerate(motions) if m is not None]
    if not seen:
        raise ValueError(
            "no face was seen during the recording: stand in front of the camera, in good "
            "light, facing it"
        )
    return seen[0], seen[-1]


def _control_table(motions: Sequence[Motion | None], first: int, last: int) -> np.ndarray:
    """(frames, controls) fitted values; a frame without a face holds the previous one."""
    rows: list[list[float]] = []
    for motion in motions[first : last + 1]:
        if motion is None:
            rows.append(rows[-1])
        else:
            fitted = fit_controls(motion)
            rows.append([fitted[c] for c in TRACK_ORDER])
    return np.asarray(rows, dtype=np.float64)


def _smoothstep(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def record_clip(
    motions: Sequence[Motion | None],
    fps: float,
    name: str,
    *,
    times: Sequence[float] | None = None,
    keys_per_second: float = KEYS_PER_SECOND,
    loop_blend_s: float = LOOP_BLEND_S,
    description: str = "",
) -> dict[str, Any]:
    """A YAML-ready clip mapping (schema_version 1, control tracks) for a performance.

    `motions` are per frame (None = no face in that frame) at `fps`, or at `times` (seconds,
    one per motion) when the frames were not evenly spaced, as from a live camera.
    """
    if fps <= 0:
        raise ValueError(f"fps must be positive (got {fps})")
    first, last = face_span(motions)
    table = _control_table(motions, first, last)
    if times is None:
        frame_t = np.arange(len(table)) / fps
    else:
        if len(times) != len(motions):
            raise ValueError("times needs one timestamp per motion")
        frame_t = np.asarray(times[first : last + 1], dtype=np.float64) - float(times[first])
    duration = max(float(frame_t[-1]) + 1.0 / fps, 0.2)
    key_t = np.arange(0.0, duration - 1e-9, 1.0 / keys_per_second)
    keys = np.stack([np.interp(key_t, frame_t, table[:, j]) for j in range(table.shape[1])], 1)
    blend = min(loop_blend_s, duration / 3)
    if blend > 0:
        w = _smoothstep((key_t - (duration - blend)) / blend)[:, None]
        keys = keys * (1.0 - w) + table[0] * w
    tracks: dict[str, Any] = {}
    for j, control in enumerate(TRACK_ORDER):
        column = keys[:, j]
        if np.abs(column).max() < _QUIET and control not in POSE_CONTROLS:
            continue
        lo, hi, _ = CONTROLS[control]
        digits = 2 if control in POSE_CONTROLS else 3
        column = np.clip(np.round(column, digits), lo, hi) + 0.0  # no "-0" in the file
        tracks[control] = {
            "easing": "linear",
            "keys": [[round(float(t), 3), float(v)] for t, v in zip(key_t, column, strict=True)],
        }
    seconds = round(duration, 3)
    return {
        "schema_version": 1,
        "name": name,
        "description": description
        or (
            f"Recorded performance, {seconds:g} s ({len(table)} frames at {fps:g} fps) as "
            f"{keys_per_second:g} keyframes per second. Motion only: no image is stored."
        ),
        "duration": seconds,
        "loop": True,
        "tracks": tracks,
    }


def _flow(value: Any) -> str:
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, width=10**9)
    return text.removesuffix("\n").removesuffix("\n...").strip()  # no document-end marker


def _key_lines(keys: list[list[float]], per_line: int = 6) -> Iterator[str]:
    for i in range(0, len(keys), per_line):
        chunk = ", ".join(f"[{t:g}, {v:g}]" for t, v in keys[i : i + per_line])
        last = i + per_line >= len(keys)
        yield f"      {'[' if i == 0 else ' '}{chunk}{']' if last else ','}"


def clip_yaml(data: dict[str, Any]) -> str:
    """The clip as readable YAML: one track per block, a few keyframes per line."""
    lines = [
        "# Recorded with `kiosk record-driver`: head pose and expression controls only,",
        "# never an image. Edit it like any other clip (see exhibits/README.md).",
    ]
    for key in ("schema_version", "name", "description", "duration", "loop"):
        lines.append(f"{key}: {_flow(data[key])}")
    lines.append("tracks:")
    for control, spec in data["tracks"].items():
        lines += [f"  {control}:", f"    easing: {spec['easing']}", "    keys:"]
        lines += list(_key_lines(spec["keys"]))
    return "\n".join(lines) + "\n"


def write_clip(path: Path, data: dict[str, Any], *, overwrite: bool = False) -> Path:
    """Validate and write a clip atomically; an existing file is kept unless `overwrite`."""
    import yaml

    path = Path(path)
    text = clip_yaml(data)
    parse_clip(yaml.safe_load(text), str(path))  # never write a file the kiosk would reject
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists; choose another name or overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if the file appeared meanwhile: never clobbers
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
