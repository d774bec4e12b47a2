"""Soak run: the real kiosk loop, headless, for a long time, with exhibit churn and camera
faults, watching memory, file descriptors and threads.

Not a unit test: a measurement for "runs unattended for weeks". In a throwaway kiosk folder it
writes, changes, breaks, fixes and removes exhibit files on a schedule, switches a fake camera
(`kiosk.measure.faulty_camera.FaultyCapture`) through its faults, and samples resources every
N frames. The JSON report gives RSS growth after warm-up, fd and thread counts, and how long
the kiosk took to drop to attract and to come back live around each camera fault.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.camera.sources import DeviceSource
from kiosk.config import KioskConfig, load_config
from kiosk.director.director import Mode
from kiosk.display.pacing import FramePacer
from kiosk.measure.faulty_camera import FaultyCapture
from kiosk.measure.kiosk_folder import face_image, write_kiosk
from kiosk.measure.process_stats import resource_sample
from kiosk.measure.soak_events import BASE_EXHIBITS, ExhibitChurn, FaultScheduler
from kiosk.runtime.loop import Kiosk
from kiosk.runtime.options import RunOptions
from kiosk.runtime.wiring import build_kiosk

log = logging.getLogger(__name__)

MAX_SAMPLES = 2000  # the samples list is bounded however long the run
# Short timeouts, so a soak passes through many visits, fades and camera recoveries.
TIMEOUTS = {"visitor_enter_s": 0.2, "visitor_leave_s": 0.5, "crossfade_s": 0.3,
            "camera_stale_s": 1.0, "attract_exhibit_s": 8}  # fmt: skip

# Limits for the verdict: generous enough for allocator noise, tight enough to catch a leak.
MAX_RSS_GROWTH_PCT = 10.0
MAX_FD_GROWTH = 4
MAX_THREAD_GROWTH = 2


@dataclass(frozen=True)
class SoakOptions:
    frames: int = 100_000
    out: Path | None = None
    sample_every: int = 1000
    warmup_frames: int | None = None  # default: a tenth of the run, at least 500 frames
    churn_every_s: float = 0.5
    fault_phase_s: float = 6.0
    display_size: tuple[int, int] = (480, 360)
    fps: float = 60.0  # pace the loop like `kiosk run` does; 0 runs unpaced
    seed: int = 0
    keep_folder: bool = False

    @property
    def warmup(self) -> int:
        if self.warmup_frames is not None:
            return min(self.warmup_frames, self.frames)
        return min(self.frames, max(500, self.frames // 10))


def run_soak(options: SoakOptions) -> dict[str, Any]:
    """Run the soak and return its report (also written to `options.out` as it goes)."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    folder = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    try:
        return Soak(options, folder).run()
    finally:
        if not options.keep_folder:
            shutil.rmtree(folder, ignore_errors=True)


def soak_camera(config: KioskConfig, camera: FaultyCapture) -> DeviceSource:
    """The real capture thread (backoff, stale detection) reading the faulty camera."""
    return DeviceSource(
        0, size=tuple(config.camera.size), capture_factory=camera,
        stale_after_s=config.timeouts.camera_stale_s,
    )  # fmt: skip


