"""Driver clips: parsing and curator-facing errors, sampling, controls and the clip library."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kiosk.clips.clip import Clip, ClipError, load_clip, parse_clip
from kiosk.clips.library import builtin_clips, load_clip_library
from kiosk.motion.controls import (
    CONTROLS,
    LOWER_LIP_COLUMNS,
    control_basis,
    motion_from_controls,
)
from kiosk.motion.proportions import lid_gaps, reference_face
from kiosk.tracking import landmarks as lm

GOOD: dict[str, Any] = {
    "schema_version": 1,
    "name": "  Test clip ",
    "description": "for tests",
    "duration": 4.0,
    "loop": True,
    "tracks": {
        "yaw": [[0, 0], [2, 10], [4, 0]],
        "blink": {"easing": "linear", "keys": [[1, 0], [2, 1], [3, 0]]},
    },
}

GOOD_YAML = """\
schema_version: 1
name: Mine
duration: 2.0
tracks:
  smile: [[0, 0], [1, 0.5], [2, 0]]
"""


def good(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    data.update(changes)
    return data


def with_track(control: str, spec: Any) -> dict[str, Any]:
    data = good()
    data["tracks"][control] = spec
    return data


# -- parsing --------------------------------------------------------------------------------


def test_parse_good_clip() -> None:
    clip = parse_clip(good(), "good.yaml")
    assert clip.name == "Test clip"
    assert clip.description == "for tests"
    assert clip.duration == 4.0
    assert clip.loop is True
    tracks = {t.control: t for t in clip.tracks}
    assert set(tracks) == {"yaw", "blink"}
    assert tracks["yaw"].times == (0.0, 2.0, 4.0)
    assert tracks["yaw"].values == (0.0, 10.0, 0.0)
    assert tracks["yaw"].easing == "smooth"  # the default
    assert tracks["blink"].easing == "linear"


def test_parse_defaults_loop_true_and_schema_version_1() -> None:
    data = good()
    del data["loop"], data["schema_version"], data["description"]
    clip = parse_clip(data, "x")
    assert clip.loop is True
    assert clip.description == ""


BAD_CASES = {
    "not a mapping": ([1, 2, 3], None),
    "unknown top-level key": (good(speed=2), "speed"),
    "bad schema version": (good(schema_version=2), "schema_version"),
    "missing name": (good(name=""), "name"),
    "duration not a number": (good(duration="long"), "duration"),
    "duration is a bool": (good(duration=True), "duration"),
    "duration too short": (good(duration=0.1), "duration"),
    "loop not a bool": (good(loop="yes"), "loop"),
    "empty tracks": (good(tracks={}), "tracks"),
    "tracks not a mapping": (good(tracks=[["blink", 1]]), "tracks"),
    "unknown control": (with_track("wiggle", [[0, 0]]), "tracks.wiggle"),
    "unknown key in track": (
        with_track("smile", {"keys": [[0, 0]], "speed": 1}),
        "tracks.smile.speed",
    ),
    "bad easing": (
        with_track("smile", {"easing": "bouncy", "keys": [[0, 0]]}),
        "tracks.smile.easing",
    ),
    "no keyframes": (with_track("smile", []), "tracks.smile"),
    "keyframe not a pair": (with_track("smile", [[0, 0], [1]]), "tracks.smile[1]"),
    "time is not a number": (with_track("smile", [["soon", 0]]), "tracks.smile[0]"),
    "value is not a number": (with_track("smile", [[0, "big"]]), "tracks.smile[0]"),
    "value is a bool": (with_track("smile", [[0, True]]), "tracks.smile[0]"),
    "time after the end": (with_track("smile", [[0, 0], [4.5, 0.2]]), "tracks.smile[1]"),
    "negative time": (with_track("smile", [[-0.5, 0]]), "tracks.smile[0]"),
    "time not increasing": (with_track("smile", [[0, 0], [2, 0.2], [2, 0.3]]), "tracks.smile[2]"),
    "time going backwards": (with_track("smile", [[0, 0], [2, 0.2], [1, 0.3]]), "tracks.smile[2]"),
    "value above range": (with_track("blink", [[0, 0], [1, 1.5]]), "tracks.blink[1]"),
    "value below range": (with_track("yaw", [[0, -31]]), "tracks.yaw[0]"),
    "nan value": (with_track("smile", [[0, float("nan")]]), "tracks.smile[0]"),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_clip_names_source_and_key(case: str) -> None:
    data, key = BAD_CASES[case]
    with pytest.raises(ClipError) as info:
        parse_clip(data, "museum/clip.yaml")
    message = str(info.value)
    assert message.startswith("museum/clip.yaml: ")
    if key is not None:
        assert f": {key}: " in message


def test_value_range_message_names_control_limits() -> None:
    with pytest.raises(ClipError, match=r"blink must be between 0.0 and 1.0 \(got 1.5\)"):
        parse_clip(with_track("blink", [[0, 1.5]]), "c.yaml")


def test_load_clip_reads_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD_YAML, encoding="utf-8")
    clip = load_clip(path)
    assert clip.name == "Mine"
    assert clip.values_at(1.0) == {"smile": pytest.approx(0.5)}


def test_load_clip_bad_yaml_reports_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nduration: 2\n  tracks: oops\n", encoding="utf-8")
    with pytest.raises(ClipError, match=r"broken\.yaml: line 3: not valid YAML"):
        load_clip(path)


def test_load_clip_validation_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "wrong.yaml"
    path.write_text(GOOD_YAML.replace("smile", "grin"), encoding="utf-8")
    with pytest.raises(ClipError) as info:
        load_clip(path)
    assert str(info.value).startswith(f"{path}: tracks.grin: unknown control")


def test_load_clip_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ClipError, match="cannot read"):
        load_clip(tmp_path / "nope.yaml")


# -- sampling -------------------------------------------------------------------------------


def _max_slope(clip: Clip, control: str) -> float:
    """Steepest key-to-key slope of a track (including the wrap), times smoothstep's 1.5."""
    track = next(t for t in clip.tracks if t.control == control)
    times = list(track.times) + [track.times[0] + clip.duration]
    values = list(track.values) + [track.values[0]]
    slopes = [
        abs(v1 - v0) / (t1 - t0)
        for t0, t1, v0, v1 in zip(times, times[1:], values, values[1:], strict=False)
        if t1 > t0
    ]
    return 1.5 * max(slopes, default=0.0)


