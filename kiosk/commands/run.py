"""`kiosk run`: the kiosk itself."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from kiosk.commands import EXIT_OK, config_path

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="start the kiosk")
    run.add_argument("--windowed", action="store_true", help="a window; Escape quits")
    run.add_argument("--headless", action="store_true", help="no screen (SDL dummy driver)")
    source = run.add_mutually_exclusive_group()
    source.add_argument("--camera", type=int, help="camera device index")
    source.add_argument("--driver-video", help="a video file to use as the camera (loops)")
    source.add_argument("--synthetic-camera", action="store_true",
                        help="a moving sample portrait instead of a camera")  # fmt: skip
    source.add_argument("--no-camera", action="store_true", help="idle loops only")
    run.add_argument("--frames", type=int, help="stop after this many displayed frames")
    run.add_argument("--report", help="write a JSON run report here")
    run.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    if args.headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from kiosk.app import KioskApp, RunOptions
    from kiosk.config import ConfigError, load_config
    from kiosk.ops import (
        CONFIG_RETRY_DELAY_S,
        EXIT_CONFIG,
        EXIT_CRASH,
        install_signal_handlers,
    )
    from kiosk.ops.logs import setup_logging
    from kiosk.ops.sdnotify import Notifier, report_startup_failure

    try:
        config = load_config(config_path(args.config))
    except ConfigError as exc:
        print(f"config problem:\n{exc}", file=sys.stderr)
        # Under systemd, say why in `systemctl status` and wait before the restart.
        report_startup_failure(Notifier(), str(exc.problems[0]), CONFIG_RETRY_DELAY_S)
        return EXIT_CONFIG
    ops = config.ops
    setup_logging(
        None if args.headless else ops.log_dir,
        "DEBUG" if args.verbose else ops.log_level,
        max_bytes=ops.log_max_bytes,
        backups=ops.log_backups,
    )
    options = RunOptions(
        windowed=args.windowed,
        headless=args.headless,
        camera=args.camera,
        driver_video=Path(args.driver_video) if args.driver_video else None,
        synthetic_camera=args.synthetic_camera,
        no_camera=args.no_camera,
        max_frames=args.frames,
        report=Path(args.report) if args.report else None,
    )
    try:
        app = KioskApp(config, options)
        restore = install_signal_handlers(app.request_stop)
        try:
            report = app.run()
        finally:
            restore()
    except Exception:
        log.exception("the kiosk crashed")
        return EXIT_CRASH
    data = report.to_json()
    print(
        f"kiosk stopped ({data['exit_reason'] or 'closed'}): {data['frames']} frames, "
        f"{data['fps']} fps, {len(data['transitions'])} mode changes"
    )
    return EXIT_OK
