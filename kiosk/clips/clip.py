"""Driver clips: curator-editable YAML keyframes on named face controls, played as `Motion`.

schema_version: 1
name: breathing
description: Calm breathing with natural blinks.
duration: 8.0          # seconds
loop: true             # the end blends back into the start
tracks:
  pitch: [[0, 0], [4, 1.5], [8, 0]]            # [time, value] pairs
  blink:
    easing: smooth                              # linear | smooth | hold
    keys: [[0, 0], [2.3, 0], [2.42, 1], [2.6, 0]]
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kiosk.motion.controls import CONTROLS, motion_from_controls
from kiosk.motion.motion import Motion
from kiosk.problems import show_value
from kiosk.safe_yaml import (
    DEFAULT_LIMITS,
    FileTooBigError,
    YamlBudgetError,
    load_bounded,
    read_bounded_bytes,
)

EASINGS = ("linear", "smooth", "hold")


class ClipError(ValueError):
    """A driver clip file is wrong; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Track:
    control: str
    times: tuple[float, ...]
    values: tuple[float, ...]
    easing: str = "smooth"


@dataclass(frozen=True, slots=True)
class Clip:
    name: str
    duration: float
    tracks: tuple[Track, ...]
    loop: bool = True
    description: str = ""

    def values_at(self, t: float) -> dict[str, float]:
        if self.loop:
            t = t % self.duration
        else:
            t = min(max(t, 0.0), self.duration)
        return {track.control: _sample(track, t, self.duration, self.loop) for track in self.tracks}

    def motion_at(self, t: float) -> Motion:
        return motion_from_controls(self.values_at(t))


def _ease(u: float, easing: str) -> float:
    if easing == "hold":
        return 0.0
    if easing == "smooth":
        return u * u * (3.0 - 2.0 * u)
    return u


def _sample(track: Track, t: float, duration: float, loop: bool) -> float:
    times, values = track.times, track.values
    if len(times) == 1:
        return values[0]
    i = bisect.bisect_right(times, t) - 1
    if i < 0:  # before the first key: wrap from the last key when looping
        if not loop:
            return values[0]
        t0, v0, t1, v1 = times[-1] - duration, values[-1], times[0], values[0]
    elif i >= len(times) - 1:
        if not loop or times[-1] >= duration:
            return values[-1]
        t0, v0, t1, v1 = times[-1], values[-1], times[0] + duration, values[0]
    else:
        t0, v0, t1, v1 = times[i], values[i], times[i + 1], values[i + 1]
    u = 0.0 if t1 <= t0 else (t - t0) / (t1 - t0)
    return v0 + (v1 - v0) * _ease(min(max(u, 0.0), 1.0), track.easing)


def _fail(source: str, key: str, message: str) -> ClipError:
    return ClipError(f"{source}: {key}: {message}")


def _key_text(key: Any) -> str:
    """A mapping key as messages name it; a key that is not text is quoted, shortened."""
    return key if isinstance(key, str) else show_value(key)


def _number(source: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(source, key, f"must be a number (got {show_value(value)})")
    return float(value)


def parse_clip(data: Any, source: str = "<clip>") -> Clip:
    """Validate a loaded YAML mapping into a `Clip`; errors name `source` and the key."""
    if not isinstance(data, dict):
        raise ClipError(f"{source}: the file must be a mapping with name, duration and tracks")
    allowed = {"schema_version", "name", "description", "duration", "loop", "tracks"}
    for key in data:
        if key not in allowed:
            raise _fail(
                source, _key_text(key), f"unknown key (allowed: {', '.join(sorted(allowed))})"
            )
    if data.get("schema_version", 1) != 1:
        raise _fail(source, "schema_version", "must be 1")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _fail(source, "name", "a clip needs a name")
    duration = _number(source, "duration", data.get("duration"))
    if not 0.2 <= duration <= 600:
        raise _fail(source, "duration", f"must be between 0.2 and 600 seconds (got {duration})")
    loop = data.get("loop", True)
    if not isinstance(loop, bool):
        raise _fail(source, "loop", "must be true or false")
    tracks_in = data.get("tracks")
    if not isinstance(tracks_in, dict) or not tracks_in:
        raise _fail(
            source, "tracks", "needs at least one control track, e.g. 'blink: [[0, 0], [1, 1]]'"
        )
    tracks = tuple(
        _parse_track(source, _key_text(c), spec, duration) for c, spec in tracks_in.items()
    )
    return Clip(name=name.strip(), duration=duration, tracks=tracks, loop=loop,
                description=str(data.get("description", "")))  # fmt: skip


def _parse_track(source: str, control: str, spec: Any, duration: float) -> Track:
    key = f"tracks.{control}"
    if control not in CONTROLS:
        raise _fail(source, key, f"unknown control (known: {', '.join(CONTROLS)})")
    easing = "smooth"
    keys = spec
    if isinstance(spec, dict):
        extra = set(spec) - {"easing", "keys"}
        if extra:
            raise _fail(source, f"{key}.{sorted(extra)[0]}", "unknown key (allowed: easing, keys)")
        easing = spec.get("easing", "smooth")
        keys = spec.get("keys")
        if easing not in EASINGS:
            raise _fail(source, f"{key}.easing", f"must be one of {', '.join(EASINGS)}")
    if not isinstance(keys, list) or not keys:
        raise _fail(source, key, "needs a list of [time, value] keyframes")
    lo, hi, _ = CONTROLS[control]
    times: list[float] = []
    values: list[float] = []
    for i, item in enumerate(keys):
        where = f"{key}[{i}]"
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise _fail(source, where, f"a keyframe is [time, value] (got {show_value(item)})")
        t = _number(source, where, item[0])
        v = _number(source, where, item[1])
        if not 0.0 <= t <= duration:
            raise _fail(source, where, f"time {t} is outside the clip (0 to {duration} s)")
        if times and t <= times[-1]:
            raise _fail(source, where, f"times must increase (got {t} after {times[-1]})")
        if not lo <= v <= hi:
            raise _fail(source, where, f"{control} must be between {lo} and {hi} (got {v})")
        times.append(t)
        values.append(v)
    return Track(control, tuple(times), tuple(values), easing)


def load_clip(path: Path) -> Clip:
    """Read and validate a curator's clip file: untrusted, so read within YamlLimits (size,
    nodes after aliases, depth, time) and never raising anything but ClipError."""
    try:
        text = read_bounded_bytes(path, DEFAULT_LIMITS.max_bytes).decode("utf-8-sig")
    except FileTooBigError as exc:
        raise ClipError(f"{path}: {exc}; split it into shorter clips") from exc
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise ClipError(f"{path}: cannot read the clip ({exc})") from exc
    try:
        data = load_bounded(text)
    except YamlBudgetError as exc:
        raise ClipError(f"{path}: {exc}") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark is not None else "YAML"
        raise ClipError(f"{path}: {where}: not valid YAML ({exc.problem or exc.context})") from exc
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError, TypeError) as exc:
        raise ClipError(f"{path}: not valid YAML ({show_value(str(exc))})") from exc
    return parse_clip(data, str(path))
