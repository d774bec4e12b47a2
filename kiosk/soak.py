"""Soak run: the real kiosk loop, headless, for a long time, with exhibit churn and camera
faults, watching memory, file descriptors and threads.

Not a unit test: a measurement for "runs unattended for weeks". In a throwaway kiosk folder it
writes, changes, breaks, fixes and removes exhibit files on a schedule, switches a fake camera
(`kiosk.camera.faults.FaultyCapture`) through its faults, and samples resources every N frames.
The JSON report gives RSS growth after warm-up, fd and thread counts, and how long the kiosk
took to drop to attract and to come back live around each camera fault.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import tempfile
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kiosk.camera.faults import Fault, FaultyCapture
from kiosk.camera.sources import DeviceSource
from kiosk.display.pacing import FramePacer

log = logging.getLogger(__name__)

# Healthy phases between the faults, so every fault starts from a live visitor.
FAULT_CYCLE: tuple[Fault, ...] = (
    "none", "unplugged", "none", "frozen", "none", "blocking", "none", "wrong_size", "none",
    "absent",
)  # fmt: skip
MAX_SAMPLES = 2000  # the samples list is bounded however long the run
MAX_FAULT_RECORDS = 1000

_EXHIBIT = """\
schema_version: 1
id: {id}
title: {title}
image: {image}
order: {order}
"""


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


# --------------------------------------------------------------------------- resources


def resource_sample(frame: int, elapsed_s: float) -> dict[str, Any]:
    """RSS, open fds, and Python and OS thread counts of this process, right now."""
    status = _proc_status()
    return {
        "frame": frame,
        "t_s": round(elapsed_s, 2),
        "rss_kb": status.get("VmRSS", 0),
        "fds": len(os.listdir("/proc/self/fd")),
        "threads": threading.active_count(),
        "os_threads": status.get("Threads", 0),
    }


def _proc_status() -> dict[str, int]:
    values: dict[str, int] = {}
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return values
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "Threads"):
            values[key] = int(rest.split()[0])
    return values


# --------------------------------------------------------------------------- kiosk folder


def make_kiosk_folder(root: Path, display_size: tuple[int, int] = (480, 360)) -> Path:
    """A kiosk folder: config (small screen, short timeouts), two sample exhibits, content."""
    from kiosk.exhibits.samples import ensure_sample_content

    root = Path(root)
    (root / "exhibits").mkdir(parents=True, exist_ok=True)
    ensure_sample_content(root / "content")
    (root / "config.yaml").write_text(
        f"display: {{fullscreen: false, size: [{display_size[0]}, {display_size[1]}], fps: 60}}\n"
        "timeouts: {visitor_enter_s: 0.2, visitor_leave_s: 0.5, crossfade_s: 0.3, "
        "camera_stale_s: 1.0, attract_exhibit_s: 8}\n"
    )
    for order, (exhibit_id, image) in enumerate(BASE_EXHIBITS.items()):
        text = _EXHIBIT.format(id=exhibit_id, title=exhibit_id, image=image, order=order)
        (root / "exhibits" / f"{exhibit_id}.yaml").write_text(text)
    return root


BASE_EXHIBITS = {"grace-hopper": "samples/grace_hopper.jpg", "astronaut": "samples/astronaut.png"}


def face_image(content: Path) -> np.ndarray:
    image = cv2.imread(str(Path(content) / "samples" / "grace_hopper.jpg"))
    if image is None:
        raise FileNotFoundError(f"sample face missing in {content}/samples")
    return image


# --------------------------------------------------------------------------- churn


class ExhibitChurn:
    """Curator activity on fast-forward: good, broken and vanishing exhibit files.

    Uses a fixed set of file names and image variants, so what the kiosk legitimately holds
    stays bounded and any growth over the run is a leak.
    """

    SLOTS = 3
    ACTIONS = (
        "write", "retitle", "break_yaml", "schema_error", "missing_image", "truncated_image",
        "atomic_save", "swap_files", "duplicate_id", "remove_on_screen", "fix_all",
    )  # fmt: skip

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.exhibits = Path(root) / "exhibits"
        self.content = Path(root) / "content"
        self.rng = rng
        self.counts: Counter[str] = Counter()
        churn = self.content / "churn"
        churn.mkdir(exist_ok=True)
        face = face_image(self.content)
        variants = (face, cv2.flip(face, 1), face[: face.shape[0] * 3 // 4])
        for k, image in enumerate(variants):
            cv2.imwrite(str(churn / f"v{k}.jpg"), image)
        self._jpeg = (churn / "v0.jpg").read_bytes()

    def step(self, on_screen: str | None) -> str:
        action = self.rng.choice(self.ACTIONS)
        getattr(self, f"_{action}")(self.rng.randrange(self.SLOTS), on_screen)
        self.counts[action] += 1
        return action

    def restore(self) -> None:
        """Every base exhibit back and valid (the end of a soak, or after removing one)."""
        for order, (exhibit_id, image) in enumerate(BASE_EXHIBITS.items()):
            text = _EXHIBIT.format(id=exhibit_id, title=exhibit_id, image=image, order=order)
            (self.exhibits / f"{exhibit_id}.yaml").write_text(text)

    def _slot_text(self, slot: int, title: str = "", image: str = "") -> str:
        image = image or f"churn/v{self.rng.randrange(3)}.jpg"
        return _EXHIBIT.format(
            id=f"churn-{slot}", title=title or f"Churn {slot}", image=image, order=10 + slot
        )

    def _path(self, slot: int) -> Path:
        return self.exhibits / f"churn-{slot}.yaml"

    def _write(self, slot: int, _on_screen: str | None) -> None:
        self._path(slot).write_text(self._slot_text(slot))

    def _retitle(self, slot: int, _on_screen: str | None) -> None:
        title = f"Churn {slot} take {self.rng.randrange(1000)}"
        self._path(slot).write_text(self._slot_text(slot, title=title))

    def _break_yaml(self, slot: int, _on_screen: str | None) -> None:
        self._path(slot).write_text("id: [unclosed\ntitle: 'oops\n")

    def _schema_error(self, slot: int, _on_screen: str | None) -> None:
        self._path(slot).write_text(self._slot_text(slot) + "bogus_key: 1\n")

    def _missing_image(self, slot: int, _on_screen: str | None) -> None:
        self._path(slot).write_text(self._slot_text(slot, image="churn/nowhere.jpg"))

    def _truncated_image(self, slot: int, _on_screen: str | None) -> None:
        (self.content / "churn" / "cut.jpg").write_bytes(self._jpeg[: len(self._jpeg) // 2])
        self._path(slot).write_text(self._slot_text(slot, image="churn/cut.jpg"))

    def _atomic_save(self, slot: int, _on_screen: str | None) -> None:
        tmp = self.exhibits / f".churn-{slot}.yaml.tmp"
        tmp.write_text(self._slot_text(slot, title=f"Saved {self.rng.randrange(1000)}"))
        os.replace(tmp, self._path(slot))

    def _swap_files(self, slot: int, _on_screen: str | None) -> None:
        names = (f".churn-{slot}.yaml.swp", f"churn-{slot}.yaml~", f"#churn-{slot}.yaml#")
        for name in names:
            (self.exhibits / name).write_text("half-written: [")
        for name in names:
            (self.exhibits / name).unlink(missing_ok=True)

    def _duplicate_id(self, slot: int, _on_screen: str | None) -> None:
        text = self._slot_text(slot).replace(f"id: churn-{slot}", "id: grace-hopper")
        self._path(slot).write_text(text)

    def _remove_on_screen(self, slot: int, on_screen: str | None) -> None:
        target = self.exhibits / f"{on_screen}.yaml" if on_screen else self._path(slot)
        target.unlink(missing_ok=True)
        if on_screen in BASE_EXHIBITS:
            self.restore()  # base exhibits come back at once, churn slots later

    def _fix_all(self, _slot: int, _on_screen: str | None) -> None:
        self.restore()
        for slot in range(self.SLOTS):
            self._path(slot).write_text(self._slot_text(slot))


# --------------------------------------------------------------------------- faults


@dataclass
class FaultRecord:
    fault: str
    started_s: float
    was_live: bool  # the director was live when the fault began
    to_attract_s: float | None = None  # from the fault's start to the director's attract
    healed_s: float | None = None
    to_live_s: float | None = None  # from healing to the director's live again


@dataclass
class FaultScheduler:
    """Steps the camera through FAULT_CYCLE, `phase_s` per phase; records recovery times."""

    camera: FaultyCapture
    phase_s: float
    started: float
    records: list[FaultRecord] = field(default_factory=list)
    _phase: int = -1
    _open: FaultRecord | None = None

    def update(self, now: float, live: bool) -> None:
        phase = int((now - self.started) / self.phase_s)
        if phase != self._phase:
            self._phase = phase
            fault = FAULT_CYCLE[phase % len(FAULT_CYCLE)]
            self.camera.set_fault(fault)
            t = round(now - self.started, 3)
            if fault != "none":
                self._open = FaultRecord(fault, t, live)
                if len(self.records) < MAX_FAULT_RECORDS:
                    self.records.append(self._open)
            elif self._open is not None:
                self._open.healed_s = t
        record, t = self._open, now - self.started
        if record is None:
            return
        if record.healed_s is None and not live and record.to_attract_s is None:
            record.to_attract_s = round(t - record.started_s, 3)
        if record.healed_s is not None and live:
            record.to_live_s = round(max(0.0, t - record.healed_s), 3)
            self._open = None


# --------------------------------------------------------------------------- the run


def run_soak(options: SoakOptions) -> dict[str, Any]:
    """Run the soak and return its report (also written to `options.out` as it goes)."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    folder = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    try:
        return _Soak(options, folder).run()
    finally:
        if not options.keep_folder:
            shutil.rmtree(folder, ignore_errors=True)


