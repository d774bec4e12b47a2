"""Offline validation of config and content (`kiosk check`), without starting the kiosk."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kiosk.config import ConfigError, KioskConfig, Problem, display_path, load_config
from kiosk.exhibits.library import ExhibitLibrary


def check_content(config: KioskConfig, known_clips: Iterable[str] = ()) -> list[Problem]:
    """Every problem in the exhibit files, their images and their idle clips.

    A clip exists if it is built in (known_clips) or as content/drivers/<clip>.yaml.
    """
    library = ExhibitLibrary(config.paths.exhibits, config.paths.content, config.limits)
    library.reload()
    problems = library.problems
    drivers = config.paths.content / "drivers"
    builtin = set(known_clips)
    for exhibit in library.exhibits:
        for i, item in enumerate(exhibit.spec.idle.playlist):
            if item.clip in builtin or (drivers / f"{item.clip}.yaml").is_file():
                continue
            choices = ", ".join(sorted(builtin)) or "none"
            problems.append(
                Problem(
                    display_path(exhibit.source_file),
                    f"idle.playlist[{i}].clip",
                    f"unknown clip '{item.clip}'; use a built-in clip ({choices}) "
                    f"or add {display_path(drivers / (item.clip + '.yaml'))}",
                )
            )
    return problems


def check_all(config_path: Path | None, known_clips: Iterable[str] = ()) -> list[Problem]:
    """Load the config, then check the content it points to; config problems stop there."""
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        return exc.problems
    return check_content(config, known_clips)
