"""`kiosk run`: the kiosk itself.

Start-up in order: the signal handlers (so that a stop at any moment is clean), config.yaml,
the slow imports, the logs, the app, the loop. A problem a person must fix (config, content,
the log folder) exits EXIT_CONFIG with one message and no traceback; only the unexpected
exits EXIT_CRASH. The exit codes and what each signal does are in kiosk.ops.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.commands import config_path
from kiosk.ops import (
    CONFIG_RETRY_DELAY_S,
    EXIT_CONFIG,
    EXIT_CRASH,
    EXIT_OK,
    StopFlag,
    install_signal_handlers,
)

if TYPE_CHECKING:
    from kiosk.config import KioskConfig
    from kiosk.runtime.options import RunReport

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
    run.add_argument("--record", metavar="OUT.mp4",
                     help="write what the screen shows to an MP4 at the display rate (only "
                          "with --driver-video, --synthetic-camera or --no-camera)")  # fmt: skip
    run.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    # First thing, before the slow imports (mediapipe takes seconds): from here on a stop
    # signal only records its reason, and start-up skips what is left to build.
    stop = StopFlag()
    restore = install_signal_handlers(stop)
    try:
        return _start_and_run(args, stop)
    finally:
        restore()


def _start_and_run(args: argparse.Namespace, stop: StopFlag) -> int:
    if args.headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from kiosk.config import ConfigError, ContentError, load_config

    config_file = config_path(args.config)
    try:
        config = load_config(config_file)
    except ConfigError as exc:
        return _cannot_start("config problem", exc, str(exc.problems[0]), stop)

    from kiosk.exhibits.samples import SampleContentError
    from kiosk.runtime.options import RunOptions, RunReport
    from kiosk.runtime.wiring import build_kiosk

    options = RunOptions(
        windowed=args.windowed,
        headless=args.headless,
        camera=args.camera,
        driver_video=Path(args.driver_video) if args.driver_video else None,
        synthetic_camera=args.synthetic_camera,
        no_camera=args.no_camera,
        max_frames=args.frames,
        report=Path(args.report) if args.report else None,
        record=Path(args.record) if args.record else None,
    )
    if options.record is not None and options.live_camera:
        from kiosk.display.recorder import REFUSED_WITH_LIVE_CAMERA

        print(f"cannot record:\n{REFUSED_WITH_LIVE_CAMERA}", file=sys.stderr)
        return EXIT_CONFIG
    if stop:  # asked to stop while starting: nothing is built, nothing to close
        report = RunReport(exit_reason=stop.reason)
        if options.report is not None:
            options.report.write_text(json.dumps(report.to_json(), indent=2))
        return _stopped(report)
    try:
        _setup_logging(config, args, config_file)
    except ConfigError as exc:
        return _cannot_start("config problem", exc, str(exc.problems[0]), stop)
    try:
        kiosk = build_kiosk(config, options)
    except ContentError as exc:
        return _cannot_start("content problem", exc, str(exc.problems[0]), stop)
    except SampleContentError as exc:
        return _cannot_start("content problem", exc, str(exc), stop)
    except Exception:
        log.exception("the kiosk crashed while starting")
        return EXIT_CRASH
    stop.forward_to(kiosk.request_stop)  # a stop during construction ends run() at once
    try:
        report = kiosk.run()
    except Exception:
        log.exception("the kiosk crashed")
        return EXIT_CRASH
    return _stopped(report)


def _setup_logging(config: KioskConfig, args: argparse.Namespace, config_file: Path) -> None:
    """The rotating logs (console only when headless); a log folder the kiosk cannot write is
    a ConfigError on ops.log_dir."""
    from kiosk.config import ConfigError, display_path
    from kiosk.ops.logs import setup_logging

    ops = config.ops
    log_dir = None if args.headless else ops.log_dir
    try:
        setup_logging(
            log_dir,
            "DEBUG" if args.verbose else ops.log_level,
            max_bytes=ops.log_max_bytes,
            backups=ops.log_backups,
        )
    except OSError as exc:
        setup_logging(None, ops.log_level)  # the console at least
        raise ConfigError(
            config_file,
            "ops.log_dir",
            f"cannot write the logs in {display_path(log_dir)} ({exc.strerror or exc}); make "
            "that folder writable by the kiosk's user, choose another one, or set "
            "log_dir: null (console and journal only)",
        ) from exc


def _cannot_start(kind: str, exc: Exception, status: str, stop: StopFlag) -> int:
    """A problem a person must fix: say it once, and under systemd show it in `systemctl
    status` and wait before exiting, so that the restarts are a slow retry. A stop signal
    cuts the wait short."""
    from kiosk.ops.sdnotify import Notifier, report_startup_failure

    print(f"{kind}:\n{exc}", file=sys.stderr)
    if not stop:
        report_startup_failure(Notifier(), status, CONFIG_RETRY_DELAY_S, sleep=stop.wait)
    return EXIT_CONFIG


def _stopped(report: RunReport) -> int:
    """The line that says the kiosk stopped, and why."""
    data = report.to_json()
    print(
        f"kiosk stopped ({data['exit_reason'] or 'closed'}): {data['frames']} frames, "
        f"{data['fps']} fps ({data['presented_fps']} presented, {data['new_frames_fps']} new "
        f"painting frames a second), {len(data['transitions'])} mode changes"
    )
    return EXIT_OK