class _Soak:
    def __init__(self, options: SoakOptions, folder: Path) -> None:
        self.o = options
        self.folder = folder
        self.report: dict[str, Any] = {"status": "starting", "options": _jsonable(options)}
        self.samples: list[dict[str, Any]] = []

    def run(self) -> dict[str, Any]:
        from kiosk.config import load_config
        from kiosk.director.director import Mode
        from kiosk.runtime.options import RunOptions
        from kiosk.runtime.wiring import build_kiosk

        start = time.monotonic()
        self.report["start"] = resource_sample(0, 0.0)
        make_kiosk_folder(self.folder, self.o.display_size)
        config = load_config(self.folder / "config.yaml")
        camera = FaultyCapture(face_image(self.folder / "content"), tuple(config.camera.size))
        app = build_kiosk(
            config,
            RunOptions(headless=True),
            source_factory=lambda: DeviceSource(
                0, size=tuple(config.camera.size), capture_factory=camera,
                stale_after_s=config.timeouts.camera_stale_s,
            ),
        )  # fmt: skip
        churn = ExhibitChurn(self.folder, random.Random(self.o.seed))
        faults = FaultScheduler(camera, self.o.fault_phase_s, time.monotonic())
        modes: Counter[str] = Counter()
        max_problems = 0
        frame = 0
        next_churn = time.monotonic() + self.o.churn_every_s
        pacer = FramePacer(self.o.fps) if self.o.fps > 0 else None  # as Kiosk.run paces
        try:
            app.start(time.monotonic())
            previous = app.director.mode
            while frame < self.o.frames:
                now = time.monotonic()
                app.tick(now)
                frame += 1
                if pacer is not None:
                    pacer.wait(app.new_results)
                mode = app.director.mode
                modes[mode.value] += 1
                if mode is not previous:
                    modes["transitions"] += 1
                    previous = mode
                faults.update(now, mode is Mode.LIVE)
                if now >= next_churn:
                    churn.step(app.director.current)
                    next_churn = now + self.o.churn_every_s
                    max_problems = max(max_problems, len(app.problems()))
                if frame == self.o.warmup:
                    self.report["after_warmup"] = resource_sample(frame, now - start)
                if frame % self.o.sample_every == 0:
                    self._sample(frame, now - start, app, camera)
            self.report["end"] = resource_sample(frame, time.monotonic() - start)
            self.report["status"] = "finished"
        except Exception:  # a crash is the soak's finding: record it, do not hide it
            self.report["status"] = "crashed"
            self.report["error"] = traceback.format_exc()
            self.report["end"] = resource_sample(frame, time.monotonic() - start)
        finally:
            camera.clear()  # a blocked read must not hold up close()
            app.close()
        self.report["after_close"] = resource_sample(frame, time.monotonic() - start)
        self.report.update(
            frames=frame,
            elapsed_s=round(time.monotonic() - start, 2),
            fps=round(frame / max(time.monotonic() - start, 1e-9), 1),
            modes=dict(modes),
            churn_actions=dict(churn.counts),
            max_problems_reported=max_problems,
            camera={"opens": camera.opens, "failed_opens": camera.failed_opens,
                    "frames_served": camera.frames_served, "releases": camera.releases},
            faults=[_jsonable(r) for r in faults.records],
        )  # fmt: skip
        self.report.update(summarise(self.report))
        self._write()
        return self.report

    def _sample(self, frame: int, elapsed: float, app: Any, camera: FaultyCapture) -> None:
        sample = resource_sample(frame, elapsed)
        sample.update(
            mode=app.director.mode.value,
            fault=camera.fault,
            camera=app.live.camera_state,
            exhibits=len(app.library.exhibits),
            problems=len(app.problems()),
        )
        if len(self.samples) >= MAX_SAMPLES:
            del self.samples[1::2]  # keep the run's whole span at half the resolution
        self.samples.append(sample)
        self.report["status"] = "running"
        self._write()
        log.info(
            "soak frame %d: rss %d kB, fds %d, threads %d, mode %s, camera %s (%s)",
            frame, sample["rss_kb"], sample["fds"], sample["threads"], sample["mode"],
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


# Limits for the verdict: generous enough for allocator noise, tight enough to catch a leak.
MAX_RSS_GROWTH_PCT = 10.0
MAX_FD_GROWTH = 4
MAX_THREAD_GROWTH = 2


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
