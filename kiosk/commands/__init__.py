"""Subcommands of `kiosk`: one module each, found automatically.

A module here that defines `add_parser(subparsers)` becomes a subcommand; its parser sets
`func`, which gets the parsed arguments and returns the exit code.
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_PROBLEMS = 1  # content or config problems, or a failed render
EXIT_USAGE = 2


def config_path(arg: str | None) -> Path:
    """The --config argument, or ./config.yaml."""
    return Path(arg) if arg else Path.cwd() / "config.yaml"
