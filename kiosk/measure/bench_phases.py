"""The bench's in-process phases, each on a kiosk built by `build_kiosk` with the bench's own
`StageTimes`: the baseline (presenting the still painting), the paced and flat-out pipeline,
a new painting's rig built in the background, the same frames replayed serially, and the
camera thread's capture work."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kiosk.camera.frame import Frame
from kiosk.camera.sources import FrameSource, SyntheticSource, iter_video_frames
from kiosk.config import KioskConfig, load_config
from kiosk.director.director import Mode
from kiosk.display import OverlayState
from kiosk.display.pacing import FramePacer
from kiosk.exhibits.images import image_digest
from kiosk.measure.bench_report import derive_stages
from kiosk.measure.kiosk_folder import CAMERA_FPS, CAMERA_SIZE
from kiosk.motion.live import LiveMotion
from kiosk.renderer.engine import make_engine
from kiosk.renderer.rig_store import RigRequest, fit_image
from kiosk.runtime.loop import Kiosk
from kiosk.runtime.options import RunOptions
from kiosk.runtime.wiring import build_kiosk
from kiosk.stats import StageTimes, summarize

SERIAL_FRAMES = 150
SERIAL_SKIP = 30  # the tracker's and estimator's first frames (detection, neutral face)


def open_kiosk(
    config_path: Path, driver_video: Path | None, rig_cache_dir: Path | None = None
) -> Kiosk:
    """The kiosk of `config_path`, headless, on the driver video (or the synthetic camera),
    recording into a `StageTimes` of its own (`kiosk.times`)."""
    options = RunOptions(headless=True, driver_video=driver_video,
                         synthetic_camera=driver_video is None)  # fmt: skip
    return build_kiosk(
        load_config(config_path), options, times=StageTimes(), rig_cache_dir=rig_cache_dir
    )


def run_loop(
    kiosk: Kiosk, seconds: float, paced: bool, until: Callable[[], bool] | None = None
) -> tuple[list[dict[str, float]], float]:
    """Tick like `Kiosk.run` (paced to display.fps, woken by new tracking results) or flat
    out; per-tick rows, elapsed."""
    pacer = FramePacer(kiosk.config.display.fps)
    times = kiosk.times
    rows = []
    start = time.monotonic()
    while time.monotonic() - start < seconds and not (until and until()):
        times.begin_tick()
        kiosk.tick(time.monotonic())
        if paced:
            pacer.wait(kiosk.new_results)
        # Read after the pacing wait: tracking finishes on its own thread, mostly while the
        # display loop sleeps, and counts in the tick it finished in.
        rows.append(times.tick_totals())
    return rows, time.monotonic() - start


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 2) if seconds > 0 else 0.0


def is_ready(kiosk: Kiosk) -> bool:
    """The painting animates and a visitor is followed."""
    return kiosk.scene.last_render is not None and kiosk.director.mode is Mode.LIVE


# ----------------------------------------------------------------------------- baseline


def current_still(kiosk: Kiosk) -> tuple[np.ndarray, OverlayState]:
    """The shown exhibit's painting at its fitted size, and its overlay in live mode."""
    exhibit = kiosk.library.exhibits[0]
    spec = exhibit.spec
    overlay = OverlayState(title=spec.title, artist=spec.artist, year=spec.year,
                           label=spec.label, credit=spec.credit, camera_on=True)  # fmt: skip
    return fit_image(exhibit.image, kiosk.scene.rig_request(exhibit).size), overlay


def measure_baseline(kiosk: Kiosk, seconds: float) -> tuple[list[float], float]:
    """The display loop showing the still painting, flat out: per-present ms and elapsed s."""
    still, overlay = current_still(kiosk)
    samples = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        t = time.perf_counter()
        kiosk.display.present(still, overlay)
        samples.append((time.perf_counter() - t) * 1000.0)
    return samples, time.perf_counter() - start


def baseline_result(parts: Sequence[tuple[list[float], float]], size: list[int]) -> dict:
    """Baseline runs (before and after the pipeline run, so slow drift shows) combined."""
    samples = [ms for part, _ in parts for ms in part]
    elapsed = sum(seconds for _, seconds in parts)
    return {"present": summarize(samples), "fps": rate(len(samples), elapsed),
            "runs_median_ms": [summarize(p).get("median_ms") for p, _ in parts],
            "painting_size": size}  # fmt: skip


# ----------------------------------------------------------------------------- the pipeline


def measure_pipeline(kiosk: Kiosk, seconds: float, warmup_s: float) -> dict[str, Any]:
    """Warm up until the rig is built and a visitor is followed, then paced and flat-out runs."""
    start = time.monotonic()
    run_loop(kiosk, 60.0, paced=True, until=lambda: is_ready(kiosk))
    run_loop(kiosk, warmup_s, paced=True)
    out: dict[str, Any] = {"warmup_s": round(time.monotonic() - start, 2), "live": is_ready(kiosk)}
    kiosk.times.clear()
    kiosk.engine.steps = StageTimes()  # the rendering steps of the very frames measured
    cpu_start = time.process_time()  # all of the process's threads: camera, tracker, display
    rows, elapsed = run_loop(kiosk, seconds, paced=True)
    cpu_percent = 100.0 * (time.process_time() - cpu_start) / elapsed
    out["render_steps"] = kiosk.engine.steps.summary()
    kiosk.engine.steps = None
    new_frames = len(derive_stages(rows)["pipeline_camera"])
    out["paced"] = {"rows": rows, "elapsed_s": elapsed, "fps": rate(len(rows), elapsed),
                    "camera_fps": rate(new_frames, elapsed), "new_frames": new_frames,
                    "displayed_frames": len(rows),
                    "cpu_percent": round(cpu_percent, 1)}  # fmt: skip
    rows_free, elapsed_free = run_loop(kiosk, seconds / 2, paced=False)
    out["unpaced"] = {"fps": rate(len(rows_free), elapsed_free),
                      "frame": summarize(derive_stages(rows_free)["frame"])}  # fmt: skip
    return out


