"""`kiosk bench`: the real pipeline, headless, timed stage by stage against written targets.

Builds the kiosk with `build_kiosk` (SDL dummy driver), hands it the bench's own `StageTimes`
and drives its ticks, reading a per-tick record of what each stage added (the scene renderer
times the warp, the display the overlays). Every time is also given as a ratio to a baseline
measured in the same run (the display loop presenting the still painting), so figures from a
noisy or slower machine can still be compared. Start-up and memory are measured in child
processes (`bench_children.py`) so that imports, model loading and peak RSS are those of a
fresh kiosk process.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.exhibits.samples import ensure_sample_content
from kiosk.measure.bench_children import measure_memory, measure_startup
from kiosk.measure.bench_phases import (
    SERIAL_FRAMES,
    baseline_result,
    collect_frames,
    current_still,
    measure_background_build,
    measure_baseline,
    measure_capture,
    measure_pipeline,
    measure_serial,
    open_kiosk,
    render_breakdown,
)
from kiosk.measure.bench_report import evaluate_targets, headline, pipeline_result
from kiosk.measure.kiosk_folder import write_kiosk_folder


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
    """Every phase in a throwaway kiosk folder; the result, with its headline and targets."""
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        return _run_bench(options, Path(tmp))


def _run_bench(options: BenchOptions, root: Path) -> dict[str, Any]:
    samples = ensure_sample_content(root / "samples")  # the shipped portraits, as the kiosk has
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
    result.update(_in_process(options, config, samples))
    if options.startup:
        result["startup"] = measure_startup(config, options.driver_video, options.startup_runs)
    if options.memory:
        result["memory"] = measure_memory(
            root / "memory", options.size, options.driver_video, samples
        )
    result["load_average"]["end"] = _load_average()
    result["headline"] = headline(result)
    result["targets"] = evaluate_targets(result["headline"])
    return result


def _in_process(options: BenchOptions, config: Path, samples: list[Path]) -> dict[str, Any]:
    """The phases on one kiosk: baseline, pipeline, baseline again, a background rig build;
    then, with the kiosk closed, the serial replay and the capture work."""
    kiosk = open_kiosk(config, options.driver_video)
    try:
        kiosk.start(time.monotonic())
        base_s = min(2.0, options.seconds / 4)
        before = measure_baseline(kiosk, base_s)
        pipeline = measure_pipeline(kiosk, options.seconds, options.warmup_s)
        after = measure_baseline(kiosk, base_s)
        still, _ = current_still(kiosk)
        baseline = baseline_result([before, after], [still.shape[1], still.shape[0]])
        breakdown = render_breakdown(kiosk, pipeline.pop("render_steps"))
        background = measure_background_build(kiosk, samples[1])
        camera_frames = collect_frames(kiosk.live.source, SERIAL_FRAMES)
        last_render = kiosk.scene.last_render
    finally:
        kiosk.close()
    # With the kiosk closed, nothing else competes for the two cores.
    serial = measure_serial(camera_frames, last_render, kiosk.config)
    del camera_frames
    capture = measure_capture(options.driver_video, samples[0])
    out = pipeline_result(pipeline, baseline, capture, breakdown, background)
    out["serial_ms"] = serial
    return out


def _load_average() -> float | None:
    """1-minute load average: other work on the machine shows up in every figure."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None