@pytest.mark.parametrize("name", sorted(builtin_clips()))
def test_builtin_clip_loops_seamlessly(name: str) -> None:
    clip = builtin_clips()[name]
    assert clip.loop
    start, end = clip.values_at(0.0), clip.values_at(clip.duration)
    just_before = clip.values_at(clip.duration - 1e-9)
    for control in start:
        assert end[control] == pytest.approx(start[control], abs=1e-9)
        assert just_before[control] == pytest.approx(start[control], abs=1e-6)


@pytest.mark.parametrize("name", sorted(builtin_clips()))
def test_builtin_clip_is_continuous(name: str) -> None:
    clip = builtin_clips()[name]
    dt = 1e-3
    times = np.arange(-1.0, 2 * clip.duration + 1.0, dt)  # two loops, and before the start
    samples = [clip.values_at(float(t)) for t in times]
    for track in clip.tracks:
        series = np.array([s[track.control] for s in samples])
        lo, hi, _ = CONTROLS[track.control]
        assert series.min() >= lo and series.max() <= hi
        assert np.abs(np.diff(series)).max() <= _max_slope(clip, track.control) * dt + 1e-9


def test_builtin_clips_cover_the_shipped_library() -> None:
    clips = builtin_clips()
    assert {"breathing", "gentle_smile", "hello", "look_around"} <= set(clips)
    assert all(isinstance(c, Clip) for c in clips.values())


