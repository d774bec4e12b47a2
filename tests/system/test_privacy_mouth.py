"""Privacy of the visitor's mouth patch (kiosk.tracking.mouth_patch): camera pixels that the
kiosk carries to the renderer when engine.mouth_interior_source is "visitor". It is cut only
for a followed visitor, never while recording a driver clip, never enters the `Motion` (which
clips and recordings serialise), and is dropped as soon as the visitor is gone."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import numpy as np
import pytest

import kiosk.motion.live as live_module
from kiosk.camera.sources import iter_video_frames
from kiosk.motion.live import LiveMotion, LiveResult
from kiosk.motion.motion import Motion
from kiosk.runtime.live import LiveInput
from kiosk.stats import StageTimes
from kiosk.tracking.mouth_patch import MouthPatch
from tests.conftest import REPO_ROOT, shared_data


def _patch_needles(patches: list[MouthPatch]) -> list[bytes]:
    """Runs of the patches' bytes, as any stored copy of one would contain."""
    rows = [np.ascontiguousarray(p.pixels[p.pixels.shape[0] // 2]).tobytes() for p in patches]
    return [r[:48] for r in rows if len(set(r[:48])) > 8]


def test_the_patch_never_enters_what_motion_serialises() -> None:
    video = shared_data("drivers/d10.mp4")
    live = LiveMotion(mirror=False, mouth_patches=True)
    results = []
    try:
        for i, frame in enumerate(iter_video_frames(video)):
            if i >= 90:
                break
            results.append(live.process(frame))
    finally:
        live.close()
    patches = [r.mouth for r in results if r.mouth is not None]
    assert len(patches) >= 5, "d10 opens its mouth in its first three seconds"
    needles = _patch_needles(patches)
    assert needles
    serialised = pickle.dumps([r.motion for r in results])  # what a clip is made from
    assert not any(n in serialised for n in needles)
    with pytest.raises(TypeError):
        pickle.dumps(patches[0])


def test_record_driver_never_cuts_a_mouth(tmp_path: Path, monkeypatch) -> None:
    """Even with the visitor's mouth switched on in the config, recording a driver clip cuts
    no patch: the clip can hold nothing of the performer's mouth."""
    from kiosk.cli import main

    cut = []
    real = live_module.cut_mouth_patch
    monkeypatch.setattr(live_module, "cut_mouth_patch", lambda *a: cut.append(1) or real(*a))
    text, switched = re.subn(
        r"mouth_interior_source: \w+",
        "mouth_interior_source: visitor",
        (REPO_ROOT / "config.yaml").read_text(),
    )
    assert switched == 1
    config = tmp_path / "config.yaml"
    config.write_text(text.replace("exhibits: exhibits", f"exhibits: {REPO_ROOT / 'exhibits'}"))
    out = tmp_path / "d10.yaml"
    video = shared_data("drivers/d10.mp4")
    argv = ["--config", str(config), "record-driver", "--video", str(video),
            "--seconds", "2", "--out", str(out), "--headless"]  # fmt: skip
    assert main(argv) == 0 and out.is_file()
    assert cut == []
    # Control: the same config in the live kiosk does cut the mouth.
    from kiosk.config import load_config

    assert LiveMotion.from_config(load_config(config)).mouth_patches
    assert not LiveMotion.from_config(load_config(config), recording=True).mouth_patches


class _Tracker:
    """Stands in for the tracking worker: hands the display loop a chosen result."""

    def __init__(self) -> None:
        self.result: LiveResult | None = None
        self.results = None

    def latest(self) -> LiveResult | None:
        return self.result

    def close(self) -> None:
        pass


def test_the_patch_is_dropped_when_the_visitor_leaves(monkeypatch) -> None:
    clock = [100.0]
    monkeypatch.setattr("kiosk.runtime.live.time.monotonic", lambda: clock[0])
    live = LiveInput(lambda: None, lambda: None, visitor_gone_s=1.0, times=StageTimes())
    tracker = _Tracker()
    live.tracking = tracker  # type: ignore[assignment]
    patch = MouthPatch(np.zeros((40, 96, 3), np.uint8), np.full(3, 128.0))
    tracker.result = LiveResult(1, 100.0, 1, Motion(), mouth=patch)
    live.update()
    assert live.mouth is patch and live.visitor_present
    clock[0] = 100.5  # same result, still fresh: kept
    live.update()
    assert live.mouth is patch
    clock[0] = 101.5  # the camera's last result is stale: the visitor is gone
    live.update()
    assert live.mouth is None and not live.visitor_present
    tracker.result = LiveResult(2, 101.5, 1, Motion(), mouth=patch)
    live.update()
    assert live.mouth is patch
    tracker.result = LiveResult(3, 101.6, 0, None)  # no visitor in the newest frame
    clock[0] = 101.6
    live.update()
    assert live.mouth is None
    tracker.result = LiveResult(4, 101.7, 1, Motion(), mouth=patch)
    live.update()
    live.stop()
    assert live.mouth is None


def test_a_live_kiosk_showing_the_visitors_mouth_writes_none_of_it(
    tmp_path: Path, monkeypatch
) -> None:
    """The real loop, headless, a driver video as the camera, the visitor's mouth on: patches
    reach the renderer, and no file written holds their bytes (nor camera-frame bytes)."""
    import time

    from kiosk.camera.sources import VideoFileSource
    from kiosk.config import load_config
    from kiosk.runtime.options import RunOptions
    from kiosk.runtime.wiring import build_kiosk
    from tests.system.test_privacy import (
        Audit,
        file_hashes,
        frame_needles,
        image_leaks,
        kiosk_folder,
        private_tempdir,
        snapshot,
    )

    video = shared_data("drivers/d10.mp4")
    temp = private_tempdir(tmp_path, monkeypatch)
    root = kiosk_folder(tmp_path / "kiosk", "engine: {mouth_interior_source: visitor}\n")
    config = load_config(root / "config.yaml")
    roots = [root, temp, config.paths.cache]
    allowed = file_hashes(root / "content")
    before = snapshot(roots)
    app = build_kiosk(
        config,
        RunOptions(headless=True),
        source_factory=lambda: VideoFileSource(video, size=(512, 512), stale_after_s=2.0),
    )
    patches: list[MouthPatch] = []
    frames = []
    Audit.start()
    try:
        app.start(time.monotonic())
        deadline = time.monotonic() + 60.0
        while len(patches) < 6:
            assert time.monotonic() < deadline, "no mouth patch reached the loop"
            app.tick(time.monotonic())
            mouth = app.live.mouth
            if mouth is not None and (not patches or mouth is not patches[-1]):
                patches.append(mouth)
                latest = app.live.source.latest() if app.live.source else None
                if latest is not None and len(frames) < 4:
                    frames.append(latest.image.copy())
            time.sleep(1 / 120)
    finally:
        app.close()
        Audit.stop()
    assert app.live.mouth is None  # dropped with the camera
    changed = {p for p, stamp in snapshot(roots).items() if before.get(p) != stamp}
    needles = _patch_needles(patches) + (frame_needles(frames) if frames else [])
    assert _patch_needles(patches)
    assert image_leaks(changed | Audit.writes, needles, allowed) == []
