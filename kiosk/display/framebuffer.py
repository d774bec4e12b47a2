"""Choosing, at start-up, how the window's pixels reach the screen: the faster of SDL's two
window-surface paths, measured on this machine at this size.

SDL backs a window surface either with the video driver's own framebuffer (on X11: shared
memory, XShmPutImage of just the changed rects) or with a texture of its OpenGL renderer,
presented whole on every update. Which is faster depends on the machine: with a GPU driver the
texture may win; under Xvfb, or with Mesa's software OpenGL (llvmpipe), SDL's default chose the
texture and every update, however small, cost a full-frame present (`kiosk bench
--display-path` shows both). So the kiosk opens the window both ways, times a few face-sized
updates on each and keeps the faster. SDL reads SDL_FRAMEBUFFER_ACCELERATION once per start of
its video subsystem (when the first window surface is made), so each try starts the display
afresh. Set that variable to skip the probe.
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections.abc import Callable

import pygame

log = logging.getLogger(__name__)

__all__ = ["FRAMEBUFFER_HINT", "open_fastest"]

FRAMEBUFFER_HINT = "SDL_FRAMEBUFFER_ACCELERATION"
_PATHS = {"1": "SDL's OpenGL texture", "0": "the video driver's framebuffer"}
_PROBE_UPDATES = 6
_NO_PROBE_DRIVERS = ("dummy", "offscreen")
_REOPEN_TRIES = 5
# What the last probe chose (and left in the environment, where SDL reads it): a later window
# of this process (the bench opens several sizes) is probed again, not taken as the operator's.
_chosen: str | None = None


def _update_ms(screen: pygame.Surface) -> float:
    """Median ms of pushing a quarter of the screen (about a face's region), after one flip."""
    w, h = screen.get_size()
    region = pygame.Rect(w // 4, h // 4, w // 2, h // 2)
    screen.fill((0, 0, 0))
    pygame.display.flip()
    samples = []
    for i in range(_PROBE_UPDATES):
        screen.fill((i * 20, 0, 0), region)
        start = time.perf_counter()
        pygame.display.update([region])
        samples.append((time.perf_counter() - start) * 1000.0)
    pygame.event.pump()
    return statistics.median(samples)


def open_fastest(open_window: Callable[[], pygame.Surface]) -> tuple[pygame.Surface, str]:
    """The window `open_window` makes (pygame.display initialised), by the faster framebuffer
    path, and a line that says which path and why (for the log and the run report).

    No probe under the dummy or offscreen driver (nothing reaches a screen) or when
    SDL_FRAMEBUFFER_ACCELERATION is set: then the window is opened once, as asked.
    """
    driver = pygame.display.get_driver()
    if driver in _NO_PROBE_DRIVERS:
        return open_window(), f"{driver} driver"
    global _chosen
    asked = os.environ.get(FRAMEBUFFER_HINT)
    if asked is not None and asked != _chosen:
        name = _PATHS.get(asked, f"{FRAMEBUFFER_HINT}={asked}")
        return open_window(), f"{name} ({FRAMEBUFFER_HINT} set)"
    timings: dict[str, float] = {}
    screen = None
    for value in _PATHS:
        if screen is not None:
            _reopen_display()
        os.environ[FRAMEBUFFER_HINT] = value
        screen = open_window()
        timings[value] = _update_ms(screen)
    best = min(timings, key=lambda v: timings[v])
    if best != value:
        _reopen_display()
        os.environ[FRAMEBUFFER_HINT] = best
        screen = open_window()
    _chosen = best
    measured = ", ".join(f"{_PATHS[v]} {ms:.1f} ms" for v, ms in timings.items())
    return screen, f"{_PATHS[best]} (a quarter-screen update: {measured})"


def _reopen_display() -> None:
    """Close the window and start pygame's display again (fonts, events and the mixer stay).

    A display server under heavy load sometimes refuses the new connection ("x11 not
    available", seen under Xvfb at a load average of 10 on 2 cores): it is tried again."""
    caption = pygame.display.get_caption()
    pygame.display.quit()
    for attempt in range(_REOPEN_TRIES):
        try:
            pygame.display.init()
            break
        except pygame.error:
            if attempt == _REOPEN_TRIES - 1:
                raise
            log.info("display server refused a connection; trying again")
            time.sleep(0.2 * (attempt + 1))
    if caption:
        pygame.display.set_caption(caption[0])