class Soak:
    """One soak run in `folder`: the kiosk, its faulty camera, the churn and fault schedule,
    and the report they fill."""

    def __init__(self, options: SoakOptions, folder: Path) -> None:
        self.o = options
        self.folder = folder
        self.report: dict[str, Any] = {"status": "starting", "options": _jsonable(options)}
        self.samples: list[dict[str, Any]] = []
        self.frame = 0
        self.modes: Counter[str] = Counter()
        self.max_problems = 0

    def run(self) -> dict[str, Any]:
        start = time.monotonic()
        self.report["start"] = resource_sample(0, 0.0)
        config = load_config(write_kiosk(self.folder, self.o.display_size, BASE_EXHIBITS, TIMEOUTS))
        camera = FaultyCapture(face_image(self.folder / "content"), tuple(config.camera.size))
        kiosk = build_kiosk(
            config, RunOptions(headless=True), source_factory=lambda: soak_camera(config, camera)
        )
        churn = ExhibitChurn(self.folder, random.Random(self.o.seed))
        faults = FaultScheduler(camera, self.o.fault_phase_s, time.monotonic())
        next_churn = time.monotonic() + self.o.churn_every_s
        try:
            kiosk.start(time.monotonic())
            self._loop(kiosk, camera, churn, faults, start, next_churn)
            self.report["end"] = resource_sample(self.frame, time.monotonic() - start)
            self.report["status"] = "finished"
        except Exception:  # a crash is the soak's finding: record it, do not hide it
            self.report["status"] = "crashed"
            self.report["error"] = traceback.format_exc()
            self.report["end"] = resource_sample(self.frame, time.monotonic() - start)
        finally:
            camera.clear()  # a blocked read must not hold up close()
            kiosk.close()
        self.report["after_close"] = resource_sample(self.frame, time.monotonic() - start)
        self._finish(start, churn, camera, faults)
        return self.report

    def _loop(self, kiosk: Kiosk, camera: FaultyCapture, churn: ExhibitChurn,
              faults: FaultScheduler, start: float, next_churn: float) -> None:  # fmt: skip
        """Tick (paced as `Kiosk.run` paces) until the frame count, churning and faulting."""
        pacer = FramePacer(self.o.fps) if self.o.fps > 0 else None
        previous = kiosk.director.mode
        while self.frame < self.o.frames:
            now = time.monotonic()
            kiosk.tick(now)
            self.frame += 1
            if pacer is not None:
                pacer.wait(kiosk.new_results)
            mode = kiosk.director.mode
            self.modes[mode.value] += 1
            if mode is not previous:
                self.modes["transitions"] += 1
                previous = mode
            faults.update(now, mode is Mode.LIVE)
            if now >= next_churn:
                churn.step(kiosk.director.current)
                next_churn = now + self.o.churn_every_s
                self.max_problems = max(self.max_problems, len(kiosk.problems()))
            if self.frame == self.o.warmup:
                self.report["after_warmup"] = resource_sample(self.frame, now - start)
            if self.frame % self.o.sample_every == 0:
                self._sample(now - start, kiosk, camera)

    def _finish(
        self, start: float, churn: ExhibitChurn, camera: FaultyCapture, faults: FaultScheduler
    ) -> None:
        self.report.update(
            frames=self.frame,
            elapsed_s=round(time.monotonic() - start, 2),
            fps=round(self.frame / max(time.monotonic() - start, 1e-9), 1),
            modes=dict(self.modes),
            churn_actions=dict(churn.counts),
            max_problems_reported=self.max_problems,
            camera={"opens": camera.opens, "failed_opens": camera.failed_opens,
                    "frames_served": camera.frames_served, "releases": camera.releases},
            faults=[_jsonable(r) for r in faults.records],
        )  # fmt: skip
        self.report.update(summarise(self.report))
        self._write()

    def _sample(self, elapsed: float, kiosk: Kiosk, camera: FaultyCapture) -> None:
        sample = resource_sample(self.frame, elapsed)
        sample.update(
            mode=kiosk.director.mode.value,
            fault=camera.fault,
            camera=kiosk.live.camera_state,
            exhibits=len(kiosk.library.exhibits),
            problems=len(kiosk.problems()),
        )
        if len(self.samples) >= MAX_SAMPLES:
            del self.samples[1::2]  # keep the run's whole span at half the resolution
        self.samples.append(sample)
        self.report["status"] = "running"
        self._write()
        log.info(
            "soak frame %d: rss %d kB, fds %d, threads %d, mode %s, camera %s (%s)",
            self.frame, sample["rss_kb"], sample["fds"], sample["threads"], sample["mode"],
            sample["camera"], sample["fault"],
        )  # fmt: skip

    def _write(self) -> None:
        self.report["samples"] = self.samples
        if self.o.out is None:
            return
        out = Path(self.o.out)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(json.dumps(self.report, indent=1))
        os.replace(tmp, out)


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    """Growth after warm-up and a pass/fail verdict with its reasons."""
    warm = report.get("after_warmup") or report.get("start")
    end = report.get("end") or warm
    growth = 100.0 * (end["rss_kb"] - warm["rss_kb"]) / max(warm["rss_kb"], 1)
    summary = {
        "rss_growth_after_warmup_pct": round(growth, 2),
        "fd_growth_after_warmup": end["fds"] - warm["fds"],
        "thread_growth_after_warmup": end["threads"] - warm["threads"],
        "os_thread_growth_after_warmup": end["os_threads"] - warm["os_threads"],
    }
    reasons = []
    if report.get("status") != "finished":
        reasons.append(f"run {report.get('status')}")
    if growth > MAX_RSS_GROWTH_PCT:
        reasons.append(f"RSS grew {growth:.1f}% after warm-up (limit {MAX_RSS_GROWTH_PCT}%)")
    if summary["fd_growth_after_warmup"] > MAX_FD_GROWTH:
        reasons.append(f"open fds grew by {summary['fd_growth_after_warmup']}")
    if summary["thread_growth_after_warmup"] > MAX_THREAD_GROWTH:
        reasons.append(f"threads grew by {summary['thread_growth_after_warmup']}")
    summary["verdict"] = {"ok": not reasons, "reasons": reasons}
    return summary


def _jsonable(obj: Any) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in vars(obj).items()
            if not k.startswith("_")}  # fmt: skip
