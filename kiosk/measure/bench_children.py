"""Start-up and memory, each measured in a fresh kiosk process, so that imports, model loading
and peak RSS are those of a kiosk just started: the parent runs
`python -m kiosk.measure.bench_children startup|memory CONFIG CACHE ...` and reads the JSON
the child prints last."""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.exhibits.library import LoadedExhibit
from kiosk.measure.bench_phases import open_kiosk, run_loop
from kiosk.measure.bench_report import MEMORY_EXHIBITS
from kiosk.measure.kiosk_folder import DISPLAY_FPS, write_kiosk_folder
from kiosk.measure.process_stats import memory_mb
from kiosk.renderer.engine import make_engine
from kiosk.renderer.rig_store import fit_image
from kiosk.runtime.loop import Kiosk

CHILD_MODULE = "kiosk.measure.bench_children"
SHARED_PORTRAITS = Path(__file__).resolve().parents[3] / "shared" / "data" / "portraits"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def run_child(args: list[str], timeout: float = 300.0) -> tuple[dict, float]:
    """Run `python -m kiosk.measure.bench_children ARGS`; its last stdout line is JSON.
    Returns it and the monotonic time just before the spawn."""
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    spawned = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", CHILD_MODULE, *args, "--spawned", repr(spawned)],
        capture_output=True, text=True, env=env, timeout=timeout,
    )  # fmt: skip
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"bench child {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), spawned


# ----------------------------------------------------------------------------- start-up


def measure_startup(config_path: Path, driver: Path | None, runs: int) -> dict[str, Any]:
    """Fresh kiosk processes to first frame: one discarded (warms OS caches), then `runs`
    pairs of cold (empty rig cache) and warm (the cache that run filled)."""
    driver_args = ["--driver-video", str(driver)] if driver else []
    root = config_path.parent
    run_child(["startup", str(config_path), str(root / "cache-discard"), *driver_args])
    cold, warm = [], []
    for i in range(runs):
        cache = root / f"cache-start-{i}"
        cold.append(run_child(["startup", str(config_path), str(cache), *driver_args])[0])
        warm.append(run_child(["startup", str(config_path), str(cache), *driver_args])[0])

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
    """In the child: seconds from the spawn to the kiosk built, its first frame and its first
    animated frame."""
    kiosk = open_kiosk(config_path, driver, rig_cache_dir=cache_dir)
    created = time.monotonic()
    kiosk.start(created)
    first_frame = None
    try:
        rows_until = time.monotonic() + 60.0
        while kiosk.scene.first_render_at is None and time.monotonic() < rows_until:
            run_loop(kiosk, 1.0 / DISPLAY_FPS, paced=True)
            if first_frame is None:
                first_frame = time.monotonic()
    finally:
        kiosk.close()
    animated = kiosk.scene.first_render_at

    def since(t: float | None) -> float | None:
        return round(t - spawned, 3) if t is not None else None

    return {"app_ready_s": since(created), "first_frame_s": since(first_frame),
            "first_animated_s": since(animated)}  # fmt: skip


# ----------------------------------------------------------------------------- memory


def memory_images(samples: list[Path]) -> list[Path]:
    """The shared test portraits if present, else the samples."""
    if SHARED_PORTRAITS.is_dir():
        found = sorted(p for p in SHARED_PORTRAITS.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if found:
            return found
    return samples


def measure_memory(
    root: Path, size: tuple[int, int], driver: Path | None, samples: list[Path]
) -> dict[str, Any]:
    images = memory_images(samples)
    config = write_kiosk_folder(root, size, images, MEMORY_EXHIBITS, crossfade_s=0.3)
    driver_args = ["--driver-video", str(driver)] if driver else []
    result, _ = run_child(["memory", str(config), str(root / "cache"), *driver_args], timeout=900)
    result["images"] = [str(p) for p in images]
    return result


def memory_child(config_path: Path, cache_dir: Path, driver: Path | None) -> dict[str, Any]:
    """In the child: all exhibits loaded, every rig built (timed, cold), every painting shown
    once; then peak RSS; then the same rigs again from the warm cache."""
    kiosk = open_kiosk(config_path, driver, rig_cache_dir=cache_dir)
    kiosk.start(time.monotonic())
    checkpoints = {"started": memory_mb()["rss_mb"]}
    try:
        builds = [_cold_build(kiosk, exhibit) for exhibit in kiosk.library.exhibits]
        checkpoints["rigs_built"] = memory_mb()["rss_mb"]
        for exhibit in kiosk.library.exhibits:
            kiosk.director.show(exhibit.id, time.monotonic())
            run_loop(kiosk, kiosk.config.timeouts.crossfade_s + 0.1, paced=True)
        memory = memory_mb()
        checkpoints["all_shown"] = memory["rss_mb"]
        _warm_builds(kiosk, builds, cache_dir)
    finally:
        kiosk.close()
    return {"exhibits": len(builds), **memory, "rss_checkpoints_mb": checkpoints, "rigs": builds}


def _cold_build(kiosk: Kiosk, exhibit: LoadedExhibit) -> dict[str, Any]:
    """The exhibit's rig built by the kiosk's rig store, as the kiosk asks for it."""
    request = kiosk.scene.rig_request(exhibit)
    t = time.perf_counter()
    kiosk.rigs.get(request, exhibit.image)
    kiosk.rigs.wait()
    result = kiosk.rigs.get(request, exhibit.image)
    return {"exhibit": exhibit.id, "image": exhibit.spec.image,
            "cold_s": round(time.perf_counter() - t, 3),
            "faces": len(result.rig.all_faces) if result.rig else 0,
            "error": result.error}  # fmt: skip


def _warm_builds(kiosk: Kiosk, builds: list[dict[str, Any]], cache_dir: Path) -> None:
    """Each rig built again by a fresh engine from the faces the cold builds cached."""
    engine = make_engine(kiosk.config.engine, cache_dir=cache_dir)
    try:
        for build, exhibit in zip(builds, kiosk.library.exhibits, strict=True):
            request = kiosk.scene.rig_request(exhibit)
            fitted = fit_image(exhibit.image, request.size)
            t = time.perf_counter()
            try:
                engine.build_rig(
                    fitted, request.choose, request.index, request.box, request.corrections
                )
            except ValueError:
                pass  # no face: the cached empty result is what is being timed
            build["warm_s"] = round(time.perf_counter() - t, 3)
    finally:
        engine.close()


# ----------------------------------------------------------------------------- child entry


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {CHILD_MODULE}")
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
    sys.exit(main(sys.argv[1:]))
