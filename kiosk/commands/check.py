"""`kiosk check`: validate config, exhibits, images, clips and faces offline."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from kiosk.commands import EXIT_OK, EXIT_PROBLEMS, config_path, face_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser("check", help="validate config, exhibits, images and clips")
    check.add_argument(
        "dir", nargs="?", help="a kiosk folder (with config.yaml) or exhibits folder"
    )
    check.add_argument("--no-faces", action="store_true", help="skip face detection")
    check.add_argument(
        "--sheet",
        metavar="DIR",
        help="also write a contact sheet PNG per exhibit into DIR (faces, expressions, turns)",
    )
    check.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    # `kiosk check` prints each problem itself, once; the libraries also log what they find
    # (for the running kiosk's log), which here printed every problem twice more.
    loggers = [logging.getLogger(name) for name in ("kiosk.exhibits", "kiosk.clips")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        return _check(args)
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _check(args: argparse.Namespace) -> int:
    from kiosk.clips.library import load_clip_library
    from kiosk.config import ConfigError, Problem, load_config
    from kiosk.exhibits.check import check_content
    from kiosk.exhibits.samples import ensure_sample_content

    root = Path(args.dir) if args.dir else None
    path = config_path(args.config)
    if args.config is None and root is not None and (root / "config.yaml").is_file():
        path = root / "config.yaml"
    try:
        config = load_config(path)
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
    problems += _speech_problems(config, path)
    if args.sheet:
        problems += _sheet_problems(config, Path(args.sheet))
    elif not args.no_faces:
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
    from kiosk.renderer.engine import make_engine
    from kiosk.renderer.face_rig import NoFaceError

    library = ExhibitLibrary(config.paths.exhibits, config.paths.content, config.limits)
    library.reload()
    problems = []
    engine = make_engine(config.engine)
    try:
        for exhibit in library.exhibits:
            try:
                engine.build_rig(exhibit.image, *face_args(exhibit))
            except NoFaceError as exc:
                problems.append(f"{display_path(exhibit.source_file)}: image: {exc}")
    finally:
        engine.close()
    return problems


def _speech_problems(config, config_file: Path) -> list:
    """Languages without a voice, voices that do not load, text a voice cannot say."""
    from kiosk.config import display_path
    from kiosk.exhibits.library import ExhibitLibrary
    from kiosk.speech.check import check_speech

    library = ExhibitLibrary(config.paths.exhibits, config.paths.content, config.limits)
    library.reload()
    return check_speech(config, display_path(config_file), library.exhibits)


def _sheet_problems(config, out_dir: Path) -> list[str]:
    """Write the contact sheets; print the warnings; return what stops a painting animating."""
    from kiosk.curator.sheet import make_sheets

    problems: list[str] = []
    for result in make_sheets(config, out_dir):
        problems += result.problems
        for warning in result.warnings:
            print(f"CHECK {result.exhibit_id}: {warning}")
    print(f"Contact sheets in {out_dir}")
    return problems
