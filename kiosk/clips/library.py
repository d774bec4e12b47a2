"""The clips the director can play: built-in ones shipped with the package, plus curators' own
clips in `content/drivers/*.yaml` (a curator clip with a built-in's name replaces it)."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from kiosk.clips.clip import Clip, ClipError, load_clip, parse_clip

log = logging.getLogger(__name__)


def builtin_clips() -> dict[str, Clip]:
    import yaml

    clips: dict[str, Clip] = {}
    folder = resources.files("kiosk.clips") / "library"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            name = entry.name.removesuffix(".yaml")
            clip = parse_clip(
                yaml.safe_load(entry.read_text(encoding="utf-8")), f"built-in {entry.name}"
            )
            clips[name] = clip
    return clips


def load_clip_library(drivers_dir: Path | None) -> tuple[dict[str, Clip], list[str]]:
    """All clips by file stem, and the problems found in curators' clip files."""
    clips = builtin_clips()
    problems: list[str] = []
    if drivers_dir is not None and drivers_dir.is_dir():
        for path in sorted(drivers_dir.glob("*.yaml")):
            if path.name.startswith("."):
                continue
            try:
                clips[path.stem] = load_clip(path)
            except ClipError as exc:
                problems.append(str(exc))
                log.warning("driver clip skipped: %s", exc)
    return clips, problems
