"""The font speech widgets write in: DejaVu Sans, shipped in Matplotlib's wheel (a kiosk
dependency) under the DejaVu/Bitstream Vera licence, which allows shipping it. It covers
Latin, Greek and Cyrillic, so captions in those languages never show empty boxes, whatever
fonts the kiosk PC has installed."""

from __future__ import annotations

import importlib.util
import logging
from functools import lru_cache
from pathlib import Path

import pygame

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def dejavu_path(bold: bool = False) -> Path | None:
    """DejaVu Sans inside the installed Matplotlib (found without importing it)."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf" / name
    return path if path.is_file() else None


class SpeechFonts:
    """DejaVu Sans at any size, kept (a handful of sizes are used)."""

    def __init__(self) -> None:
        self._fonts: dict[tuple[int, bool], pygame.font.Font] = {}

    def get(self, px: int, bold: bool = False) -> pygame.font.Font:
        key = (px, bold)
        if key not in self._fonts:
            path = dejavu_path(bold)
            if path is None:  # no Matplotlib: pygame's own font (Latin, Greek, Cyrillic too)
                log.info("DejaVu Sans not found; captions use pygame's default font")
            self._fonts[key] = pygame.font.Font(str(path) if path else None, px)
        return self._fonts[key]
