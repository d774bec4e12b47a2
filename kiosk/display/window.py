"""The kiosk window: presents the animated painting with overlays and turns input into actions.

`rotation` serves portrait-mounted screens: everything is drawn on a logical surface of the
rotated size and rotated once when presented (only when rotation != 0, so the common path
stays a single blit).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pygame

from kiosk.display.fit import fit_rect
from kiosk.display.gestures import Action, GestureRecognizer, Hotspot
from kiosk.display.keys import KeyCombo
from kiosk.display.overlay import OverlayRenderer, OverlayState

log = logging.getLogger(__name__)

RELOAD_KEYS = "ctrl+r"
_ROTATIONS = (0, 90, 180, 270)


def physical_to_logical(u: float, v: float, rotation: int) -> tuple[float, float]:
    """Map a normalised physical-screen point to the logical (unrotated) surface.

    The logical surface is shown rotated counter-clockwise by `rotation` degrees
    (pygame.transform.rotate), so this applies the inverse rotation.
    """
    if rotation == 90:
        return 1.0 - v, u
    if rotation == 180:
        return 1.0 - u, 1.0 - v
    if rotation == 270:
        return v, 1.0 - u
    return u, v


class Display:
    """A pygame-ce window (fullscreen on the kiosk) showing one painting and its overlays."""

    def __init__(
        self,
        size: tuple[int, int] = (1920, 1080),
        fullscreen: bool = True,
        rotation: int = 0,
        kiosk_mode: bool = True,
        exit_keys: str = "ctrl+shift+q",
        overlay_keys: str = "ctrl+shift+c",
        show_notice: bool = True,
        *,
        headless: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rotation not in _ROTATIONS:
            raise ValueError(f"display rotation must be one of {_ROTATIONS}, got {rotation}")
        # Parse before opening the window so a config typo fails fast with a clear message.
        self._exit = KeyCombo.parse(exit_keys)
        self._curator = KeyCombo.parse(overlay_keys)
        self._reload = KeyCombo.parse(RELOAD_KEYS)
        self.rotation, self.kiosk_mode, self.show_notice = rotation, kiosk_mode, show_notice
        if not show_notice:
            log.warning(
                "on-screen camera notice disabled by config: make sure the exhibit "
                "shows visitors another notice that the camera image is never stored"
            )
        self._clock = clock
        if headless:
            os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
            os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        pygame.display.init()
        pygame.font.init()
        pygame.display.set_caption("Portrait Kiosk")
        # Fullscreen takes the desktop's own resolution, whatever size the config names.
        self._screen = pygame.display.set_mode(
            (0, 0) if fullscreen else size, pygame.FULLSCREEN if fullscreen else 0
        )
        pw, ph = self._screen.get_size()
        self._logical_size = (pw, ph) if rotation in (0, 180) else (ph, pw)
        self._canvas = self._screen if rotation == 0 else pygame.Surface(self._logical_size)
        if kiosk_mode:
            pygame.mouse.set_visible(False)
        self._overlay = OverlayRenderer(self._logical_size)
        lw, lh = self._logical_size
        self._gestures = GestureRecognizer(
            hotspots=[
                Hotspot(r.x / lw, r.y / lh, r.w / lw, r.h / lh, action)
                for r, action in self._overlay.hotspots()
            ]
        )
        self._fingers: set[int] = set()
        self._primary_finger: int | None = None
        self._closed = False

    # -- geometry -----------------------------------------------------------------------

    @property
    def size(self) -> tuple[int, int]:
        """Physical window size in pixels."""
        return self._screen.get_size()

    @property
    def logical_size(self) -> tuple[int, int]:
        """The size paintings are fitted to (the physical size swapped for 90/270)."""
        return self._logical_size

    @property
    def overlay(self) -> OverlayRenderer:
        return self._overlay

    def fit(self, image_wh: tuple[int, int]) -> tuple[int, int, int, int]:
        """`fit_rect` of a painting on this display's logical size."""
        return fit_rect(image_wh, self._logical_size)

    # -- drawing ------------------------------------------------------------------------

    def present(self, painting_bgr: np.ndarray, overlay: OverlayState) -> None:
        """Show a painting (already at its fitted size, BGR uint8) centred, with overlays."""
        if painting_bgr.ndim != 3 or painting_bgr.shape[2] != 3 or painting_bgr.dtype != np.uint8:
            raise ValueError(
                f"painting must be H x W x 3 uint8 BGR, got {painting_bgr.shape} "
                f"{painting_bgr.dtype}"
            )
        pixels = np.ascontiguousarray(painting_bgr)  # no copy on the usual (contiguous) path
        h, w = pixels.shape[:2]
        image = pygame.image.frombuffer(pixels, (w, h), "BGR")
        lw, lh = self._logical_size
        self._canvas.fill((0, 0, 0))
        painting = self._canvas.blit(image, ((lw - w) // 2, (lh - h) // 2))
        if not self.show_notice and overlay.camera_on:
            overlay = replace(overlay, camera_on=False)
        self._overlay.draw(self._canvas, overlay, painting)
        if self.rotation:
            self._screen.blit(pygame.transform.rotate(self._canvas, self.rotation), (0, 0))
        pygame.display.flip()

    def screenshot(self, path: str | Path) -> None:
        """Save what is on screen (a rendered painting, never a camera frame)."""
        pygame.image.save(self._screen, str(path))

    # -- input --------------------------------------------------------------------------

    def poll_actions(self) -> list[Action]:
        """Drain pending events into actions; ACTIVITY (at most once) comes first."""
        actions: list[Action] = []
        activity = False
        for event in pygame.event.get():
            if event.type in (
                pygame.KEYDOWN,
                pygame.FINGERDOWN,
                pygame.FINGERUP,
                pygame.FINGERMOTION,
                pygame.MOUSEBUTTONDOWN,
                pygame.MOUSEBUTTONUP,
            ):
                activity = True
            action = self._action_for(event)
            if action is not None:
                actions.append(action)
        return ([Action.ACTIVITY] if activity else []) + actions

    def _action_for(self, event: pygame.event.Event) -> Action | None:
        if event.type in (pygame.QUIT, pygame.WINDOWCLOSE):
            return None if self.kiosk_mode else Action.QUIT
        if event.type == pygame.KEYDOWN:
            return self._key_action(event.key, event.mod)
        if event.type in (pygame.FINGERDOWN, pygame.FINGERUP):
            return self._finger_action(event)
        if event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
            if event.button != 1 or getattr(event, "touch", False):
                return None  # touch arrives as FINGER events; ignore SDL's mouse emulation
            w, h = self.size
            u, v = physical_to_logical(event.pos[0] / w, event.pos[1] / h, self.rotation)
            if event.type == pygame.MOUSEBUTTONDOWN:
                self._gestures.down(u, v, self._clock())
                return None
            return self._gestures.up(u, v, self._clock())
        return None

    def _key_action(self, key: int, mod: int) -> Action | None:
        if self._exit.matches(key, mod):
            return Action.QUIT
        if self._curator.matches(key, mod):
            return Action.TOGGLE_CURATOR
        if self._reload.matches(key, mod):
            return Action.RELOAD
        if key == pygame.K_ESCAPE:
            return None if self.kiosk_mode else Action.QUIT
        return {
            pygame.K_RIGHT: Action.NEXT,
            pygame.K_LEFT: Action.PREVIOUS,
            pygame.K_SPACE: Action.TOGGLE_LABEL,
        }.get(key)

    def _finger_action(self, event: pygame.event.Event) -> Action | None:
        u, v = physical_to_logical(event.x, event.y, self.rotation)
        if event.type == pygame.FINGERDOWN:
            if not self._fingers:
                self._primary_finger = event.finger_id
                self._gestures.down(u, v, self._clock())
            else:
                self._gestures.cancel()  # multi-finger touches are not gestures here
            self._fingers.add(event.finger_id)
            return None
        self._fingers.discard(event.finger_id)
        if event.finger_id != self._primary_finger:
            return None
        self._primary_finger = None
        return self._gestures.up(u, v, self._clock())

    # -- lifetime -----------------------------------------------------------------------

    def close(self) -> None:
        """Close the window and shut pygame down (idempotent)."""
        if not self._closed:
            self._closed = True
            pygame.display.quit()
            pygame.quit()

    def __enter__(self) -> Display:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
