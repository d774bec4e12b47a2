"""The real kiosk loop, headless, end to end: camera -> tracker -> motion -> director ->
renderer -> display, on a copy of the shipped exhibits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.camera.sources import SyntheticSource
from kiosk.cli import main as kiosk_main
from kiosk.config import load_config
from kiosk.exhibits.samples import ensure_sample_content
from kiosk.runtime.options import RunOptions
from kiosk.runtime.wiring import build_kiosk
from kiosk.tracking import landmarks as lm
from kiosk.tracking.face_mesh import FaceMeshDetector
from tests.conftest import REPO_ROOT, shared_data
from tests.system.kiosks import show_with_rig


@pytest.fixture
def kiosk_dir(tmp_path: Path) -> Path:
    """A kiosk folder with the shipped config and exhibits, small screen, short timeouts."""
    shutil.copytree(REPO_ROOT / "exhibits", tmp_path / "exhibits")
    (tmp_path / "content").mkdir()
    (tmp_path / "config.yaml").write_text(
        "display: {fullscreen: false, size: [480, 360], fps: 60}\n"
        "timeouts: {visitor_enter_s: 0.2, visitor_leave_s: 0.5, crossfade_s: 0.3}\n"
        "attention: {greeting_s: 0.4, farewell_s: 0.3}\n"
    )
    return tmp_path


def _run(kiosk_dir: Path, **options) -> dict:
    config = load_config(kiosk_dir / "config.yaml")
    report = kiosk_dir / "report.json"
    app = build_kiosk(config, RunOptions(headless=True, report=report, **options))
    app.run()
    return json.loads(report.read_text())


def test_synthetic_visitor_takes_the_kiosk_live(kiosk_dir: Path) -> None:
    """A moving sample portrait stands in for a visitor on any machine."""
    data = _run(kiosk_dir, synthetic_camera=True, max_frames=300)
    assert data["frames"] == 300
    assert data["camera_frames_processed"] > 10
    # A face is followed once it is engaged: watched unbroken for Engagement.HOLD_S first
    # (longer on a loaded machine, where the tracker's frames come with gaps).
    assert data["frames_with_visitor"] > 0.6 * data["camera_frames_processed"]
    # Noticed as soon as seen, greeted once engaged (close, facing, still), then followed.
    assert [t["to"] for t in data["transitions"]][:3] == ["noticed", "greeting", "live"]
    for stage in ("tracking", "motion", "render", "display", "end_to_end"):
        assert data["stages_ms"][stage]["samples"] > 0
    assert data["exhibits"] == ["grace-hopper", "astronaut"]
    assert data["problems"] == []


def test_no_camera_stays_in_attract(kiosk_dir: Path) -> None:
    data = _run(kiosk_dir, no_camera=True, max_frames=40)
    assert data["frames"] == 40
    assert data["transitions"] == []
    assert "tracking" not in data["stages_ms"]


def test_the_painting_moves_in_attract_mode(kiosk_dir: Path) -> None:
    """Idle loops animate the painting: consecutive displayed frames differ in the face."""
    config = load_config(kiosk_dir / "config.yaml")
    app = build_kiosk(config, RunOptions(headless=True, no_camera=True))
    try:
        show_with_rig(app)
        # Copies: the kiosk renders each frame over the last one (the display takes each frame
        # as it comes).
        frames = [
            app.scene.render(app.director.update(t, False), t, app.live.motion).copy()
            for t in (3.0, 4.5, 6.0)
        ]
    finally:
        app.close()
    assert frames[0].shape == frames[1].shape
    changed = [
        float(np.abs(a.astype(int) - b.astype(int)).mean())
        for a, b in zip(frames, frames[1:], strict=False)
    ]
    assert max(changed) > 0.05


def test_a_close_up_rendered_smaller_is_shown_at_its_full_size(kiosk_dir: Path) -> None:
    """A face over the engine's pixel limit is rendered smaller; the screen still gets the
    painting at its fitted size, every frame rendered into the same buffer."""
    config_file = kiosk_dir / "config.yaml"
    config_file.write_text(config_file.read_text() + "engine: {max_face_pixels: 20000}\n")
    config = load_config(config_file)
    app = build_kiosk(config, RunOptions(headless=True, no_camera=True))
    try:
        result = show_with_rig(app)
        exhibit = app.library.get("grace-hopper")
        assert result.rig is not None and result.rig.shown_size is not None
        fitted = app.display.fit(exhibit.image.shape[1::-1])[2:]
        assert result.rig.image.shape[0] < fitted[1]
        frames, copies = [], []
        for t in (3.0, 4.5, 6.0):
            frames.append(app.scene.render(app.director.update(t, False), t, app.live.motion))
            copies.append(frames[-1].copy())
    finally:
        app.close()
    assert all(frame is frames[0] for frame in frames)  # rendered in place
    assert all(copy.shape == (fitted[1], fitted[0], 3) for copy in copies)
    changed = [
        float(np.abs(a.astype(int) - b.astype(int)).mean())
        for a, b in zip(copies, copies[1:], strict=False)
    ]
    assert max(changed) > 0.05, changed


@pytest.mark.parametrize("next_id", ["astronaut", "grace-again"])
def test_the_last_frame_of_the_painting_fading_out_stays_as_it_was(
    kiosk_dir: Path, next_id: str
) -> None:
    """Each painting's frames are rendered in place, frame over frame; the next exhibit gets
    its own frame, even when it shows the same image (and so shares the rig), so the frame the
    cross-fade starts from is never drawn over."""
    same_image = (kiosk_dir / "exhibits" / "grace-hopper.yaml").read_text(encoding="utf-8")
    (kiosk_dir / "exhibits" / "grace-again.yaml").write_text(
        same_image.replace("id: grace-hopper", "id: grace-again"), encoding="utf-8"
    )
    config = load_config(kiosk_dir / "config.yaml")
    app = build_kiosk(config, RunOptions(headless=True, no_camera=True))
    try:
        app.reload_now(0.0)
        for exhibit_id in ("grace-hopper", next_id):
            while app.scene.still_and_rig(app.library.get(exhibit_id))[1] is None:
                app.rigs.wait(timeout=60)
        app.director.show("grace-hopper", 0.0)
        app.scene.render(app.director.update(3.0, False), 3.0, app.live.motion)
        last = app.scene.last_frame("grace-hopper").copy()
        app.director.show(next_id, 3.0)
        for t in (3.05, 3.1, 3.2):  # through the 0.3 s fade
            scene = app.director.update(t, False)
            assert scene.previous_exhibit_id == "grace-hopper" and scene.exhibit_fade < 1.0
            app.scene.render(scene, t, app.live.motion)
            assert np.array_equal(app.scene.last_frame("grace-hopper"), last), t
    finally:
        app.close()


def test_synthetic_source_is_tracked_as_a_face() -> None:
    config = load_config(None)
    ensure_sample_content(config.paths.content)
    image = cv2.imread(str(config.paths.content / "samples" / "grace_hopper.jpg"))
    source = SyntheticSource(image, size=(640, 480))
    with FaceMeshDetector(static_image=True, max_faces=1) as detector:
        found = [len(detector.detect(source.render(t))) for t in (0.0, 0.7, 1.9, 3.1)]
    assert found == [1, 1, 1, 1]


def test_cli_run_headless_with_driver_video(kiosk_dir: Path, tmp_path: Path) -> None:
    video = shared_data("drivers/d3.mp4")
    report = tmp_path / "r.json"
    code = kiosk_main([
        "--config", str(kiosk_dir / "config.yaml"), "run", "--headless",
        "--driver-video", str(video), "--frames", "300", "--report", str(report),
    ])  # fmt: skip
    data = json.loads(report.read_text())
    assert code == 0
    assert data["frames"] == 300
    assert [t["to"] for t in data["transitions"]][:3] == ["noticed", "greeting", "live"]


def _mouth_signal(path: Path, static: bool = False) -> np.ndarray:
    cap = cv2.VideoCapture(str(path))
    values = []
    with FaceMeshDetector(static_image=static, max_faces=1) as detector:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            faces = detector.detect(frame)
            values.append(lm.mouth_open_ratio(faces[0].landmarks) if faces else np.nan)
    cap.release()
    return np.array(values)


def test_render_mona_lisa_follows_the_drivers_mouth(tmp_path: Path) -> None:
    image = shared_data("portraits/mona_lisa.jpg")
    video = shared_data("drivers/d12.mp4")
    out = tmp_path / "m.mp4"
    code = kiosk_main(
        ["render", "--image", str(image), "--driver-video", str(video), "--out", str(out)]
    )
    assert code == 0
    cap = cv2.VideoCapture(str(out))
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    cap.release()
    assert (count, size) == (183, (720, 1280))
    driver, output = _mouth_signal(video), _mouth_signal(out)
    ok = ~np.isnan(driver) & ~np.isnan(output)
    assert ok.mean() > 0.98
    assert np.corrcoef(driver[ok], output[ok])[0, 1] >= 0.8


def test_hot_reload_in_the_running_kiosk(kiosk_dir: Path) -> None:
    """Add, change, break and remove an exhibit while the loop runs; the last good version of
    a broken file stays on show and the problem is reported."""
    import time

    config = load_config(kiosk_dir / "config.yaml")
    app = build_kiosk(config, RunOptions(headless=True, no_camera=True))
    exhibit = kiosk_dir / "exhibits" / "second.yaml"

    def tick_until(condition, what: str) -> None:
        deadline = time.monotonic() + 10.0
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for: {what}"
            app.tick(time.monotonic())

    try:
        app.reload_now(time.monotonic())
        app.watcher.start()
        exhibit.write_text("id: second\ntitle: Second\nimage: samples/astronaut.png\n")
        tick_until(lambda: "second" in app.director.exhibit_ids, "added exhibit")
        exhibit.write_text("id: second\ntitle: Renamed\nimage: samples/astronaut.png\n")
        tick_until(lambda: app.library.get("second").spec.title == "Renamed", "changed title")
        exhibit.write_text("id: second\ntitle: Renamed\nimage: samples/astronaut.png\nbogus: 1\n")
        tick_until(lambda: any("bogus" in p for p in app.problems()), "reported problem")
        assert app.library.get("second").spec.title == "Renamed"  # last good version kept
        exhibit.unlink()
        tick_until(lambda: "second" not in app.director.exhibit_ids, "removed exhibit")
    finally:
        app.close()


def test_outside_opening_hours_the_kiosk_sleeps_and_wakes(kiosk_dir: Path) -> None:
    closed = ", ".join(f"{d}: closed" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    with (kiosk_dir / "config.yaml").open("a") as f:
        f.write(f"opening_hours: {{days: {{{closed}}}, wake_on_touch_s: 60}}\n")
    config = load_config(kiosk_dir / "config.yaml")
    app = build_kiosk(config, RunOptions(headless=True, synthetic_camera=True))
    try:
        decision = app.ops.decide_sleep(100.0, None)
        assert decision.asleep
        app.sleep_step(100.0, 0.0)
        assert app.live.source is None and app.live.tracking is None  # camera off while closed
        assert not app.ops.decide_sleep(101.0, last_touch=100.5).asleep  # a touch wakes it
        app.wake()
        assert app.live.source is not None and app.live.tracking is not None
    finally:
        app.close()
