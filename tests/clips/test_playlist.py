"""Idle playlists: weighted choice, no repeats, minimum play time, cross-faded switches."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from kiosk.clips.clip import Clip, parse_clip
from kiosk.clips.library import builtin_clips
from kiosk.clips.playlist import PlaylistEntry, PlaylistPlayer
from kiosk.config import TimeoutsConfig
from kiosk.motion.motion import Motion


def constant_clip(name: str, yaw: float, duration: float = 1.0) -> Clip:
    return parse_clip({"name": name, "duration": duration, "tracks": {"yaw": [[0, yaw]]}}, name)


CLIPS = {name: constant_clip(name, yaw) for name, yaw in (("a", 10.0), ("b", -10.0), ("c", 5.0))}


def player(
    weights: dict[str, float], clips: dict[str, Clip] = CLIPS, **kwargs: float
) -> PlaylistPlayer:
    entries = [PlaylistEntry(name, w) for name, w in weights.items()]
    options = {"crossfade_s": 0.0, "min_play_s": 0.5, **kwargs}
    return PlaylistPlayer(entries, clips, rng=random.Random(1234), **options)


def sequence(p: PlaylistPlayer, switches: int, period: float = 1.0) -> list[str]:
    """The clip playing after each of `switches` switches, calling exactly at play ends."""
    played = []
    for k in range(switches + 1):
        p.motion_at(k * period)
        assert p.current is not None
        played.append(p.current)
    return played


def test_never_the_same_clip_twice_in_a_row() -> None:
    played = sequence(player({"a": 5.0, "b": 1.0, "c": 1.0}), 300)
    assert all(x != y for x, y in zip(played, played[1:], strict=False))
    assert set(played) == {"a", "b", "c"}


def test_weights_respected_statistically() -> None:
    # From "c", the next clip is "a" or "b" with weights 3:1 (c itself is excluded).
    played = sequence(player({"a": 3.0, "b": 1.0, "c": 1.0}), 1200)
    after_c = Counter(nxt for prev, nxt in zip(played, played[1:], strict=False) if prev == "c")
    assert after_c["c"] == 0
    ratio = after_c["a"] / after_c["b"]
    assert 2.2 < ratio < 4.0, after_c
    # Overall shares follow the chain's stationary distribution: a 3/7, b and c 2/7 each.
    counts = Counter(played)
    assert counts["a"] / len(played) == pytest.approx(3 / 7, abs=0.05)
    assert counts["b"] / len(played) == pytest.approx(2 / 7, abs=0.05)


def test_two_entry_weights_with_repeats_excluded_alternate() -> None:
    played = sequence(player({"a": 3.0, "b": 1.0}), 20)
    assert played == [played[0], *(["b", "a"] if played[0] == "a" else ["a", "b"]) * 10]


def test_single_entry_playlist_repeats() -> None:
    p = player({"b": 1.0})
    played = sequence(p, 10)
    assert played == ["b"] * 11
    assert p.motion_at(10.5).yaw == pytest.approx(np.radians(-10))


def test_unknown_and_zero_weight_entries_are_dropped() -> None:
    p = player({"a": 1.0, "ghost": 100.0, "c": 0.0})
    assert [e.clip for e in p.entries] == ["a"]
    assert set(sequence(p, 20)) == {"a"}


def test_no_usable_entries_falls_back_to_first_clip_by_name() -> None:
    p = player({"ghost": 1.0})
    assert [e.clip for e in p.entries] == ["a"]
    p.motion_at(0.0)
    assert p.current == "a"


def test_min_play_repeats_short_clips() -> None:
    # 1 s clips, at least 2.5 s each: a clip plays 3 whole loops before the next one.
    p = player({"a": 1.0, "b": 1.0}, min_play_s=2.5)
    p.motion_at(0.0)
    first = p.current
    for t in np.arange(0.0, 3.0, 0.01):
        p.motion_at(float(t))
        assert p.current == first, t
    p.motion_at(3.0)
    assert p.current != first


def test_play_lengths_are_whole_loops_of_at_least_min_play() -> None:
    clips = {
        "long": constant_clip("long", 1.0, duration=8.0),
        "short": constant_clip("s", 2.0, 2.5),
    }
    p = player({"long": 1.0, "short": 1.0}, clips=clips, min_play_s=6.0)
    dt = 0.01
    starts: list[tuple[float, str]] = []
    for t in np.arange(0.0, 60.0, dt):
        p.motion_at(float(t))
        assert p.current is not None
        if not starts or starts[-1][1] != p.current:
            starts.append((float(t), p.current))
    lengths = {
        (name, round(t1 - t0, 1)) for (t0, name), (t1, _) in zip(starts, starts[1:], strict=False)
    }
    # 8 s clip: once (8 s); 2.5 s clip: three loops (7.5 s) to reach 6 s.
    assert lengths == {("long", 8.0), ("short", 7.5)}


def _distance(m1: Motion, m2: Motion) -> float:
    pose = max(abs(m1.yaw - m2.yaw), abs(m1.pitch - m2.pitch), abs(m1.roll - m2.roll))
    return max(pose, float(np.abs(m1.offsets - m2.offsets).max()))


def test_switch_is_crossfaded_not_a_jump() -> None:
    p = player({"a": 1.0, "b": 1.0}, crossfade_s=0.8, min_play_s=0.5)
    p.motion_at(0.0)
    first = p.current
    before = p.motion_at(0.999)
    after = p.motion_at(1.001)
    assert p.current != first
    assert abs(before.yaw - after.yaw) < 0.05 * np.radians(20)
    mid = p.motion_at(1.4)
    assert mid.yaw == pytest.approx(0.0, abs=1e-3)  # half-way between +10 and -10 degrees
    assert p.motion_at(1.81).yaw == pytest.approx(CLIPS[p.current].motion_at(0.0).yaw)


def test_builtin_clips_fade_continuously_at_every_switch() -> None:
    """With the kiosk's default timings (config.yaml's timeouts)."""
    clips = builtin_clips()
    timeouts = TimeoutsConfig()
    p = PlaylistPlayer(
        [PlaylistEntry(n) for n in clips],
        clips,
        crossfade_s=timeouts.crossfade_s,
        min_play_s=timeouts.clip_min_play_s,
        rng=random.Random(7),
    )
    dt = 1 / 60
    previous = p.motion_at(0.0)
    switches = 0
    current = p.current
    worst = 0.0
    for t in np.arange(dt, 80.0, dt):
        motion = p.motion_at(float(t))
        if p.current != current:
            switches += 1
            current = p.current
            worst = max(worst, _distance(previous, motion))
        previous = motion
    assert switches >= 5
    # At 60 fps a frame-to-frame change at a switch stays small (no pose or expression jump).
    assert worst < 0.02
