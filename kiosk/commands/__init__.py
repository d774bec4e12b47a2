"""Subcommands of `kiosk`: one module each, found automatically.

A module here that defines `add_parser(subparsers)` becomes a subcommand; its parser sets
`func`, which gets the parsed arguments and returns the exit code.
"""

from __future__ import annotations

from pathlib import Path

# The exit codes are one table, in kiosk.ops; the subcommands know code 1 as EXIT_PROBLEMS
# (content or config problems found, or a failed render: a person must fix something).
from kiosk.ops import EXIT_CONFIG as EXIT_PROBLEMS  # noqa: F401 (re-exported)
from kiosk.ops import EXIT_OK, EXIT_USAGE  # noqa: F401 (re-exported)


def config_path(arg: str | None) -> Path:
    """The --config argument, or ./config.yaml."""
    return Path(arg) if arg else Path.cwd() / "config.yaml"


def find_exhibit(config_arg: str | None, exhibit_id: str):
    """The loaded exhibit `exhibit_id` from the configured library, or None after printing
    which ids exist and what is wrong with the content. Config problems raise ConfigError."""
    import sys

    from kiosk.config import load_config
    from kiosk.exhibits.library import ExhibitLibrary
    from kiosk.exhibits.samples import ensure_sample_content

    config = load_config(config_path(config_arg))
    ensure_sample_content(config.paths.content)
    library = ExhibitLibrary(config.paths.exhibits, config.paths.content, config.limits)
    library.reload()
    exhibit = library.get(exhibit_id)
    if exhibit is None:
        known = ", ".join(e.id for e in library.exhibits) or "none"
        print(f"no exhibit with id '{exhibit_id}' (known: {known})", file=sys.stderr)
        for problem in library.problems:
            print(f"PROBLEM {problem}", file=sys.stderr)
    return exhibit


def face_args(exhibit) -> tuple:
    """(choose, index, box, corrections) of an exhibit's face, as GeometricEngine.build_rig
    takes them: every command that animates an exhibit animates the face the curator chose,
    where they hinted it and as they corrected it."""
    face = exhibit.spec.face
    return face.choose, face.index, face.box, exhibit.corrections
