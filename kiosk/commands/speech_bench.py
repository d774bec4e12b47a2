"""`kiosk speech-bench`: synthesis time, display frames while synthesising, Listen latency."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kiosk.commands import EXIT_OK


def add_parser(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser(
        "speech-bench", help="speech: synthesis time, frames while synthesising, Listen latency"
    )
    bench.add_argument("--labels", type=int, default=3, help="labels synthesised (default 3)")
    bench.add_argument("--taps", type=int, default=10, help="Listen taps timed (default 10)")
    bench.add_argument("--out", help="write the results as JSON here")
    bench.set_defaults(func=cmd_speech_bench)


def cmd_speech_bench(args: argparse.Namespace) -> int:
    import os

    from kiosk.headless import use_headless_sdl
    from kiosk.measure.speech_bench import headline, run_speech_bench

    use_headless_sdl()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    result = run_speech_bench(labels=args.labels, taps=args.taps)
    for line in headline(result):
        print(line)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2))
    return EXIT_OK
