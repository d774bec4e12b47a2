"""Helpers for the tests of the kiosk window (test_display.py, test_touch_access.py)."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np  # noqa: E402
import pygame  # noqa: E402

from kiosk.config import CuratorConfig, DisplayConfig  # noqa: E402
from kiosk.display import Display  # noqa: E402

CTRL_SHIFT = pygame.KMOD_LCTRL | pygame.KMOD_LSHIFT


def open_display(size: tuple[int, int] = (640, 360), **settings: object) -> Display:
    """A kiosk-mode Display in a window, with config.yaml's defaults for every setting of the
    `display` and `curator` sections a test leaves out."""
    display, curator = DisplayConfig(), CuratorConfig()
    defaults: dict[str, object] = {
        "size": size,
        "fullscreen": False,
        "rotation": display.rotation,
        "kiosk_mode": True,
        "exit_keys": curator.exit_keys,
        "overlay_keys": curator.overlay_keys,
        "show_notice": display.show_notice,
        "curator_pin": curator.pin,
    }
    return Display(**{**defaults, **settings})  # type: ignore[arg-type]


def post_key(key: int, mod: int = 0) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode="", scancode=0))


def blue_painting(
    display: Display, wh: tuple[int, int] = (300, 450)
) -> tuple[np.ndarray, tuple[int, ...]]:
    """A pure blue painting of `wh` fitted to the display, and where it goes."""
    rect = display.fit(wh)
    painting = np.zeros((rect[3], rect[2], 3), np.uint8)
    painting[:] = (255, 0, 0)  # pure blue in BGR
    return painting, rect
