"""`kiosk bench`: the real pipeline, headless, timed stage by stage against written targets.

Drives a real `KioskApp` (SDL dummy driver) in its own loop and reads the app's `StageTimes`,
plus a few wrappers that split the render and display stages. Every time is also given as a
ratio to a baseline measured in the same run (the display loop presenting the still painting),
so figures from a noisy or slower machine can still be compared. Start-up and memory are
measured in child processes (`python -m kiosk.bench startup|memory ...`) so that imports,
model loading and peak RSS are those of a fresh kiosk process.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import yaml

from kiosk.stats import StageTimes

log = logging.getLogger(__name__)

CAMERA_SIZE = (640, 480)
CAMERA_FPS = 30
DISPLAY_FPS = 60
MEMORY_EXHIBITS = 20
SHARED_PORTRAITS = Path(__file__).resolve().parents[2] / "shared" / "data" / "portraits"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")

# (key in the result, label, unit, comparison, limit). Reported against, never asserted.
TARGETS = (
    ("pipeline_ms", "tracking+motion+render+composite, sum of stage medians", "ms", "<=", 12.0),
    ("end_to_end_p95_ms", "end-to-end latency p95 (30 fps source)", "ms", "<=", 50.0),
    ("display_fps", "sustained display loop (paced to 60; 1% pacing slack)", "fps", ">=", 59.4),
    ("startup_warm_s", "start-up to first animated frame, warm rig cache", "s", "<=", 3.0),
    ("rig_build_max_s", "slowest rig build of a new painting (off the display thread)", "s",
     "<=", 1.5),
    ("peak_rss_mb", f"peak RSS with {MEMORY_EXHIBITS} exhibits", "MB", "<=", 600.0),
)  # fmt: skip

# Per-tick stages derived from the app's StageTimes, in table order.
STAGE_ROWS = (
    ("capture", "capture/decode (camera thread)"),
    ("camera_age", "camera frame age when tracked"),
    ("tracking", "tracking (face mesh, video mode)"),
    ("motion", "motion (pose, expression, filter)"),
    ("warp", "render: warp (engine.render)"),
    ("composite", "render: composite + overlays"),
    ("display", "display conversion/blit/flip"),
    ("pipeline_camera", "tracking+motion+render+composite, ticks with a camera frame"),
    ("pipeline_all", "tracking+motion+render+composite, all ticks"),
    ("frame", "whole tick (excluding pacing sleep)"),
    ("end_to_end", "end-to-end: capture -> handed to display"),
)


# ----------------------------------------------------------------------------- statistics


def summarize(samples: Sequence[float], baseline_ms: float | None = None) -> dict[str, float]:
    """Median, p95 and count of millisecond samples (empty dict when there are none), and the
    median as a multiple of `baseline_ms` when given."""
    if len(samples) == 0:
        return {}
    arr = np.asarray(samples, dtype=np.float64)
    out = {
        "median_ms": round(float(np.median(arr)), 3),
        "p95_ms": round(float(np.percentile(arr, 95)), 3),
        "samples": int(arr.size),
    }
    if baseline_ms:
        out["x_baseline"] = round(out["median_ms"] / baseline_ms, 3)
    return out


def derive_stages(rows: Sequence[dict[str, float]]) -> dict[str, list[float]]:
    """Per-tick stage times from per-tick StageTimes rows.

    A row holds the milliseconds the app (and the bench's wrappers) added during one tick:
    tracking/motion/camera_age/end_to_end only on ticks that processed a new camera frame;
    `warp` is engine.render inside the app's `render`; `overlays` is overlay drawing inside
    the app's `display`. `composite` is the rest of render plus overlays, `display` the rest.
    """
    out: dict[str, list[float]] = {name: [] for name, _ in STAGE_ROWS if name != "capture"}
    for row in rows:
        warp = row.get("warp", 0.0)
        overlays = row.get("overlays", 0.0)
        # A tick that re-shows the last frame renders nothing: counting its zero would halve
        # the warp median. Render stages count only the ticks that rendered anew.
        if "warp" in row:
            out["warp"].append(warp)
            out["composite"].append(max(0.0, row.get("render", 0.0) - warp) + overlays)
        out["display"].append(max(0.0, row.get("display", 0.0) - overlays))
        pipeline = row.get("tracking", 0.0) + row.get("motion", 0.0)
        pipeline += row.get("render", 0.0) + overlays
        out["pipeline_all"].append(pipeline)
        if "frame" in row:
            out["frame"].append(row["frame"])
        if "tracking" in row:
            out["pipeline_camera"].append(pipeline)
        # Tracking runs on its own thread: its stages land in whichever tick was running, and
        # a frame's end-to-end latency in the tick that showed it.
        for name in ("camera_age", "tracking", "motion", "end_to_end"):
            if name in row:
                out[name].append(row[name])
    return out


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 2) if seconds > 0 else 0.0


def parse_status_kib(status: str, field: str) -> int | None:
    """A `VmHWM:   123 kB`-style field of /proc/<pid>/status, in KiB."""
    match = re.search(rf"^{field}:\s+(\d+)\s+kB", status, re.MULTILINE)
    return int(match.group(1)) if match else None


def memory_mb() -> dict[str, float]:
    """Peak and current resident memory of this process, in MB (1e6 bytes)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        status = ""
    peak = parse_status_kib(status, "VmHWM")
    current = parse_status_kib(status, "VmRSS")
    if peak is None:  # not Linux: ru_maxrss is KiB on Linux, bytes on macOS
        scale = 1 if sys.platform == "darwin" else 1024
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale // 1024
    return {
        "peak_rss_mb": round(peak * 1024 / 1e6, 1),
        "rss_mb": round(current * 1024 / 1e6, 1) if current is not None else None,
    }


def evaluate_targets(headline: dict[str, float | None]) -> list[dict[str, Any]]:
    """Each target with the measured value and whether it is met (None: not measured)."""
    rows = []
    for key, label, unit, op, limit in TARGETS:
        value = headline.get(key)
        ok = None if value is None else (value <= limit if op == "<=" else value >= limit)
        rows.append({"key": key, "label": label, "unit": unit, "target": f"{op} {limit:g}",
                     "value": value, "ok": ok})  # fmt: skip
    return rows


# ----------------------------------------------------------------------------- the kiosk folder


def write_kiosk_folder(
    root: Path, size: tuple[int, int], images: Sequence[Path], count: int, crossfade_s: float = 0.8
) -> Path:
    """A throwaway kiosk: config.yaml plus `count` exhibits over `images` (repeats become
    distinct variants, so every exhibit has its own rig). Returns the config path."""
    exhibits, content, cache = root / "exhibits", root / "content", root / "cache"
    for folder in (exhibits, content / "bench", cache):
        folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        source = images[i % len(images)]
        round_ = i // len(images)
        name = f"{i:02d}-{source.stem}{source.suffix if round_ == 0 else '.png'}"
        target = content / "bench" / name
        if round_ == 0:
            target.write_bytes(source.read_bytes())
        else:
            image = cv2.imread(str(source))
            image = cv2.flip(image, 1) if round_ % 2 else image
            cv2.imwrite(str(target), cv2.convertScaleAbs(image, alpha=1.0, beta=round_))
        spec = {"schema_version": 1, "id": f"bench-{i:02d}", "title": source.stem,
                "image": f"bench/{name}", "order": i}  # fmt: skip
        (exhibits / f"bench-{i:02d}.yaml").write_text(yaml.safe_dump(spec))
    config = {
        "schema_version": 1,
        "paths": {"exhibits": str(exhibits), "content": str(content), "cache": str(cache)},
        "display": {"fullscreen": False, "size": list(size), "fps": DISPLAY_FPS},
        "camera": {"enabled": True, "size": list(CAMERA_SIZE), "fps": CAMERA_FPS},
        "timeouts": {"crossfade_s": crossfade_s},
    }
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def sample_images(folder: Path) -> list[Path]:
    """The shipped sample portraits, copied into `folder` (as the kiosk does)."""
    from kiosk.exhibits.samples import ensure_sample_content

    return ensure_sample_content(folder)


def memory_images(samples: list[Path]) -> list[Path]:
    """The shared test portraits if present, else the samples."""
    if SHARED_PORTRAITS.is_dir():
        found = sorted(p for p in SHARED_PORTRAITS.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if found:
            return found
    return samples


# ----------------------------------------------------------------------------- instrumented app


@functools.cache
def _bench_classes() -> tuple[type, type]:
    """The app subclass and wrappers; built on first use so `import kiosk.bench` stays light
    (child processes time their own imports)."""
    from kiosk.app import KioskApp
    from kiosk.renderer.rig_store import RigStore
    from kiosk.stats import StageTimes

    class TickTimes(StageTimes):
        """StageTimes that also keeps what was added during the current tick."""

        def __init__(self) -> None:
            super().__init__()
            self.tick: dict[str, float] = {}

        def add(self, stage: str, ms: float) -> None:
            super().add(stage, ms)
            self.tick[stage] = self.tick.get(stage, 0.0) + ms

    class TimedEngine:
        """Wraps the app's engine: times `render` as the warp stage, keeps its last inputs."""

        def __init__(self, engine: Any, app: Any) -> None:
            self.inner, self._app = engine, app
            self.name = engine.name
            self.last: tuple | None = None
            self.first_render_at: float | None = None

        def build_rig(self, *args: Any, **kwargs: Any) -> Any:
            return self.inner.build_rig(*args, **kwargs)

        def render(
            self, rig: Any, motions: list, animation: Any, out: np.ndarray | None = None
        ) -> np.ndarray:
            start = time.perf_counter()
            out = self.inner.render(rig, motions, animation, out)
            self._app.times.add("warp", (time.perf_counter() - start) * 1000.0)
            self.last = (rig, motions, animation)
            if self.first_render_at is None:
                self.first_render_at = time.monotonic()
            return out

        def close(self) -> None:
            self.inner.close()

    class BenchApp(KioskApp):
        """The kiosk with per-tick timings, a timed engine and timed overlay drawing."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.reset_times()
            self.engine = TimedEngine(self.engine, self)
            overlay = self.display.overlay
            draw = overlay.draw

            def timed_draw(*a: Any, **k: Any) -> Any:
                start = time.perf_counter()
                try:
                    return draw(*a, **k)
                finally:
                    self.times.add("overlays", (time.perf_counter() - start) * 1000.0)

            overlay.draw = timed_draw

        def start(self, now: float) -> None:
            """What `run()` does before its loop."""
            self._reload_library(now)
            if self.source is not None:
                self.source.start()
            if self.tracking is not None:
                self.tracking.start()
            self.watcher.start()

        def use_rig_cache(self, cache_dir: Path) -> None:
            self.rigs.close()
            self.rigs = RigStore(
                cache_dir=cache_dir, max_face_pixels=self.config.engine.max_face_pixels
            )

        def tick_row(self, now: float) -> dict[str, float]:
            self.times.tick = {}
            self.tick(now)
            return self.times.tick

        def reset_times(self) -> None:
            # Tracking runs on its own thread; it adds into the same per-tick record, so a
            # tick's row holds the tracking of the camera frame it consumed.
            self.times = TickTimes()
            if self.tracking is not None:
                self.tracking.times = self.times

    return BenchApp, TimedEngine


def open_app(config_path: Path, driver_video: Path | None) -> Any:
    from kiosk.app import RunOptions
    from kiosk.config import load_config

    bench_app, _ = _bench_classes()
    options = RunOptions(headless=True, driver_video=driver_video,
                         synthetic_camera=driver_video is None)  # fmt: skip
    return bench_app(load_config(config_path), options)


def run_loop(
    app: Any, seconds: float, paced: bool, until: Callable[[], bool] | None = None
) -> tuple[list[dict[str, float]], float]:
    """Tick like `KioskApp.run` (paced to display.fps, woken by new tracking results) or flat
    out; per-tick rows, elapsed."""
    from kiosk.display.pacing import FramePacer

    pacer = FramePacer(app.config.display.fps)
    rows = []
    start = time.monotonic()
    while time.monotonic() - start < seconds and not (until and until()):
        tick_start = time.monotonic()
        rows.append(app.tick_row(tick_start))
        if paced:
            pacer.wait(app.new_results)
    return rows, time.monotonic() - start


# ----------------------------------------------------------------------------- phases


def current_still(app: Any) -> tuple[np.ndarray, Any]:
    """The shown exhibit's painting at its fitted size, and its overlay in live mode."""
    from kiosk.display import OverlayState
    from kiosk.renderer.rig_store import fit_image

    exhibit = app.library.exhibits[0]
    h, w = exhibit.image.shape[:2]
    _, _, fw, fh = app.display.fit((w, h))
    spec = exhibit.spec
    overlay = OverlayState(title=spec.title, artist=spec.artist, year=spec.year,
                           label=spec.label, credit=spec.credit, camera_on=True)  # fmt: skip
    return fit_image(exhibit.image, (fw, fh)), overlay


def measure_baseline(app: Any, seconds: float) -> tuple[list[float], float]:
    """The display loop showing the still painting, flat out: per-present ms and elapsed s."""
    still, overlay = current_still(app)
    samples = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        t = time.perf_counter()
        app.display.present(still, overlay)
        samples.append((time.perf_counter() - t) * 1000.0)
    return samples, time.perf_counter() - start


def baseline_result(parts: Sequence[tuple[list[float], float]], size: list[int]) -> dict:
    """Baseline runs (before and after the pipeline run, so slow drift shows) combined."""
    samples = [ms for part, _ in parts for ms in part]
    elapsed = sum(seconds for _, seconds in parts)
    return {"present": summarize(samples), "fps": rate(len(samples), elapsed),
            "runs_median_ms": [summarize(p).get("median_ms") for p, _ in parts],
            "painting_size": size}  # fmt: skip


def measure_capture(driver_video: Path | None, sample: Path, frames: int = 150) -> list[float]:
    """What the camera thread does per frame, timed on the same content: decode + resize of
    the driver video, or drawing the synthetic test pattern."""
    from kiosk.camera.sources import SyntheticSource, iter_video_frames

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


SERIAL_FRAMES = 150


def collect_frames(source: Any, count: int, timeout_s: float = 20.0) -> list[Any]:
    """The next `count` camera frames, kept in memory only for the serial measurement."""
    frames: list[Any] = []
    last = -1
    deadline = time.monotonic() + timeout_s
    while source is not None and len(frames) < count and time.monotonic() < deadline:
        frame = source.wait_next(last, timeout=0.5)
        if frame is not None:
            last = frame.sequence
            frames.append(frame)
    return frames


def measure_serial(frames: list[Any], last_render: tuple | None, mirror: bool) -> dict[str, Any]:
    """The same stages on the same camera frames, back to back on one thread with the kiosk's
    other threads stopped, to set beside the loop's figures. The loop waits for each camera
    frame and for each display tick; on the development VM the stages run slower after such
    waits (about 1 ms of a 7 ms render), which this run leaves out."""
    from kiosk.motion.live import LiveMotion
    from kiosk.renderer.engine import GeometricEngine

    if not frames or last_render is None:
        return {}
    rig, motions, animation = last_render
    live = LiveMotion(mirror=mirror)
    engine = GeometricEngine()
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
    skip = 30  # the tracker's and estimator's first frames (detection, neutral face)
    return {
        stage: summarize(samples[skip:])
        for stage, samples in times.samples().items()
        if stage in ("tracking", "motion", "warp")
    }


def measure_background_build(app: Any, image_path: Path, seconds: float = 20.0) -> dict:
    """Frame times while a new painting's rig builds on the rig thread (cold: no cache)."""
    from kiosk.exhibits.images import image_digest
    from kiosk.renderer.rig_store import RigRequest

    data = image_path.read_bytes()
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    _, _, fw, fh = app.display.fit((image.shape[1], image.shape[0]))
    request = RigRequest(image_digest(data), (fw, fh))
    app.reset_times()
    started = time.monotonic()
    done: list[float] = []

    def built() -> bool:
        if not done and app.rigs.get(request, image) is not None:
            done.append(time.monotonic() - started)
        return bool(done)

    rows, _ = run_loop(app, seconds, paced=True, until=built)
    frames = [r["frame"] for r in rows if "frame" in r]
    result = app.rigs.get(request, image) if done else None
    return {"painting": image_path.name, "build_s": round(done[0], 3) if done else None,
            "faces": len(result.rig.all_faces) if result and result.rig else 0,
            "error": result.error if result else "not built in time",
            "frames": len(frames), "frame_during_build": summarize(frames)}  # fmt: skip


def _ready(app: Any) -> bool:
    from kiosk.director.director import Mode

    return app.engine.last is not None and app.director.mode is Mode.LIVE


def measure_pipeline(app: Any, seconds: float, warmup_s: float) -> dict[str, Any]:
    """Warm up until the rig is built and a visitor is followed, then paced and flat-out runs."""
    start = time.monotonic()
    run_loop(app, 60.0, paced=True, until=lambda: _ready(app))
    warmup, _ = run_loop(app, warmup_s, paced=True)
    out: dict[str, Any] = {"warmup_s": round(time.monotonic() - start, 2), "live": _ready(app)}
    app.reset_times()
    app.engine.inner.steps = StageTimes()  # the rendering steps of the very frames measured
    cpu_start = time.process_time()  # all of the process's threads: camera, tracker, display
    rows, elapsed = run_loop(app, seconds, paced=True)
    cpu_percent = 100.0 * (time.process_time() - cpu_start) / elapsed
    out["render_steps"] = app.engine.inner.steps.summary()
    app.engine.inner.steps = None
    stages = derive_stages(rows)
    new_frames = len(stages["pipeline_camera"])
    out["paced"] = {"rows": rows, "elapsed_s": elapsed, "fps": rate(len(rows), elapsed),
                    "camera_fps": rate(new_frames, elapsed), "new_frames": new_frames,
                    "displayed_frames": len(rows),
                    "cpu_percent": round(cpu_percent, 1)}  # fmt: skip
    rows_free, elapsed_free = run_loop(app, seconds / 2, paced=False)
    out["unpaced"] = {"fps": rate(len(rows_free), elapsed_free),
                      "frame": summarize(derive_stages(rows_free)["frame"])}  # fmt: skip
    return out


# ----------------------------------------------------------------------------- child processes


def _child(args: list[str], timeout: float = 300.0) -> tuple[dict, float]:
    """Run `python -m kiosk.bench ARGS`; its last stdout line is JSON. Returns it and the
    monotonic time just before the spawn."""
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    spawned = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk.bench", *args, "--spawned", repr(spawned)],
        capture_output=True, text=True, env=env, timeout=timeout,
    )  # fmt: skip
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"bench child {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), spawned


def measure_startup(config_path: Path, driver: Path | None, runs: int) -> dict[str, Any]:
    """Fresh kiosk processes to first frame: one discarded (warms OS caches), then `runs`
    pairs of cold (empty rig cache) and warm (the cache that run filled)."""
    driver_args = ["--driver-video", str(driver)] if driver else []
    root = config_path.parent
    _child(["startup", str(config_path), str(root / "cache-discard"), *driver_args])
    cold, warm = [], []
    for i in range(runs):
        cache = root / f"cache-start-{i}"
        cold.append(_child(["startup", str(config_path), str(cache), *driver_args])[0])
        warm.append(_child(["startup", str(config_path), str(cache), *driver_args])[0])

    def med(items: list[dict], key: str) -> float | None:
        values = [r[key] for r in items if r.get(key) is not None]
        return round(float(np.median(values)), 3) if values else None

    return {
        "runs": runs,
        "cold": {k: med(cold, k) for k in ("first_frame_s", "first_animated_s")},
        "warm": {k: med(warm, k) for k in ("first_frame_s", "first_animated_s")},
        "all_runs": {"cold": cold, "warm": warm},
    }


def startup_child(config_path: Path, cache_dir: Path, driver: Path | None, spawned: float) -> dict:
    app = open_app(config_path, driver)
    app.use_rig_cache(cache_dir)
    created = time.monotonic()
    app.start(created)
    first_frame = None
    try:
        rows_until = time.monotonic() + 60.0
        while app.engine.first_render_at is None and time.monotonic() < rows_until:
            run_loop(app, 1.0 / DISPLAY_FPS, paced=True)
            if first_frame is None:
                first_frame = time.monotonic()
    finally:
        app.close()
    animated = app.engine.first_render_at

    def since(t: float | None) -> float | None:
        return round(t - spawned, 3) if t is not None else None

    return {"app_ready_s": since(created), "first_frame_s": since(first_frame),
            "first_animated_s": since(animated)}  # fmt: skip


def measure_memory(
    root: Path, size: tuple[int, int], driver: Path | None, samples: list[Path]
) -> dict[str, Any]:
    images = memory_images(samples)
    config = write_kiosk_folder(root, size, images, MEMORY_EXHIBITS, crossfade_s=0.3)
    driver_args = ["--driver-video", str(driver)] if driver else []
    result, _ = _child(["memory", str(config), str(root / "cache"), *driver_args], timeout=900)
    result["images"] = [str(p) for p in images]
    return result


def memory_child(config_path: Path, cache_dir: Path, driver: Path | None) -> dict[str, Any]:
    """All exhibits loaded, every rig built (timed, cold), every painting shown once; then
    peak RSS; then the same rigs again from the warm cache."""
    from kiosk.renderer.engine import GeometricEngine
    from kiosk.renderer.rig_store import RigRequest, fit_image

    app = open_app(config_path, driver)
    app.use_rig_cache(cache_dir)
    app.start(time.monotonic())
    builds: list[dict[str, Any]] = []
    checkpoints = {"started": memory_mb()["rss_mb"]}
    try:
        for exhibit in app.library.exhibits:
            h, w = exhibit.image.shape[:2]
            _, _, fw, fh = app.display.fit((w, h))
            face = exhibit.spec.face
            request = RigRequest(exhibit.image_digest, (fw, fh), face.choose, face.index)
            t = time.perf_counter()
            app.rigs.get(request, exhibit.image)
            app.rigs.wait()
            result = app.rigs.get(request, exhibit.image)
            builds.append({"exhibit": exhibit.id, "image": exhibit.spec.image,
                           "cold_s": round(time.perf_counter() - t, 3),
                           "faces": len(result.rig.all_faces) if result.rig else 0,
                           "error": result.error})  # fmt: skip
        checkpoints["rigs_built"] = memory_mb()["rss_mb"]
        for exhibit in app.library.exhibits:
            app.director.show(exhibit.id, time.monotonic())
            run_loop(app, app.config.timeouts.crossfade_s + 0.1, paced=True)
        memory = memory_mb()
        checkpoints["all_shown"] = memory["rss_mb"]
        engine = GeometricEngine(cache_dir=cache_dir)
        for build, exhibit in zip(builds, app.library.exhibits, strict=True):
            fitted = fit_image(exhibit.image, app.display.fit(exhibit.image.shape[1::-1])[2:])
            t = time.perf_counter()
            try:
                engine.build_rig(fitted, exhibit.spec.face.choose, exhibit.spec.face.index)
            except ValueError:
                pass  # no face: the cached empty result is what is being timed
            build["warm_s"] = round(time.perf_counter() - t, 3)
        engine.close()
    finally:
        app.close()
    return {"exhibits": len(builds), **memory, "rss_checkpoints_mb": checkpoints, "rigs": builds}


# ----------------------------------------------------------------------------- the whole run


@dataclass(frozen=True, slots=True)
class BenchOptions:
    driver_video: Path | None = None
    painting: Path | None = None  # the exhibit shown; None = the Grace Hopper sample
    size: tuple[int, int] = (1920, 1080)
    seconds: float = 10.0
    warmup_s: float = 2.0
    startup_runs: int = 2
    startup: bool = True
    memory: bool = True


def run_bench(options: BenchOptions) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        return _run_bench(options, Path(tmp))


def _run_bench(options: BenchOptions, root: Path) -> dict[str, Any]:
    samples = sample_images(root / "samples")
    shown = options.painting or samples[0]
    config = write_kiosk_folder(root / "kiosk", options.size, [shown], 1)
    result: dict[str, Any] = {
        "driver": str(options.driver_video) if options.driver_video else "synthetic:grace_hopper",
        "painting": str(options.painting) if options.painting else f"sample:{shown.name}",
        "size": list(options.size),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "load_average": {"start": _load_average()},
    }
    app = open_app(config, options.driver_video)
    try:
        app.start(time.monotonic())
        base_s = min(2.0, options.seconds / 4)
        before = measure_baseline(app, base_s)
        pipeline = measure_pipeline(app, options.seconds, options.warmup_s)
        after = measure_baseline(app, base_s)
        still, _ = current_still(app)
        baseline = baseline_result([before, after], [still.shape[1], still.shape[0]])
        breakdown = dict(pipeline.pop("render_steps"))
        if app.engine.last is not None and app.engine.last[0].faces:
            rig = app.engine.last[0]
            region = rig.faces[0].region
            breakdown["face_region_px"] = {"width": int(region.width), "height": int(region.height)}
            if rig.shown_size is not None:  # a close-up rendered smaller, scaled up
                breakdown["rendered_px"] = {"width": int(rig.image.shape[1]),
                                            "height": int(rig.image.shape[0]),
                                            "shown_width": rig.shown_size[0],
                                            "shown_height": rig.shown_size[1]}  # fmt: skip
        background = measure_background_build(app, samples[1])
        camera_frames = collect_frames(app.source, SERIAL_FRAMES)
        last_render = app.engine.last
    finally:
        app.close()
    # With the kiosk closed, nothing else competes for the two cores.
    serial = measure_serial(camera_frames, last_render, app.config.camera.mirror)
    del camera_frames
    capture = measure_capture(options.driver_video, samples[0])
    result.update(_pipeline_result(pipeline, baseline, capture, breakdown, background))
    result["serial_ms"] = serial
    if options.startup:
        result["startup"] = measure_startup(config, options.driver_video, options.startup_runs)
    if options.memory:
        result["memory"] = measure_memory(
            root / "memory", options.size, options.driver_video, samples
        )
    result["load_average"]["end"] = _load_average()
    result["headline"] = _headline(result)
    result["targets"] = evaluate_targets(result["headline"])
    return result


def _load_average() -> float | None:
    """1-minute load average: other work on the machine shows up in every figure."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _pipeline_result(pipeline: dict, baseline: dict, capture: list[float], breakdown: dict,
                     background: dict) -> dict[str, Any]:  # fmt: skip
    base_ms = baseline["present"]["median_ms"]
    paced = pipeline["paced"]
    stages = derive_stages(paced.pop("rows"))
    stages["capture"] = capture
    ordered = {name: summarize(stages[name], base_ms) for name, _ in STAGE_ROWS}
    paced["x_baseline_fps"] = round(paced["fps"] / baseline["fps"], 3) if baseline["fps"] else None
    paced["new_fraction"] = round(paced["new_frames"] / max(1, paced["displayed_frames"]), 3)
    return {
        "baseline": baseline,
        "warmup": {"seconds": pipeline["warmup_s"], "live": pipeline["live"]},
        "stages_ms": ordered,
        "display_loop": {"paced": paced, "unpaced": pipeline["unpaced"]},
        "render_breakdown_ms": breakdown,
        "background_rig_build": background,
    }


def _sum_of_medians(stages: dict[str, dict[str, float]]) -> float | None:
    """tracking + motion + warp + composite medians; None if any of them was not measured."""
    keys = ("tracking", "motion", "warp", "composite")
    parts = [stages.get(k, {}).get("median_ms") for k in keys]
    return round(sum(parts), 2) if all(p is not None for p in parts) else None


def _headline(result: dict[str, Any]) -> dict[str, float | None]:
    stages = result["stages_ms"]
    startup = result.get("startup", {})
    rigs = result.get("memory", {}).get("rigs", [])
    builds = [r["cold_s"] for r in rigs] + [result["background_rig_build"].get("build_s")]
    builds = [b for b in builds if b is not None]
    # Tracking runs on its own thread and a frame is re-shown when nothing moved, so per-tick
    # sums mislead: the work one camera frame costs is the sum of the stages' medians. The
    # serial run has no composite stage of its own; it takes the loop's.
    serial = {**result.get("serial_ms", {}), "composite": stages.get("composite", {})}
    return {
        "pipeline_ms": _sum_of_medians(stages),
        "pipeline_serial_ms": _sum_of_medians(serial),
        "end_to_end_p95_ms": stages["end_to_end"].get("p95_ms"),
        "display_fps": result["display_loop"]["paced"]["fps"],
        "startup_warm_s": startup.get("warm", {}).get("first_animated_s"),
        "rig_build_max_s": max(builds) if builds else None,
        "peak_rss_mb": result.get("memory", {}).get("peak_rss_mb"),
    }


# ----------------------------------------------------------------------------- the table


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def format_report(result: dict[str, Any]) -> str:
    w, h = result["size"]
    base = result["baseline"]
    load = result.get("load_average", {})
    lines = [
        f"kiosk bench: {w}x{h}, painting {result.get('painting', '?')}, driver "
        f"{result['driver']}, {result['cpus']} CPUs, load average "
        f"{_fmt(load.get('start'))} at start, {_fmt(load.get('end'))} at end",
        f"baseline (present the still painting): {_fmt(base['present'].get('median_ms'))} ms "
        f"median, {_fmt(base['fps'], 1)} fps",
        "",
        f"{'stage':<62}{'median ms':>10}{'p95 ms':>9}{'x base':>8}{'n':>6}",
    ]
    for name, label in STAGE_ROWS:
        s = result["stages_ms"].get(name, {})
        lines.append(f"{label:<62}{_fmt(s.get('median_ms')):>10}{_fmt(s.get('p95_ms')):>9}"
                     f"{_fmt(s.get('x_baseline')):>8}{_fmt(s.get('samples')):>6}")  # fmt: skip
    loop = result["display_loop"]
    paced = loop["paced"]
    lines += [
        "",
        f"display loop (paced to {DISPLAY_FPS}): {_fmt(paced['fps'], 1)} fps, camera "
        f"{_fmt(paced['camera_fps'], 1)} fps, new frames shown {paced['new_frames']}/"
        f"{paced['displayed_frames']} ({100 * paced['new_fraction']:.0f}%); CPU "
        f"{_fmt(paced.get('cpu_percent'), 0)}% of one core; flat out "
        f"{_fmt(loop['unpaced']['fps'], 1)} fps",
    ]
    lines += _breakdown_lines(result)
    lines += _serial_lines(result)
    lines += _startup_memory_lines(result)
    lines += ["", f"{'target':<66}{'measured':>10}  {'limit':<10}"]
    for t in result["targets"]:
        mark = {True: "ok", False: "MISSED", None: "not measured"}[t["ok"]]
        lines.append(f"{t['label']:<66}{_fmt(t['value']):>10}  {t['target'] + ' ' + t['unit']:<10}"
                     f"  {mark}")  # fmt: skip
    return "\n".join(lines)


def _serial_lines(result: dict[str, Any]) -> list[str]:
    serial = result.get("serial_ms", {})
    if not serial:
        return []
    parts = ", ".join(f"{k} {_fmt(v.get('median_ms'))}" for k, v in serial.items())
    return [
        f"the same frames one after another, kiosk threads stopped (median ms): {parts}; "
        f"with the loop's composite, {_fmt(result['headline'].get('pipeline_serial_ms'))} ms "
        "(for comparison; the target row below is the loop's)"
    ]


def _breakdown_lines(result: dict[str, Any]) -> list[str]:
    steps = result.get("render_breakdown_ms", {})
    region = steps.get("face_region_px")
    head = "render breakdown (median ms)"
    if region:
        head += f", face region {region['width']}x{region['height']} px"
    reduced = steps.get("rendered_px")
    if reduced:
        head += (f" (rendered at {reduced['width']}x{reduced['height']}, scaled up to "
                 f"{reduced['shown_width']}x{reduced['shown_height']})")  # fmt: skip
    sizes = ("face_region_px", "rendered_px")
    parts = [f"{k} {_fmt(v.get('median_ms'))}" for k, v in steps.items() if k not in sizes]
    bg = result["background_rig_build"]
    frame = bg["frame_during_build"]
    return [
        f"{head}: " + ", ".join(parts),
        f"new painting's rig ({bg['painting']}) built on the rig thread in "
        f"{_fmt(bg['build_s'])} s ({bg['faces']} face(s){', ' + bg['error'] if bg['error'] else ''}"
        f"); {bg['frames']} display frames meanwhile: {_fmt(frame.get('median_ms'))} ms median, "
        f"{_fmt(frame.get('p95_ms'))} ms p95",
    ]


def _startup_memory_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    startup = result.get("startup")
    if startup:
        for kind in ("cold", "warm"):
            s = startup[kind]
            lines.append(f"start-up, {kind} rig cache: first frame {_fmt(s['first_frame_s'])} s, "
                         f"first animated frame {_fmt(s['first_animated_s'])} s "
                         f"(median of {startup['runs']})")  # fmt: skip
    memory = result.get("memory")
    if memory:
        lines.append(
            f"memory, {memory['exhibits']} exhibits loaded and shown: peak RSS "
            f"{_fmt(memory['peak_rss_mb'], 1)} MB (now {_fmt(memory['rss_mb'], 1)} MB)"
        )
        lines.append(
            "  RSS at checkpoints: "
            + ", ".join(f"{k} {_fmt(v, 1)} MB" for k, v in memory["rss_checkpoints_mb"].items())
        )
        lines.append(f"{'rig build per painting':<44}{'cold s':>8}{'warm s':>8}{'faces':>7}")
        for r in memory["rigs"]:
            lines.append(f"  {Path(r['image']).name:<42}{_fmt(r['cold_s']):>8}"
                         f"{_fmt(r.get('warm_s')):>8}{r['faces']:>7}")  # fmt: skip
    return [""] + lines if lines else []


# ----------------------------------------------------------------------------- child entry


def _child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.bench")
    parser.add_argument("kind", choices=("startup", "memory"))
    parser.add_argument("config", type=Path)
    parser.add_argument("cache", type=Path)
    parser.add_argument("--driver-video", type=Path)
    parser.add_argument("--spawned", type=float, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.kind == "startup":
        out = startup_child(args.config, args.cache, args.driver_video, args.spawned)
    else:
        out = memory_child(args.config, args.cache, args.driver_video)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