def render_breakdown(kiosk: Kiosk, steps: dict[str, Any]) -> dict[str, Any]:
    """The render steps' medians, with the size of the face region last rendered (and the
    reduced size a close-up is rendered at before it is scaled up)."""
    breakdown = dict(steps)
    last = kiosk.scene.last_render
    if last is None or not last[0].faces:
        return breakdown
    rig = last[0]
    region = rig.faces[0].region
    breakdown["face_region_px"] = {"width": int(region.width), "height": int(region.height)}
    if rig.shown_size is not None:  # a close-up rendered smaller, scaled up
        breakdown["rendered_px"] = {"width": int(rig.image.shape[1]),
                                    "height": int(rig.image.shape[0]),
                                    "shown_width": rig.shown_size[0],
                                    "shown_height": rig.shown_size[1]}  # fmt: skip
    return breakdown


def measure_background_build(kiosk: Kiosk, image_path: Path, seconds: float = 20.0) -> dict:
    """Frame times while a new painting's rig builds on the rig thread (cold: no cache)."""
    data = image_path.read_bytes()
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    _, _, fw, fh = kiosk.display.fit((image.shape[1], image.shape[0]))
    request = RigRequest(image_digest(data), (fw, fh))  # a painting with no face hints
    kiosk.times.clear()
    started = time.monotonic()
    done: list[float] = []

    def built() -> bool:
        if not done and kiosk.rigs.get(request, image) is not None:
            done.append(time.monotonic() - started)
        return bool(done)

    rows, _ = run_loop(kiosk, seconds, paced=True, until=built)
    frames = [r["frame"] for r in rows if "frame" in r]
    result = kiosk.rigs.get(request, image) if done else None
    return {"painting": image_path.name, "build_s": round(done[0], 3) if done else None,
            "faces": len(result.rig.all_faces) if result and result.rig else 0,
            "error": result.error if result else "not built in time",
            "frames": len(frames), "frame_during_build": summarize(frames)}  # fmt: skip


# ----------------------------------------------------------------------------- serial, capture


def collect_frames(source: FrameSource | None, count: int, timeout_s: float = 20.0) -> list[Frame]:
    """The next `count` camera frames, kept in memory only for the serial measurement."""
    frames: list[Frame] = []
    last = -1
    deadline = time.monotonic() + timeout_s
    while source is not None and len(frames) < count and time.monotonic() < deadline:
        frame = source.wait_next(last, timeout=0.5)
        if frame is not None:
            last = frame.sequence
            frames.append(frame)
    return frames


def measure_serial(
    frames: list[Frame], last_render: tuple | None, config: KioskConfig
) -> dict[str, Any]:
    """The same stages on the same camera frames, back to back on one thread with the kiosk's
    other threads stopped, to set beside the loop's figures. The loop waits for each camera
    frame and for each display tick; on the development VM the stages run slower after such
    waits (about 1 ms of a 7 ms render), which this run leaves out."""
    if not frames or last_render is None:
        return {}
    rig, motions, animation = last_render
    live = LiveMotion.from_config(config)  # with the attract tracker, as the kiosk runs
    engine = make_engine(config.engine)
    times = StageTimes()
    motion = motions[0]
    try:
        for frame in frames:
            result = live.process(frame, times)
            motion = result.motion or motion
            with times.measure("warp"):
                engine.render(rig, [motion] * len(rig.faces), animation)
    finally:
        live.close()
        engine.close()
    # The attract tracker runs on some frames only: skip its share of the first frames.
    return {
        stage: summarize(samples[SERIAL_SKIP * len(samples) // len(frames) :])
        for stage, samples in times.samples().items()
        if stage in ("tracking", "motion", "people", "warp")
    }


def measure_capture(driver_video: Path | None, sample: Path, frames: int = 150) -> list[float]:
    """What the camera thread does per frame, timed on the same content: decode + resize of
    the driver video, or drawing the synthetic test pattern."""
    samples = []
    if driver_video is not None:
        frames_iter = iter_video_frames(driver_video, CAMERA_SIZE)
        while len(samples) < frames:
            t = time.perf_counter()
            if next(frames_iter, None) is None:
                break
            samples.append((time.perf_counter() - t) * 1000.0)
        frames_iter.close()
        return samples
    source = SyntheticSource(cv2.imread(str(sample)), size=CAMERA_SIZE, fps=CAMERA_FPS)
    for i in range(frames):
        t = time.perf_counter()
        source.render(i / CAMERA_FPS)
        samples.append((time.perf_counter() - t) * 1000.0)
    return samples
