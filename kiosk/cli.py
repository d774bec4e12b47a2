"""`kiosk` command line: run, check, render."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

EXIT_OK = 0
EXIT_PROBLEMS = 1  # content or config problems (check), or a failed render
EXIT_USAGE = 2


def _config_path(arg: str | None) -> Path:
    return Path(arg) if arg else Path.cwd() / "config.yaml"


def cmd_run(args: argparse.Namespace) -> int:
    if args.headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from kiosk.app import KioskApp, RunOptions
    from kiosk.config import ConfigError, load_config

    try:
        config = load_config(_config_path(args.config))
    except ConfigError as exc:
        print(f"config problem:\n{exc}", file=sys.stderr)
        return EXIT_PROBLEMS
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
    report = KioskApp(config, options).run()
    data = report.to_json()
    print(
        f"kiosk stopped ({data['exit_reason'] or 'closed'}): {data['frames']} frames, "
        f"{data['fps']} fps, {len(data['transitions'])} mode changes"
    )
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError, Problem, load_config
    from kiosk.drivers.library import load_clip_library
    from kiosk.exhibits.check import check_content
    from kiosk.exhibits.samples import ensure_sample_content

    root = Path(args.dir) if args.dir else None
    config_path = _config_path(args.config)
    if args.config is None and root is not None and (root / "config.yaml").is_file():
        config_path = root / "config.yaml"
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"PROBLEM {problem}")
        return EXIT_PROBLEMS
    if root is not None and not (root / "config.yaml").is_file():
        # A bare folder of exhibit files: check it against the configured content.
        paths = config.paths.model_copy(update={"exhibits": root.resolve()})
        config = config.model_copy(update={"paths": paths})
    ensure_sample_content(config.paths.content)
    clips, clip_problems = load_clip_library(config.paths.content / "drivers")
    problems: list[Problem | str] = [*check_content(config, set(clips)), *clip_problems]
    if not args.no_faces:
        problems += _face_problems(config)
    for problem in problems:
        print(f"PROBLEM {problem}")
    if problems:
        print(f"{len(problems)} problem(s) found.")
        return EXIT_PROBLEMS
    print(f"All good: config, exhibits in {config.paths.exhibits}, images and clips.")
    return EXIT_OK


def _face_problems(config) -> list[str]:
    """Paintings the face detector cannot rig are reported by file."""
    from kiosk.config import display_path
    from kiosk.exhibits.library import ExhibitLibrary
    from kiosk.renderer.engine import GeometricEngine
    from kiosk.renderer.rig import NoFaceError

    library = ExhibitLibrary(config.paths.exhibits, config.paths.content, config.limits)
    library.reload()
    problems = []
    engine = GeometricEngine()
    try:
        for exhibit in library.exhibits:
            try:
                engine.build_rig(exhibit.image, exhibit.spec.face.choose, exhibit.spec.face.index)
            except NoFaceError as exc:
                problems.append(f"{display_path(exhibit.source_file)}: image: {exc}")
    finally:
        engine.close()
    return problems


def cmd_render(args: argparse.Namespace) -> int:
    import cv2

    from kiosk.offline import render_video
    from kiosk.renderer.rig import NoFaceError

    face_choose, face_index = "largest", 0
    if args.exhibit:
        from kiosk.config import load_config
        from kiosk.exhibits.library import ExhibitLibrary

        config = load_config(_config_path(args.config))
        from kiosk.exhibits.samples import ensure_sample_content

        ensure_sample_content(config.paths.content)
        library = ExhibitLibrary(config.paths.exhibits, config.paths.content, config.limits)
        library.reload()
        exhibit = library.get(args.exhibit)
        if exhibit is None:
            known = ", ".join(e.id for e in library.exhibits) or "none"
            print(f"no exhibit with id '{args.exhibit}' (known: {known})", file=sys.stderr)
            return EXIT_PROBLEMS
        image = exhibit.image
        face_choose, face_index = exhibit.spec.face.choose, exhibit.spec.face.index
    else:
        image = cv2.imread(args.image)
        if image is None:
            print(f"cannot read image {args.image}", file=sys.stderr)
            return EXIT_PROBLEMS
    if not Path(args.driver_video).is_file():
        print(f"driver video not found: {args.driver_video}", file=sys.stderr)
        return EXIT_PROBLEMS
    try:
        summary = render_video(image, Path(args.driver_video), Path(args.out), face_choose, face_index)
    except NoFaceError as exc:
        print(f"{args.image or args.exhibit}: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    w, h = summary.size
    print(
        f"wrote {args.out}: {summary.frames} frames, {w}x{h}, {summary.fps:g} fps"
        f" ({summary.frames_without_driver_face} driver frames without a face)"
    )
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description=__doc__)
    parser.add_argument("--config", help="config file (default: ./config.yaml)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

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

    check = sub.add_parser("check", help="validate config, exhibits, images and clips")
    check.add_argument("dir", nargs="?", help="a kiosk folder (with config.yaml) or exhibits folder")
    check.add_argument("--no-faces", action="store_true", help="skip face detection")
    check.set_defaults(func=cmd_check)

    render = sub.add_parser("render", help="drive an image with a video, to an MP4")
    what = render.add_mutually_exclusive_group(required=True)
    what.add_argument("--image")
    what.add_argument("--exhibit")
    render.add_argument("--driver-video", required=True)
    render.add_argument("--out", required=True)
    render.set_defaults(func=cmd_render)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
