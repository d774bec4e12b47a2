"""`kiosk bench`: per-stage timings, latency, fps, start-up and memory against the targets."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from kiosk.commands import EXIT_OK, EXIT_USAGE


def parse_size(text: str) -> tuple[int, int]:
    """'1920x1080' -> (1920, 1080)."""
    try:
        w, h = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"write the size as WIDTHxHEIGHT, e.g. 1920x1080 "
                                         f"(got {text!r})") from None  # fmt: skip
    if w <= 0 or h <= 0:
        raise argparse.ArgumentTypeError(f"width and height must be positive (got {text!r})")
    return w, h


def add_parser(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser("bench", help="benchmark the pipeline headless against its targets")
    bench.add_argument("--driver-video", help="a video file as the camera (default: the "
                       "synthetic source on the Grace Hopper sample)")  # fmt: skip
    bench.add_argument("--painting", help="the painting to animate (default: the Grace Hopper "
                       "sample)")  # fmt: skip
    bench.add_argument("--size", type=parse_size, default=(1920, 1080),
                       help="output size WIDTHxHEIGHT (default 1920x1080)")  # fmt: skip
    bench.add_argument("--out", help="write the full results as JSON here")
    bench.add_argument("--seconds", type=float, default=10.0,
                       help="length of the measured run after warm-up (default 10)")  # fmt: skip
    bench.add_argument("--startup-runs", type=int, default=2,
                       help="cold/warm start-up pairs, 0 to skip (default 2)")  # fmt: skip
    bench.add_argument("--no-memory", action="store_true",
                       help="skip the 20-exhibit memory and rig build run")  # fmt: skip
    bench.add_argument("--display-path", action="store_true",
                       help="measure the real display path instead, under SDL_VIDEODRIVER "
                       "(e.g. x11 under Xvfb) at 1920x1080, rotation 90, 1080x1920 and "
                       "3840x2160, each beside a bare full-frame flip loop")  # fmt: skip
    bench.set_defaults(func=cmd_bench)


def cmd_bench(args: argparse.Namespace) -> int:
    if args.display_path:
        return _display_path(args)
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    import cv2

    from kiosk.measure.bench import BenchOptions, run_bench
    from kiosk.measure.bench_report import format_report

    driver = Path(args.driver_video) if args.driver_video else None
    if driver is not None and not driver.is_file():
        print(f"driver video {driver} does not exist", file=sys.stderr)
        return EXIT_USAGE
    painting = Path(args.painting) if args.painting else None
    if painting is not None and (not painting.is_file() or cv2.imread(str(painting)) is None):
        print(f"painting {painting} is not a readable image", file=sys.stderr)
        return EXIT_USAGE
    options = BenchOptions(
        driver_video=driver,
        painting=painting,
        size=args.size,
        seconds=args.seconds,
        startup_runs=max(0, args.startup_runs),
        startup=args.startup_runs > 0,
        memory=not args.no_memory,
    )
    result = run_bench(options)
    print(format_report(result))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2))
        print(f"\nwrote {args.out}")
    return EXIT_OK


def _display_path(args: argparse.Namespace) -> int:
    """`--display-path`: the window under the environment's SDL video driver."""
    import tempfile

    from kiosk.measure.display_bench import format_display_report, measure_display_paths

    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    driver = Path(args.driver_video) if args.driver_video else None
    if driver is not None and not driver.is_file():
        print(f"driver video {driver} does not exist", file=sys.stderr)
        return EXIT_USAGE
    with tempfile.TemporaryDirectory(prefix="kiosk-display-bench-") as tmp:
        result = measure_display_paths(Path(tmp), driver, args.seconds)
    print(format_display_report(result))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2))
        print(f"\nwrote {args.out}")
    return EXIT_OK
