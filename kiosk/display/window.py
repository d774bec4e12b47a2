"""The kiosk window: presents the animated painting with overlays and turns input into actions.

`rotation` serves portrait-mounted screens: everything is drawn on a logical surface of the
rotated size; `kiosk.display.presenter` pushes only what changed (rotating just those regions).

Nothing but the configured curator combinations leaves kiosk mode: the key chords, or on a
touch screen a long press in the top-left corner followed by the curator PIN, which opens the
curator panel with its own buttons (reload, previous, next, close, quit with confirmation).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import astuple, replace
from functools import partial
from pathlib import Path

import cv2
import numpy as np
import pygame

from kiosk.display.curator_access import CANCEL, OK, AccessView, ConfirmTap, PinPad
from kiosk.display.fit import fit_rect
from kiosk.display.framebuffer import open_fastest
from kiosk.display.gestures import LONG_PRESS_S, Action, GestureRecognizer, Hotspot, LongPress
from kiosk.display.keys import KeyCombo
from kiosk.display.overlay import OverlayRenderer, OverlayState
from kiosk.display.presenter import EVERYTHING, Damage, Presenter, physical_to_logical
from kiosk.display.wall import Wall
from kiosk.stats import StageTimes

log = logging.getLogger(__name__)

__all__ = ["Display", "physical_to_logical"]

RELOAD_KEYS = "ctrl+r"
_ROTATIONS = (0, 90, 180, 270)
_ACTIVITY_EVENTS = (
    pygame.KEYDOWN,
    pygame.FINGERDOWN,
    pygame.FINGERUP,
    pygame.FINGERMOTION,
    pygame.MOUSEBUTTONDOWN,
    pygame.MOUSEBUTTONUP,
)
# The window's content was lost or resized: the next frame is drawn whole.
_REDRAW_EVENTS = (pygame.VIDEOEXPOSE, pygame.WINDOWEXPOSED, pygame.WINDOWSIZECHANGED)
_PAD_DIGIT_KEYS = {
    **{getattr(pygame, f"K_{d}"): str(d) for d in range(10)},
    **{getattr(pygame, f"K_KP{d}"): str(d) for d in range(10)},
}


class Display:
    """A pygame-ce window (fullscreen on the kiosk) showing one painting and its overlays.

    Its settings come from config.yaml (`display` and `curator`), passed by the caller: none
    has a default here. `curator_pin` guards the corner long press (held `long_press_s`
    seconds). None means no touch access in kiosk mode (keyboard chord only); in a development
    window the long press then opens the curator panel directly, with no PIN: never on a
    public floor. `times`, if given, records the milliseconds of drawing the overlays of each
    frame as the stage "overlays".
    """

    def __init__(
        self,
        *,
        size: tuple[int, int],
        fullscreen: bool,
        rotation: int,
        kiosk_mode: bool,
        exit_keys: str,
        overlay_keys: str,
        show_notice: bool,
        curator_pin: str | None,
        headless: bool = False,
        clock: Callable[[], float] = time.monotonic,
        long_press_s: float = LONG_PRESS_S,
        times: StageTimes | None = None,
    ) -> None:
        if rotation not in _ROTATIONS:
            raise ValueError(f"display rotation must be one of {_ROTATIONS}, got {rotation}")
        # Parse before opening the window so a config typo fails fast with a clear message.
        self._exit = KeyCombo.parse(exit_keys)
        self._curator = KeyCombo.parse(overlay_keys)
        self._reload = KeyCombo.parse(RELOAD_KEYS)
        self._pad = PinPad(curator_pin) if curator_pin is not None else None
        if curator_pin is None and kiosk_mode:
            log.warning(
                "no curator PIN configured: the touch screen's corner long press is off and "
                "only the keyboard chord opens the curator panel; set curator.pin to enable it"
            )
        self.rotation, self.kiosk_mode, self.show_notice = rotation, kiosk_mode, show_notice
        if not show_notice:
            log.warning(
                "on-screen camera notice disabled by config: make sure the exhibit "
                "shows visitors another notice that the camera image is never stored"
            )
        self._clock = clock
        self._times = times
        self._wall = Wall()
        self._open_window(size, fullscreen, headless)
        self._overlay = OverlayRenderer(self._logical_size)
        self._gestures, self._long_press = self._touch_input(long_press_s)
        self._quit_confirm = ConfirmTap()
        self._curator_visible = False  # from the OverlayState last presented
        self._pressed: str | Action | None = None  # the pad key or panel button pressed
        self._speech_pressed: str | None = None  # the speech button pressed
        # The speech button of the last Action.SPEECH: "listen", "stop", "lang:CODE", or
        # "toggle" (the L key: listen, or stop while speaking).
        self.speech_tapped: str | None = None
        self._fingers: set[int] = set()
        self._primary_finger: int | None = None
        self._closed = False

    def _open_window(self, size: tuple[int, int], fullscreen: bool, headless: bool) -> None:
        if headless:
            os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
            os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        pygame.display.init()
        pygame.font.init()
        pygame.display.set_caption("Portrait Kiosk")
        # Fullscreen takes the desktop's own resolution, whatever size the config names.
        self._screen, framebuffer = open_fastest(
            lambda: pygame.display.set_mode(
                (0, 0) if fullscreen else size, pygame.FULLSCREEN if fullscreen else 0
            )
        )
        self._presenter = Presenter(self._screen, self.rotation, framebuffer)
        self._logical_size = self._presenter.logical_size
        log.info("display: %dx%d via %s", *self._screen.get_size(), self._presenter.path)
        if self.kiosk_mode:
            pygame.mouse.set_visible(False)

    def _touch_input(self, long_press_s: float) -> tuple[GestureRecognizer, LongPress]:
        """Taps and swipes (the chevrons' hotspots), and the corner's long press, in the
        normalised logical coordinates the recognisers work in."""
        lw, lh = self._logical_size
        gestures = GestureRecognizer(hotspots=self._hotspots())
        zone = self._overlay.access_zone()
        long_press = LongPress(
            (zone.x / lw, zone.y / lh, zone.w / lw, zone.h / lh), hold_s=long_press_s
        )
        return gestures, long_press

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

    @property
    def pin_pad_open(self) -> bool:
        return self._pad is not None and self._pad.is_open

    def access_view(self) -> AccessView:
        """Curator access as the overlay draws it now (pad, long-press ring, quit armed)."""
        now = self._clock()
        view = self._pad.view(now) if self._pad is not None else AccessView()
        return replace(
            view,
            hold_progress=self._long_press.progress(now),
            quit_armed=self._curator_visible and self._quit_confirm.armed(now),
        )

    def fit(self, image_wh: tuple[int, int]) -> tuple[int, int, int, int]:
        """`fit_rect` of a painting on this display's logical size."""
        return fit_rect(image_wh, self._logical_size)

    # -- drawing ------------------------------------------------------------------------

    def present(
        self, painting_bgr: np.ndarray, overlay: OverlayState, damage: Damage = EVERYTHING
    ) -> None:
        """Show a painting (already at its fitted size, BGR uint8) centred, with overlays.

        `damage` says what changed in the painting since the last call (the scene renderer
        knows: nothing between camera frames, the face regions when only they moved); the
        screen is updated only where something changed (see `kiosk.display.presenter`).
        """
        if painting_bgr.ndim != 3 or painting_bgr.shape[2] != 3 or painting_bgr.dtype != np.uint8:
            raise ValueError(
                f"painting must be H x W x 3 uint8 BGR, got {painting_bgr.shape} "
                f"{painting_bgr.dtype}"
            )
        pixels = np.ascontiguousarray(painting_bgr)  # no copy on the usual (contiguous) path
        h, w = pixels.shape[:2]
        image = pygame.image.frombuffer(pixels, (w, h), "BGR")
        lw, lh = self._logical_size
        painting = pygame.Rect((lw - w) // 2, (lh - h) // 2, w, h)
        if not self.show_notice and overlay.camera_on:
            overlay = replace(overlay, camera_on=False)
        self._curator_visible = overlay.curator_visible
        if not self._curator_visible:
            self._quit_confirm.reset()
        access = self.access_view()
        key = (astuple(overlay), access, tuple(painting), self._wall.key)

        def draw_overlays(canvas: pygame.Surface) -> None:
            with self._times.measure("overlays") if self._times is not None else nullcontext():
                self._overlay.draw(canvas, overlay, painting, access)

        wall = partial(self._wall.draw, painting=painting)
        if self._presenter.present(image, painting.topleft, damage, key, wall, draw_overlays):
            self._sync_hotspots()

    def set_wall(self, wall: Wall) -> None:
        """What surrounds the painting from the next frame on (colour, blurred painting,
        frame): the exhibit's own wall, or config's."""
        self._wall = wall

    @property
    def counters(self) -> tuple[int, int, int]:
        """(frames presented, of them whole frames, frames with a new painting) so far."""
        return self._presenter.counters

    @property
    def present_path(self) -> str:
        """How frames reach the screen (chosen at start-up; the run report and bench say)."""
        return self._presenter.path

    def _hotspots(self) -> tuple[Hotspot, ...]:
        """The chevrons' tap zones no panel covers (the overlay draws only those), normalised."""
        lw, lh = self._logical_size
        return tuple(Hotspot(r.x / lw, r.y / lh, r.w / lw, r.h / lh, action)
                     for r, action in self._overlay.hotspots())  # fmt: skip

    def _sync_hotspots(self) -> None:
        hotspots = self._hotspots()
        if hotspots != self._gestures.hotspots:
            self._gestures.hotspots = hotspots

    def screen_pixels(self) -> np.ndarray:
        """What is on screen now, as a BGR image (a rendered painting, never a camera frame)."""
        rgb = np.frombuffer(pygame.image.tobytes(self._screen, "RGB"), np.uint8)
        w, h = self._screen.get_size()
        return cv2.cvtColor(rgb.reshape(h, w, 3), cv2.COLOR_RGB2BGR)

    def screenshot(self, path: str | Path) -> None:
        """Save what is on screen (a rendered painting, never a camera frame)."""
        pygame.image.save(self._screen, str(path))

    # -- input --------------------------------------------------------------------------

    def poll_actions(self) -> list[Action]:
        """Drain pending events into actions; ACTIVITY (at most once) comes first.

        Also advances what needs only time: a long press held without any events, the PIN
        pad's idle timeout and lockout.
        """
        actions: list[Action] = []
        activity = False
        for event in pygame.event.get():
            if event.type in _REDRAW_EVENTS:
                self._presenter.invalidate()
            activity = activity or event.type in _ACTIVITY_EVENTS
            action = self._action_for(event)
            if action is not None:
                actions.append(action)
        now = self._clock()
        if self._long_press.poll(now):
            action = self._long_press_done(now)
            if action is not None:
                actions.append(action)
        if self._pad is not None:
            self._pad.tick(now)
        return ([Action.ACTIVITY] if activity else []) + actions

    def _action_for(self, event: pygame.event.Event) -> Action | None:
        if event.type in (pygame.QUIT, pygame.WINDOWCLOSE):
            return None if self.kiosk_mode else Action.QUIT
        if event.type == pygame.KEYDOWN:
            return self._key_action(event.key, event.mod)
        if event.type in (pygame.FINGERDOWN, pygame.FINGERUP, pygame.FINGERMOTION):
            return self._finger_action(event)
        if event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION):
            return self._mouse_action(event)
        return None

    def _key_action(self, key: int, mod: int) -> Action | None:
        if self._exit.matches(key, mod):
            return Action.QUIT
        if self._curator.matches(key, mod):
            return Action.TOGGLE_CURATOR
        if self._reload.matches(key, mod):
            return Action.RELOAD
        if self.pin_pad_open:
            return self._pad_typed(key)
        if key == pygame.K_ESCAPE:
            return None if self.kiosk_mode else Action.QUIT
        return {
            pygame.K_RIGHT: Action.NEXT,
            pygame.K_LEFT: Action.PREVIOUS,
            pygame.K_SPACE: Action.TOGGLE_LABEL,
        }.get(key) or self._speech_key(key)

    def _speech_key(self, key: int) -> Action | None:
        if key != pygame.K_l:
            return None
        self.speech_tapped = "toggle"
        return Action.SPEECH

    def _pad_typed(self, key: int) -> Action | None:
        """A keyboard, if any, types into the open pad; Escape only cancels it."""
        name = _PAD_DIGIT_KEYS.get(key)
        if key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            name = OK
        elif key == pygame.K_ESCAPE:
            name = CANCEL
        return self._pad_key(name) if name is not None else None

    def _finger_action(self, event: pygame.event.Event) -> Action | None:
        u, v = physical_to_logical(event.x, event.y, self.rotation)
        if event.type == pygame.FINGERMOTION:
            if event.finger_id == self._primary_finger:
                self._long_press.move(u, v)
            return None
        if event.type == pygame.FINGERDOWN:
            if not self._fingers:
                self._primary_finger = event.finger_id
                self._pointer_down(u, v)
            else:  # multi-finger touches are not gestures here
                self._pressed = self._speech_pressed = None
                self._gestures.cancel()
                self._long_press.cancel()
            self._fingers.add(event.finger_id)
            return None
        self._fingers.discard(event.finger_id)
        if event.finger_id != self._primary_finger:
            return None
        self._primary_finger = None
        return self._pointer_up(u, v)

    def _mouse_action(self, event: pygame.event.Event) -> Action | None:
        if getattr(event, "touch", False):
            return None  # touch arrives as FINGER events; ignore SDL's mouse emulation
        w, h = self.size
        u, v = physical_to_logical(event.pos[0] / w, event.pos[1] / h, self.rotation)
        if event.type == pygame.MOUSEMOTION:
            if getattr(event, "buttons", (0,))[0]:
                self._long_press.move(u, v)
            return None
        if event.button != 1:
            return None
        if event.type == pygame.MOUSEBUTTONDOWN:
            self._pointer_down(u, v)
            return None
        return self._pointer_up(u, v)

    # -- one pointer (the first finger, or the left mouse button) ---------------------------

    def _pointer_down(self, u: float, v: float) -> None:
        """Route a press: the open PIN pad takes all of them, then the panel's buttons."""
        now = self._clock()
        if self.pin_pad_open:
            self._pressed = self._pad_key_at(u, v)
            return
        self._pressed = self._panel_button_at(u, v) if self._curator_visible else None
        self._speech_pressed = None
        if self._pressed is None:
            self._speech_pressed = self._overlay.speech_button_at(self._logical_px(u, v))
        if self._pressed is None and self._speech_pressed is None:
            self._gestures.down(u, v, now)
            if not self._curator_visible:
                self._long_press.down(u, v, now)

    def _pointer_up(self, u: float, v: float) -> Action | None:
        """A key or button acts when released on the same target it was pressed on."""
        now = self._clock()
        pressed, self._pressed = self._pressed, None
        if self.pin_pad_open:
            self._gestures.cancel()  # e.g. the press that opened the pad
            self._long_press.cancel()
            if isinstance(pressed, str) and pressed == self._pad_key_at(u, v):
                return self._pad_key(pressed)
            return None
        if isinstance(pressed, Action):
            return self._panel_button(pressed) if pressed is self._panel_button_at(u, v) else None
        speech, self._speech_pressed = self._speech_pressed, None
        if speech is not None:  # a speech button acts when released on itself
            if speech != self._overlay.speech_button_at(self._logical_px(u, v)):
                return None
            self.speech_tapped = speech
            return Action.SPEECH
        if self._long_press.up(u, v, now):
            return self._long_press_done(now)
        return self._gestures.up(u, v, now)

    def _long_press_done(self, now: float) -> Action | None:
        self._gestures.cancel()  # the release must not also count as a tap or swipe
        if self._pad is None:
            # No PIN configured: in kiosk mode nobody at the screen gets in by touch alone;
            # a development window opens the panel directly.
            if self.kiosk_mode or self._curator_visible:
                return None
            return Action.TOGGLE_CURATOR
        self._pad.open(now)
        return None

    def _pad_key(self, name: str) -> Action | None:
        if self._pad is None:
            return None
        if self._pad.press(name, self._clock()) and not self._curator_visible:
            return Action.TOGGLE_CURATOR
        return None

    def _panel_button(self, action: Action) -> Action | None:
        if action is Action.QUIT:
            return Action.QUIT if self._quit_confirm.tap(self._clock()) else None
        self._quit_confirm.reset()
        return action

    def _logical_px(self, u: float, v: float) -> tuple[float, float]:
        lw, lh = self._logical_size
        return u * lw, v * lh

    def _pad_key_at(self, u: float, v: float) -> str | None:
        point = self._logical_px(u, v)
        keys = self._overlay.pin_pad_keys()
        return next((name for name, rect in keys.items() if rect.collidepoint(point)), None)

    def _panel_button_at(self, u: float, v: float) -> Action | None:
        point = self._logical_px(u, v)
        buttons = self._overlay.panel_buttons()
        return next((action for rect, action in buttons if rect.collidepoint(point)), None)

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
