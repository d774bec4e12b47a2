"""Curator access state machines: the corner long press, the PIN pad, confirm-to-quit."""

from __future__ import annotations

import pytest

from kiosk.display.curator_access import (
    CANCEL,
    OK,
    WRONG_PIN,
    ConfirmTap,
    PinPad,
    check_pin,
)
from kiosk.display.gestures import LongPress

ZONE = (0.0, 0.0, 0.1, 0.1)


# -- long press ------------------------------------------------------------------------------


def test_long_press_fires_once_after_hold_time_in_zone():
    press = LongPress(ZONE, hold_s=3.0)
    press.down(0.05, 0.05, 10.0)
    assert not press.poll(12.9)
    assert press.progress(11.5) == pytest.approx(0.5)
    assert press.poll(13.0)
    assert not press.poll(14.0)  # once per press
    assert not press.up(0.05, 0.05, 14.0)
    assert press.progress(14.0) == 0.0


def test_long_press_completed_at_release_still_counts():
    press = LongPress(ZONE, hold_s=3.0)
    press.down(0.05, 0.05, 0.0)
    assert press.up(0.05, 0.05, 3.2)  # no frame polled in between


def test_long_press_cancelled_by_moving_outside_zone_or_cancel():
    press = LongPress(ZONE, hold_s=3.0)
    press.down(0.05, 0.05, 0.0)
    press.move(0.07, 0.05)  # 2 %: still counts
    press.move(0.085, 0.05)  # 3.5 % from where it started
    assert not press.poll(5.0)
    press.down(0.5, 0.5, 0.0)  # outside the corner
    assert not press.poll(5.0)
    press.down(0.05, 0.05, 0.0)
    press.cancel()
    assert not press.up(0.05, 0.05, 5.0)
    with pytest.raises(ValueError):
        LongPress(ZONE, hold_s=0)


# -- PIN pad ---------------------------------------------------------------------------------


def _enter(pad: PinPad, digits: str, now: float) -> bool:
    for d in digits:
        pad.press(d, now)
    return pad.press(OK, now)


@pytest.mark.parametrize("bad", ["", "123", "123456789", "12a4", "١٢٣٤", " 1234"])
def test_check_pin_rejects(bad):
    with pytest.raises(ValueError, match="4 to 8 digits"):
        check_pin(bad)


def test_right_pin_opens_and_closes_the_pad():
    pad = PinPad("4821")
    assert not _enter(pad, "4821", 0.0)  # closed pad ignores keys
    pad.open(0.0)
    pad.press("4", 1.0)
    pad.press("8", 1.0)
    assert pad.view(1.0).digits == 2
    assert _enter(pad, "21", 2.0)
    assert not pad.is_open


def test_wrong_pin_message_and_lockout_outlive_closing():
    pad = PinPad("4821", max_wrong=5, lockout_s=60.0)
    pad.open(0.0)
    assert not _enter(pad, "1111", 1.0)
    view = pad.view(1.0)
    assert view.message == WRONG_PIN and view.digits == 0 and not view.locked
    pad.press("1", 1.5)
    assert pad.view(1.5).message == ""  # typing again clears the message
    for i in range(4):
        assert not _enter(pad, "0000", 2.0 + i)
    assert pad.view(5.0).locked
    assert "Wait 60 s" in pad.view(5.0).message
    pad.press(CANCEL, 6.0)
    pad.open(7.0)  # reopening does not reset the lockout
    assert not _enter(pad, "4821", 8.0)
    assert pad.view(8.0).digits == 0 and "Wait 57 s" in pad.view(8.0).message
    pad.tick(65.0)
    pad.open(65.0)
    assert not pad.view(65.0).locked and pad.view(65.0).message == ""
    assert _enter(pad, "4821", 66.0)


def test_pad_closes_after_idle_and_input_keeps_it_open():
    pad = PinPad("4821", idle_s=20.0)
    pad.open(0.0)
    pad.tick(19.9)
    assert pad.is_open
    pad.press("1", 19.9)
    pad.tick(39.0)
    assert pad.is_open
    pad.tick(39.9)
    assert not pad.is_open and pad.view(40.0).digits == 0


def test_pad_caps_entry_and_ignores_empty_ok():
    pad = PinPad("12345678")
    pad.open(0.0)
    assert not pad.press(OK, 0.0)
    assert pad.view(0.0).message == ""  # an empty OK is not a wrong try
    for _ in range(12):
        pad.press("1", 0.0)
    assert pad.view(0.0).digits == 8


def test_confirm_tap_needs_a_second_tap_in_time():
    quit_ = ConfirmTap(window_s=3.0)
    assert not quit_.tap(0.0)
    assert quit_.armed(2.0)
    assert quit_.tap(2.9)
    assert not quit_.armed(3.0)
    assert not quit_.tap(10.0)
    assert not quit_.tap(13.5)  # too late: this tap arms it again
    assert quit_.tap(14.0)
    quit_.tap(20.0)
    quit_.reset()
    assert not quit_.tap(20.5)
