"""`kiosk eval`: measure animation quality on folders of portraits and driver videos."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from kiosk.commands import EXIT_OK, EXIT_PROBLEMS

DEFAULT_DATA = Path("..") / "shared" / "data"


def add_parser(sub: argparse._SubParsersAction) -> None:
    ev = sub.add_parser("eval", help="render and measure animation quality (JSON + PNG)")
    ev.add_argument(
        "--portraits",
        default=str(DEFAULT_DATA / "portraits"),
        help="folder of portrait images to animate (default: the shared test data)",
    )
    ev.add_argument(
        "--drivers",
        default=str(DEFAULT_DATA / "drivers"),
        help="folder of driver videos (default: the shared test data)",
    )
    ev.add_argument("--out", default="eval-out", help="folder for eval.json and contact sheets")
    ev.add_argument("--max-frames", type=int, help="use at most this many frames per video")
    ev.add_argument("--skip-cross", action="store_true", help="skip cross-reenactment (slow)")
    ev.add_argument(
        "--parts",
        help="comma-separated parts to run, of: self, cross, stillness, sheets, looks "
        "(default: all)",
    )
    ev.add_argument(
        "--mouth-interior",
        choices=("visitor", "drawn"),
        help="what shows in an open mouth: the driver's own mouth (as a visitor's in live "
        "mode) or the drawn interior (default: config's engine.mouth_interior_source default)",
    )
    ev.set_defaults(func=cmd_eval)


def cmd_eval(args: argparse.Namespace) -> int:
    from kiosk.evaluation.run import PARTS, EvalOptions, run_eval

    portraits, drivers = Path(args.portraits), Path(args.drivers)
    for folder in (portraits, drivers):
        if not folder.is_dir():
            print(f"folder not found: {folder}")
            return EXIT_PROBLEMS
    out = Path(args.out)
    parts = PARTS
    if args.parts:
        parts = tuple(p.strip() for p in args.parts.split(",") if p.strip())
        unknown = sorted(set(parts) - set(PARTS))
        if unknown:
            print(f"--parts: unknown part {', '.join(unknown)}; use some of: {', '.join(PARTS)}")
            return EXIT_PROBLEMS
    options = EvalOptions(portraits, drivers, out, args.max_frames, args.skip_cross, parts)
    if args.mouth_interior:
        options.mouth_interior_source = args.mouth_interior
    report = run_eval(options, progress=lambda msg: print(msg, flush=True))
    data = asdict(report)
    (out / "eval.json").write_text(json.dumps(data, indent=2, default=float))
    _print_summary(data)
    print(f"wrote {out / 'eval.json'}")
    return EXIT_OK


def _print_summary(data: dict) -> None:
    mean = data["self_reenactment"].get("mean", {})
    for key, row in mean.items():
        print(f"self-reenactment {key:5s}: ours {row['ours']:.4f}  static {row['static']:.4f}"
              f"  ratio {row['ratio']}")  # fmt: skip
    cross = data["cross_reenactment"].get("mean", {})
    if cross:
        print(
            "cross-reenactment mean correlation: " + ", ".join(f"{k} {v}" for k, v in cross.items())
        )
        fitted = data["cross_reenactment"]["roll_fitted"]
        print(
            f"roll (fitted head roll, drivers with roll std >= 1.5 deg): {fitted['mean']} over "
            f"{fitted['pairs_counted']} pairs ({', '.join(fitted['drivers_counted'])})"
        )
        amplitude = data["cross_reenactment"]["amplitude_ratio_median"]
        print(
            "amplitude ratio, output over driver (median over pairs): "
            + ", ".join(f"{k} {v}" for k, v in amplitude.items())
        )
        ceiling = data["cross_reenactment"]["roll_if_head_roll_copied_exactly"]
        print(
            f"roll if the driver's head roll were copied exactly: {ceiling['mean']} (by driver: "
            + ", ".join(f"{k} {v}" for k, v in ceiling["drivers"].items())
            + ")"
        )
    if data["stillness"]:
        print(f"stillness: {data['stillness']}")
    if data["background"]:
        print(f"background: {data['background']}")
    if data["looks"]:
        print(f"looks: {data['looks']}")
