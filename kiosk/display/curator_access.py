"""Curator access on a touch screen: the PIN pad and the panel's confirm-to-quit button.

Pure (no pygame): every method takes the time, so tests drive it with a fake clock. `Display`
feeds it touches and keys; `OverlayRenderer` draws the `AccessView` it describes.
"""

from __future__ import annotations

import hmac
import logging
import math
from dataclasses import dataclass

from kiosk.display.gestures import Action

log = logging.getLogger(__name__)

PAD_KEYS: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "Cancel", "0", "OK")
CANCEL, OK = "Cancel", "OK"
PIN_DIGITS = (4, 8)  # shortest and longest allowed PIN
WRONG_PIN = "Wrong PIN"

# The curator panel's own touch buttons, left to right.
PANEL_BUTTONS: tuple[tuple[str, Action], ...] = (
    ("Reload", Action.RELOAD),
    ("Previous", Action.PREVIOUS),
    ("Next", Action.NEXT),
    ("Close panel", Action.TOGGLE_CURATOR),
    ("Quit kiosk", Action.QUIT),
)
QUIT_CONFIRM_LABEL = "Tap again to quit"
QUIT_CONFIRM_S = 3.0  # the second tap on "Quit kiosk" must come within this many seconds


def check_pin(pin: str) -> str:
    """The PIN if it is 4 to 8 digits; otherwise a ValueError saying what to write."""
    lo, hi = PIN_DIGITS
    if not (pin.isascii() and pin.isdigit() and lo <= len(pin) <= hi):
        raise ValueError(f"curator PIN must be {lo} to {hi} digits (0-9), e.g. '4821'")
    return pin


@dataclass(frozen=True, slots=True)
class AccessView:
    """What the overlay draws for curator access this frame."""

    pad_open: bool = False
    digits: int = 0  # how many digits are entered (shown as dots, never the digits)
    message: str = ""  # "Wrong PIN", the lockout countdown, or ""
    locked: bool = False
    hold_progress: float = 0.0  # the corner long press, 0..1
    quit_armed: bool = False  # "Quit kiosk" was tapped once and waits for confirmation


class PinPad:
    """The PIN pad's state: entry, wrong tries, lockout and closing itself when left alone.

    Wrong tries and the lockout outlive closing the pad, so closing and reopening it does not
    buy more guesses.
    """

    def __init__(
        self,
        pin: str,
        *,
        max_wrong: int = 5,
        lockout_s: float = 60.0,
        idle_s: float = 20.0,
    ) -> None:
        self._pin = check_pin(pin)
        self.max_wrong, self.lockout_s, self.idle_s = max_wrong, lockout_s, idle_s
        self.is_open = False
        self._entry = ""
        self._message = ""
        self._wrong = 0
        self._locked_until: float | None = None
        self._last_input = 0.0

    def open(self, now: float) -> None:
        self.is_open = True
        self._entry, self._message = "", ""
        self._last_input = now

    def close(self) -> None:
        self.is_open = False
        self._entry, self._message = "", ""

    def tick(self, now: float) -> None:
        """Ends an expired lockout and closes the pad after `idle_s` without input."""
        if self._locked_until is not None and now >= self._locked_until:
            self._locked_until = None
            self._wrong = 0
            self._message = ""
        if self.is_open and now - self._last_input >= self.idle_s:
            self.close()

    def locked_for(self, now: float) -> float:
        """Seconds of lockout left (0 when not locked)."""
        return 0.0 if self._locked_until is None else max(0.0, self._locked_until - now)

    def press(self, key: str, now: float) -> bool:
        """A pad key (a digit, CANCEL or OK) was pressed; True when the right PIN was entered."""
        self.tick(now)
        if not self.is_open:
            return False
        self._last_input = now
        if key == CANCEL:
            self.close()
        elif self.locked_for(now) > 0:
            pass  # only Cancel works while locked out
        elif key == OK:
            return self._submit(now)
        elif len(key) == 1 and key.isdigit() and len(self._entry) < PIN_DIGITS[1]:
            self._entry += key
            self._message = ""
        return False

    def view(self, now: float) -> AccessView:
        locked = self.locked_for(now)
        message = self._message
        if locked > 0:
            message = f"Too many wrong tries. Wait {math.ceil(locked)} s."
        return AccessView(
            pad_open=self.is_open, digits=len(self._entry), message=message, locked=locked > 0
        )

    def _submit(self, now: float) -> bool:
        entry, self._entry = self._entry, ""
        if not entry:
            return False
        if hmac.compare_digest(entry.encode(), self._pin.encode()):
            self._wrong = 0
            self.close()
            log.info("curator PIN accepted")
            return True
        self._wrong += 1
        self._message = WRONG_PIN
        if self._wrong >= self.max_wrong:
            self._locked_until = now + self.lockout_s
            log.warning(
                "curator PIN pad locked for %.0f s after %d wrong tries",
                self.lockout_s,
                self._wrong,
            )
        return False


class ConfirmTap:
    """A button that acts only on a second tap within `window_s` (e.g. "Quit kiosk")."""

    def __init__(self, window_s: float = QUIT_CONFIRM_S) -> None:
        self.window_s = window_s
        self._armed_at: float | None = None

    def tap(self, now: float) -> bool:
        """True when this tap confirms an earlier one; otherwise it arms the button."""
        if self.armed(now):
            self._armed_at = None
            return True
        self._armed_at = now
        return False

    def armed(self, now: float) -> bool:
        return self._armed_at is not None and now - self._armed_at <= self.window_s

    def reset(self) -> None:
        self._armed_at = None