def test_smooth_and_linear_interpolation() -> None:
    clip = parse_clip(good(), "c")
    # yaw: smooth 0 -> 10 over 0..2 s: smoothstep(0.25) = 0.15625
    assert clip.values_at(0.5)["yaw"] == pytest.approx(1.5625)
    assert clip.values_at(1.0)["yaw"] == pytest.approx(5.0)
    # blink: linear 0 -> 1 over 1..2 s
    assert clip.values_at(1.25)["blink"] == pytest.approx(0.25)


def test_loop_wraps_between_last_and_first_key() -> None:
    # Keys at 1 s (0) and 3 s (1) in a 4 s loop: 3 -> 5 (= 1 next loop) fades 1 -> 0.
    clip = parse_clip(good(tracks={"blink": {"easing": "linear", "keys": [[1, 0], [3, 1]]}}), "c")
    assert clip.values_at(4.0)["blink"] == pytest.approx(0.5)
    assert clip.values_at(0.0)["blink"] == pytest.approx(0.5)
    assert clip.values_at(3.5)["blink"] == pytest.approx(0.75)
    assert clip.values_at(0.5)["blink"] == pytest.approx(0.25)
    assert clip.values_at(8.5)["blink"] == pytest.approx(0.25)


def test_non_loop_clip_clamps() -> None:
    clip = parse_clip(good(loop=False, tracks={"smile": [[1, 0.2], [3, 0.8]]}), "c")
    assert clip.values_at(-5.0)["smile"] == pytest.approx(0.2)
    assert clip.values_at(0.5)["smile"] == pytest.approx(0.2)
    assert clip.values_at(3.5)["smile"] == pytest.approx(0.8)
    assert clip.values_at(100.0)["smile"] == pytest.approx(0.8)


def test_hold_easing_holds_until_next_key() -> None:
    keys = [[0, 0.1], [1, 0.6], [2, 0.3]]
    clip = parse_clip(good(loop=False, tracks={"smile": {"easing": "hold", "keys": keys}}), "c")
    assert clip.values_at(0.0)["smile"] == pytest.approx(0.1)
    assert clip.values_at(0.999)["smile"] == pytest.approx(0.1)
    assert clip.values_at(1.0)["smile"] == pytest.approx(0.6)
    assert clip.values_at(1.9)["smile"] == pytest.approx(0.6)
    assert clip.values_at(2.5)["smile"] == pytest.approx(0.3)


def test_single_key_track_is_constant() -> None:
    clip = parse_clip(good(tracks={"smile": [[2, 0.4]]}), "c")
    assert [clip.values_at(t)["smile"] for t in (0.0, 2.0, 3.9, 7.0)] == [0.4] * 4


# -- controls -------------------------------------------------------------------------------


def test_motion_at_converts_degrees_to_radians() -> None:
    clip = parse_clip(good(tracks={"yaw": [[0, 12]], "pitch": [[0, -6]], "roll": [[0, 3]]}), "c")
    motion = clip.motion_at(1.0)
    assert motion.yaw == pytest.approx(np.radians(12))
    assert motion.pitch == pytest.approx(np.radians(-6))
    assert motion.roll == pytest.approx(np.radians(3))
    assert not motion.offsets.any()  # pose alone moves no expression landmarks


def test_neutral_controls_give_neutral_motion() -> None:
    motion = motion_from_controls({name: 0.0 for name in CONTROLS})
    assert (motion.yaw, motion.pitch, motion.roll) == (0.0, 0.0, 0.0)
    assert motion.offsets.shape == (478, 3)
    assert not motion.offsets.any()


def test_blink_closes_upper_lids_by_reference_lid_gap() -> None:
    gap_r, gap_l = lid_gaps(reference_face())
    offsets = motion_from_controls({"blink": 1.0}).offsets
    i = lm.RIGHT_EYE_UPPER.index(159)
    j = lm.LEFT_EYE_UPPER.index(386)
    assert gap_r[i] > 0 and gap_l[j] > 0
    assert offsets[159, 1] == pytest.approx(gap_r[i], rel=0.05)  # downwards (+y)
    assert offsets[386, 1] == pytest.approx(gap_l[j], rel=0.05)
    assert offsets[[159, 386], 0] == pytest.approx(0.0)
    # The lower lids stay put: the upper lid comes down to meet them.
    assert offsets[[145, 374], 1] == pytest.approx(0.0)


