"""`kiosk soak`: a long headless run with exhibit churn and camera faults (leak hunting)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from kiosk.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE


def add_parser(sub: argparse._SubParsersAction) -> None:
    soak = sub.add_parser(
        "soak",
        help="run the real loop headless for many frames, churning exhibits and faulting the "
        "camera; report memory, fd and thread growth",
    )
    soak.add_argument("--frames", type=int, default=100_000, help="displayed frames (100000)")
    soak.add_argument("--out", help="write the JSON report here (rewritten at every sample)")
    soak.add_argument("--sample-every", type=int, default=1000, help="frames between samples")
    soak.add_argument("--warmup", type=int, help="warm-up frames (default: a tenth, >= 500)")
    soak.add_argument("--fault-phase", type=float, default=6.0, help="seconds per camera phase")
    soak.add_argument("--churn-every", type=float, default=0.5, help="seconds between edits")
    soak.add_argument("--fps", type=float, default=60.0, help="loop pace; 0 = unpaced")
    soak.add_argument(
        "--seed", type=int, default=0, help="seed of the random exhibit churn and faults"
    )
    soak.set_defaults(func=cmd_soak)


def cmd_soak(args: argparse.Namespace) -> int:
    if args.frames <= 0 or args.sample_every <= 0 or args.fault_phase <= 0:
        print("--frames, --sample-every and --fault-phase must be positive")
        return EXIT_USAGE
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from kiosk.measure.soak import SoakOptions, run_soak

    options = SoakOptions(
        frames=args.frames,
        out=Path(args.out) if args.out else None,
        sample_every=args.sample_every,
        warmup_frames=args.warmup,
        churn_every_s=args.churn_every,
        fault_phase_s=args.fault_phase,
        fps=args.fps,
        seed=args.seed,
    )
    report = run_soak(options)
    keys = (
        "status", "frames", "elapsed_s", "fps", "rss_growth_after_warmup_pct",
        "fd_growth_after_warmup", "thread_growth_after_warmup", "verdict",
    )  # fmt: skip
    print(json.dumps({k: report.get(k) for k in keys}, indent=1))
    for name in ("start", "after_warmup", "end", "after_close"):
        print(f"{name}: {report.get(name)}")
    return EXIT_OK if report["verdict"]["ok"] else EXIT_PROBLEMS
