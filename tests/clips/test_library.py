"""The built-in idle clips: they parse, loop without a jump, and stay subtle and natural."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import matplotlib
import numpy as np
import pytest

from kiosk.clips.clip import Clip
from kiosk.clips.library import builtin_clips
from kiosk.motion.controls import POSE_CONTROLS
from kiosk.renderer.engine import GeometricEngine
from kiosk.renderer.retarget import target_landmarks

ORIGINAL = {"breathing", "look_around", "gentle_smile", "hello"}
ADDED = {"glance", "broad_smile", "nod", "head_tilt", "surprise", "wink", "thoughtful", "sleepy"}
SLOW_BLINKS = {"sleepy"}  # heavy lids on purpose


@pytest.fixture(scope="module")
def face():
    image = cv2.imread(str(Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"))
    engine = GeometricEngine()
    try:
        yield engine.build_rig(image).faces[0]
    finally:
        engine.close()


def test_library_has_the_expected_clips() -> None:
    clips = builtin_clips()
    assert len(clips) >= 12
    assert ORIGINAL | ADDED <= set(clips)
    for clip in clips.values():
        assert clip.loop and clip.description


@pytest.mark.parametrize("name", sorted(builtin_clips()))
def test_clip_loops_without_a_visible_jump(face, name: str) -> None:
    clip = builtin_clips()[name]
    start = target_landmarks(face, clip.motion_at(0.0))
    # t = duration wraps to 0 in a looping clip, so compare with the end approached from
    # below, and with the end as a non-looping clip holds it.
    just_before_wrap = target_landmarks(face, clip.motion_at(clip.duration - 1e-4))
    held_end = target_landmarks(
        face, dataclasses.replace(clip, loop=False).motion_at(clip.duration)
    )
    for end in (just_before_wrap, held_end):
        jump = np.linalg.norm(end[:, :2] - start[:, :2], axis=1).max()
        assert jump < 0.5, f"{name}: the loop jumps by {jump:.2f} px"


@pytest.mark.parametrize("name", sorted(builtin_clips()))
def test_head_pose_is_subtle(name: str) -> None:
    for track in builtin_clips()[name].tracks:
        if track.control in POSE_CONTROLS:
            assert max(abs(v) for v in track.values) <= 12.0, f"{name}.{track.control}"


def _closed(clip: Clip, times: np.ndarray) -> np.ndarray:
    """Both eyes more than half shut (a blink, not a wink)."""
    rows = [clip.values_at(float(t)) for t in times]
    both = [
        r.get("blink", 0.0) + min(r.get("blink_left", 0), r.get("blink_right", 0)) for r in rows
    ]
    return np.asarray(both) > 0.5


@pytest.mark.parametrize("name", sorted(ADDED | {"breathing"}))
def test_blinks_are_natural(name: str) -> None:
    clip = builtin_clips()[name]
    dt = 0.005
    times = np.arange(0.0, clip.duration, dt)
    closed = _closed(clip, times)
    starts = np.flatnonzero(closed & ~np.roll(closed, 1))
    ends = np.flatnonzero(~closed & np.roll(closed, 1))
    assert len(starts) >= 1
    gaps = np.diff(np.append(starts, starts[0] + len(times))) * dt  # cyclic: loops repeat
    assert gaps.max() <= 6.5, f"{name}: {gaps.max():.1f} s without a blink"
    assert gaps.min() >= 1.5, f"{name}: blinks {gaps.min():.1f} s apart"
    if name not in SLOW_BLINKS:
        shut = ((ends - starts) % len(times)) * dt
        assert shut.max() <= 0.2, f"{name}: eyes shut for {shut.max():.2f} s"


def test_curator_docs_list_every_control_and_clip() -> None:
    from kiosk.motion.controls import CONTROLS
    from tests.conftest import REPO_ROOT

    readme = (REPO_ROOT / "exhibits" / "README.md").read_text(encoding="utf-8")
    for control, (lo, hi, meaning) in CONTROLS.items():
        assert f"| `{control}` | {lo:g} | {hi:g} | {meaning} |" in readme, control
    for name in builtin_clips():
        assert f"| `{name}` |" in readme, name