def test_controls_scale_linearly_and_add() -> None:
    basis = control_basis()
    half = motion_from_controls({"jaw_open": 0.5}).offsets
    assert half == pytest.approx(0.5 * basis["jaw_open"], abs=1e-6)
    both = motion_from_controls({"jaw_open": 1.0, "smile": 1.0}).offsets
    assert both == pytest.approx(basis["jaw_open"] + basis["smile"], abs=1e-6)
    assert basis["jaw_open"][lm.LOWER_LIP_INNER_MID, 1] > 0.2  # the lower lip drops


def test_open_jaw_parts_the_lips_most_in_the_middle() -> None:
    """Wide open, the lips' gap tapers into the corners (an oval, not a box): next to each
    corner it is well under the gap in the middle, and it never grows towards a corner."""
    face = reference_face() + control_basis()["jaw_open"]
    centre_x = face[list(lm.LIPS_OUTER), 0].mean()
    # Facing points, corner to corner (the inner corners 78 and 308 themselves left out).
    pairs = list(zip(lm.LIPS_INNER_UPPER[1:-1], lm.LIPS_INNER_LOWER[::-1], strict=True))
    across = np.array([abs(face[u, 0] - centre_x) for u, _ in pairs])
    gaps = np.array([face[d, 1] - face[u, 1] for u, d in pairs])
    middle = gaps[np.argmin(across)]
    near_corners = gaps[[0, -1]]
    assert (near_corners < 0.7 * middle).all(), (near_corners, middle)
    order = np.argsort(across)
    assert (np.diff(gaps[order]) <= 0.02 * middle).all()


def test_open_jaw_keeps_the_lower_lips_rows_in_order() -> None:
    """From the inner lip line down to the outer one, every column of the lower lip stays in
    order however far the jaw opens: no row passes another (the warp would fold there)."""
    columns = LOWER_LIP_COLUMNS  # 4 rows from the inner line down, 9 columns corner to corner
    assert sorted(columns.ravel()) == sorted(
        lm.LIPS_INNER_LOWER
        + lm.LOWER_LIP_BODY_INNER
        + lm.LOWER_LIP_BODY_OUTER
        + lm.LIPS_OUTER_LOWER
    )
    for amount in (0.0, 0.5, 1.0):
        face = reference_face() + amount * control_basis()["jaw_open"]
        assert (np.diff(face[columns, 1], axis=0) > 0).all(), amount


def test_control_basis_covers_every_expression_control() -> None:
    basis = control_basis()
    assert set(basis) == set(CONTROLS) - {"yaw", "pitch", "roll"}
    for name, offsets in basis.items():
        assert offsets.shape == (478, 3), name
        assert np.abs(offsets).max() > 0, name
        assert not offsets.flags.writeable, name


# -- library --------------------------------------------------------------------------------


def test_curator_clip_overrides_builtin_and_broken_one_is_reported(tmp_path: Path) -> None:
    (tmp_path / "breathing.yaml").write_text(GOOD_YAML, encoding="utf-8")
    (tmp_path / "extra.yaml").write_text(GOOD_YAML.replace("Mine", "Extra"), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text(GOOD_YAML.replace("smile", "grin"), encoding="utf-8")
    (tmp_path / ".hidden.yaml").write_text("not: [valid", encoding="utf-8")
    clips, problems = load_clip_library(tmp_path)
    assert clips["breathing"].name == "Mine"
    assert clips["extra"].name == "Extra"
    assert clips["hello"] == builtin_clips()["hello"]
    assert "broken" not in clips and ".hidden" not in clips
    assert len(problems) == 1
    assert "broken.yaml" in problems[0] and "tracks.grin" in problems[0]


def test_library_without_drivers_dir_is_the_builtins() -> None:
    clips, problems = load_clip_library(None)
    assert clips == builtin_clips()
    assert problems == []
    clips, problems = load_clip_library(Path("/nonexistent/drivers"))
    assert clips == builtin_clips() and problems == []
