"""Recorded driver clips: motion -> control tracks -> a clip file that replays like any other."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

from kiosk.clips.clip import load_clip, parse_clip
from kiosk.curator.recording import (
    clip_yaml,
    face_span,
    fit_controls,
    performance_motions,
    record_clip,
    write_clip,
)
from kiosk.motion.controls import motion_from_controls
from kiosk.motion.motion import Motion
from tests.conftest import REPO_ROOT, shared_data

EXPRESSION = {
    "yaw": 8.0, "pitch": -5.0, "roll": 3.0, "jaw_open": 0.5, "smile": 0.4,
    "brow_raise": 0.3, "blink_left": 0.8, "blink_right": 0.2, "gaze_x": -0.5, "gaze_y": 0.3,
}  # fmt: skip


def test_fit_recovers_the_controls_a_motion_was_made_of() -> None:
    fitted = fit_controls(motion_from_controls(EXPRESSION))
    for control, value in EXPRESSION.items():
        assert fitted[control] == pytest.approx(value, abs=0.03), control
    assert fitted["pucker"] == pytest.approx(0.0, abs=0.03)
    assert fitted["brow_frown"] == pytest.approx(0.0, abs=0.03)


def test_fit_of_neutral_is_neutral_and_stays_in_range() -> None:
    assert all(abs(v) < 1e-6 for v in fit_controls(Motion()).values())
    wild = Motion(yaw=2.0, offsets=np.full((478, 3), 3.0, np.float32))
    fitted = fit_controls(wild)
    assert fitted["yaw"] == 30.0 and 0.0 <= fitted["jaw_open"] <= 1.0


def _performance(n: int, fps: float) -> list[Motion]:
    t = np.arange(n) / fps
    return [
        motion_from_controls({"yaw": 6 * np.sin(k), "jaw_open": 0.4 + 0.3 * np.sin(3 * k)})
        for k in t
    ]


def test_record_clip_trims_samples_and_loops_smoothly() -> None:
    fps = 30.0
    motions: list[Motion | None] = [None] * 5 + _performance(90, fps) + [None] * 7
    motions[40] = None  # a dropped frame inside the performance holds the previous one
    assert face_span(motions) == (5, 94)
    data = record_clip(motions, fps, "Test")
    clip = parse_clip(yaml.safe_load(clip_yaml(data)))
    assert clip.duration == pytest.approx(3.0)
    assert clip.loop and data["schema_version"] == 1
    for track in clip.tracks:
        assert track.easing == "linear"
        assert len(track.times) == 45  # 15 keyframes per second
        # The last keyframe has been blended towards the first: no jump at the loop.
        assert track.values[-1] == pytest.approx(track.values[0], abs=0.05 * max(track.values))
    assert {t.control for t in clip.tracks} >= {"yaw", "pitch", "roll", "jaw_open"}
    assert "pucker" not in {t.control for t in clip.tracks}  # quiet tracks are left out
    mid = clip.values_at(1.0)
    expected = fit_controls(motions[5 + 30])
    assert mid["yaw"] == pytest.approx(expected["yaw"], abs=0.05)
    assert mid["jaw_open"] == pytest.approx(expected["jaw_open"], abs=0.01)


def test_record_clip_without_a_face_says_what_to_do() -> None:
    with pytest.raises(ValueError, match="no face was seen"):
        record_clip([None, None], 30.0, "Nobody")


def test_uneven_camera_times_are_respected() -> None:
    motions = _performance(20, 30.0)
    times = [0.1 * i for i in range(20)]  # 10 fps really
    data = record_clip(motions, 10.0, "Slow", times=times)
    assert data["duration"] == pytest.approx(2.0)


def test_write_clip_is_atomic_and_never_overwrites_by_accident(tmp_path: Path) -> None:
    data = record_clip(_performance(30, 30.0), 30.0, "Wave")
    path = tmp_path / "drivers" / "wave.yaml"
    write_clip(path, data)
    assert load_clip(path).name == "Wave"
    before = path.read_text()
    with pytest.raises(FileExistsError, match="already exists"):
        write_clip(path, record_clip(_performance(60, 30.0), 30.0, "Other"))
    assert path.read_text() == before
    write_clip(path, record_clip(_performance(60, 30.0), 30.0, "Other"), overwrite=True)
    assert load_clip(path).name == "Other"
    assert [p.name for p in path.parent.iterdir()] == ["wave.yaml"]  # no temporary files left
    assert "never an image" in path.read_text()


def _mouth_ratios(images, detector) -> list[float]:
    from kiosk.tracking import landmarks as lm

    out = []
    for image in images:
        faces = detector.detect(image)
        out.append(lm.mouth_open_ratio(faces[0].landmarks) if faces else np.nan)
    return out


def test_recorded_clip_replays_the_driver_mouth_on_another_painting() -> None:
    """d10.mp4 used as the camera -> clip file -> replayed on the Pearl Earring: the painted
    mouth opens and closes with the driver's (correlation >= 0.9)."""
    from kiosk.camera.sources import iter_video_frames
    from kiosk.renderer.engine import GeometricEngine
    from kiosk.tracking.face_mesh import FaceMeshDetector

    video = shared_data("drivers/d10.mp4")
    painting = cv2.imread(str(shared_data("portraits/girl_with_a_pearl_earring.jpg")))
    painting = cv2.resize(painting, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    frames = list(iter_video_frames(video))
    motions = [m for m, _ in performance_motions(frames)]
    fps = 30.0
    data = record_clip(motions, fps, "d10")
    first, last = face_span(motions)
    clip = parse_clip(yaml.safe_load(clip_yaml(data)))
    # Every 2nd frame, leaving out the last 0.5 s that is blended into the loop.
    indices = range(first, last + 1 - int(0.5 * fps), 2)
    engine = GeometricEngine()
    try:
        rig = engine.build_rig(painting)
        rendered = [engine.render(rig, [clip.motion_at((i - first) / fps)]) for i in indices]
    finally:
        engine.close()
    with FaceMeshDetector(static_image=True, max_faces=1) as detector:
        driver = _mouth_ratios([frames[i].image for i in indices], detector)
        replay = _mouth_ratios(rendered, detector)
    ok = ~(np.isnan(driver) | np.isnan(replay))
    assert ok.sum() > 0.9 * len(indices)
    r = np.corrcoef(np.asarray(driver)[ok], np.asarray(replay)[ok])[0, 1]
    assert r >= 0.9, f"mouth-open correlation {r:.3f}"


def test_record_driver_command_with_a_video_as_camera(tmp_path: Path) -> None:
    from kiosk.cli import main

    video = shared_data("drivers/d10.mp4")
    out = tmp_path / "d10.yaml"
    argv = ["--config", str(REPO_ROOT / "config.yaml"), "record-driver", "--video", str(video),
            "--seconds", "1.5", "--out", str(out), "--headless"]  # fmt: skip
    assert main(argv) == 0
    clip = load_clip(out)
    assert clip.duration == pytest.approx(1.5) and clip.name == "D10"
    assert main(argv) == 2  # refuses to overwrite
