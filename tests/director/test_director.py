"""Director: attract/live switching, fades, exhibit changes and the label, on a fake clock."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pytest

from kiosk.config import KioskConfig, TimeoutsConfig
from kiosk.director.attention import AttentionTimings
from kiosk.director.director import Director, DirectorTimings, Mode, Scene

TIMINGS = DirectorTimings(
    visitor_enter_s=0.3,
    visitor_leave_s=2.0,
    attract_exhibit_s=40.0,
    crossfade_s=0.8,
    label_hide_s=20.0,
    browse_hold_s=60.0,
)


NO_REACTIONS = AttentionTimings(greeting_s=0.0, farewell_s=0.0)


def test_the_timings_come_from_config_timeouts() -> None:
    """Every field is read from config.yaml's timeouts, whose defaults are the ones above."""
    assert DirectorTimings.from_config(KioskConfig().timeouts) == TIMINGS
    names = [f.name for f in fields(DirectorTimings)]
    timeouts = TimeoutsConfig(**{name: 1.0 + i for i, name in enumerate(names)})
    assert DirectorTimings.from_config(timeouts) == DirectorTimings(
        **{name: 1.0 + i for i, name in enumerate(names)}
    )


def make_director(ids: tuple[str, ...] = ("a", "b", "c"), **overrides: float) -> Director:
    # These tests are about attract and live alone: no greeting or farewell in between (those
    # are in test_attention.py).
    director = Director(replace(TIMINGS, **overrides), NO_REACTIONS)
    director.set_exhibits(list(ids), 0.0)
    return director


def run(director: Director, start: float, stop: float, present: bool, dt: float) -> list[Scene]:
    """Update every `dt` from `start` (inclusive) to `stop` (exclusive) with fixed presence."""
    times = np.arange(start, stop - 1e-9, dt)
    return [director.update(float(t), present) for t in times]


# -- attract <-> live ---------------------------------------------------------------------


def test_starts_in_attract_with_no_live_weight() -> None:
    scene = make_director().update(0.0, False)
    assert scene.mode is Mode.ATTRACT
    assert scene.live_weight == 0.0
    assert scene.exhibit_id == "a"
    assert scene.previous_exhibit_id is None
    assert scene.exhibit_fade == 1.0


def test_goes_live_only_after_continuous_presence() -> None:
    director = make_director()
    director.update(0.0, False)
    assert director.update(1.0, True).mode is Mode.ATTRACT
    assert director.update(1.29, True).mode is Mode.ATTRACT
    assert director.update(1.3, True).mode is Mode.LIVE
    assert [(t.before, t.after, t.at) for t in director.transitions] == [("attract", "live", 1.3)]


def test_flicker_shorter_than_enter_time_does_not_go_live() -> None:
    director = make_director()
    # Seen for 0.2 s, lost for one frame, seen again for 0.2 s: never 0.3 s continuously.
    for t in np.arange(0.0, 0.2, 0.02):
        assert director.update(float(t), True).mode is Mode.ATTRACT
    assert director.update(0.2, False).mode is Mode.ATTRACT
    for t in np.arange(0.22, 0.44, 0.02):
        assert director.update(float(t), True).mode is Mode.ATTRACT
    assert not director.transitions
    # Staying long enough after the gap does switch, timed from the return.
    assert director.update(0.52, True).mode is Mode.LIVE


def test_returns_to_attract_after_leave_time_of_absence() -> None:
    director = make_director()
    director.update(0.0, True)
    assert director.update(0.3, True).mode is Mode.LIVE
    director.update(5.0, True)
    assert director.update(6.0, False).mode is Mode.LIVE
    assert director.update(6.99, False).mode is Mode.LIVE
    # A brief reappearance restarts the absence timer.
    director.update(7.0, True)
    assert director.update(8.9, False).mode is Mode.LIVE
    assert director.update(9.0, False).mode is Mode.ATTRACT
    assert director.transitions[-1].reason == "visitor left"
    assert director.transitions[-1].at == 9.0


def test_live_weight_ramps_over_crossfade_both_ways() -> None:
    director = make_director()
    director.update(0.0, True)
    assert director.update(0.3, True).live_weight == pytest.approx(0.0)
    assert director.update(0.7, True).live_weight == pytest.approx(0.5)
    assert director.update(1.1, True).live_weight == pytest.approx(1.0)
    assert director.update(2.0, False).live_weight == pytest.approx(1.0)
    scene = director.update(1.1 + 2.0, False)  # last seen at 1.1: gone long enough now
    assert scene.mode is Mode.ATTRACT
    assert scene.live_weight == pytest.approx(1.0)
    assert director.update(3.1 + 0.4, False).live_weight == pytest.approx(0.5)
    assert director.update(3.1 + 0.81, False).live_weight == pytest.approx(0.0)


def test_live_weight_never_jumps_when_visitor_comes_and_goes_mid_fade() -> None:
    # A slow fade and quick enter/leave so the mode flips while a fade is in progress.
    crossfade = 1.0
    director = make_director(crossfade_s=crossfade, visitor_enter_s=0.1, visitor_leave_s=0.3)
    dt = 0.005
    pattern = [(0.0, 0.6, True), (0.6, 1.2, False), (1.2, 1.5, True), (1.5, 3.5, False)]
    weights = [
        s.live_weight
        for start, stop, present in pattern
        for s in run(director, start, stop, present, dt)
    ]
    modes = [(t.before, t.after) for t in director.transitions]
    assert modes == [
        ("attract", "live"),
        ("live", "attract"),
        ("attract", "live"),
        ("live", "attract"),
    ]
    steps = np.abs(np.diff(weights))
    assert steps.max() <= dt / crossfade + 1e-9
    assert 0.3 < max(weights) < 1.0  # the fade was interrupted, never completed
    assert weights[-1] == pytest.approx(0.0)


# -- exhibits -------------------------------------------------------------------------------


def test_attract_advances_exhibits_on_its_own() -> None:
    director = make_director()
    assert director.update(39.9, False).exhibit_id == "a"
    scene = director.update(40.0, False)
    assert scene.exhibit_id == "b"
    assert scene.previous_exhibit_id == "a"
    assert director.update(79.9, False).exhibit_id == "b"
    assert director.update(80.0, False).exhibit_id == "c"
    assert director.update(120.0, False).exhibit_id == "a"  # wraps round


def test_live_mode_does_not_advance_exhibits() -> None:
    director = make_director()
    director.update(0.0, True)
    for t in np.arange(0.5, 200.0, 0.5):
        scene = director.update(float(t), True)
    assert scene.mode is Mode.LIVE
    assert scene.exhibit_id == "a"


def test_no_auto_advance_within_browse_hold_after_a_swipe() -> None:
    director = make_director()
    director.update(10.0, False)
    director.step(+1, 10.0)
    assert director.update(10.0, False).exhibit_id == "b"
    # attract_exhibit_s (40 s) has passed but browse_hold_s (60 s) has not.
    assert director.update(55.0, False).exhibit_id == "b"
    assert director.update(69.9, False).exhibit_id == "b"
    assert director.update(70.0, False).exhibit_id == "c"


def test_swipe_backwards_wraps() -> None:
    director = make_director()
    director.step(-1, 1.0)
    assert director.update(1.0, False).exhibit_id == "c"
    director.step(+1, 2.0)
    assert director.update(2.0, False).exhibit_id == "a"


def test_exhibit_crossfade_ramps_and_clears_previous() -> None:
    director = make_director()
    director.step(+1, 5.0)
    scene = director.update(5.0, False)
    assert (scene.exhibit_id, scene.previous_exhibit_id) == ("b", "a")
    assert scene.exhibit_fade == pytest.approx(0.0)
    scene = director.update(5.4, False)
    assert scene.previous_exhibit_id == "a"
    assert scene.exhibit_fade == pytest.approx(0.5)
    scene = director.update(5.81, False)
    assert scene.exhibit_fade == pytest.approx(1.0)
    assert scene.previous_exhibit_id is None


def test_exhibit_fade_is_monotonic_over_a_fine_grid() -> None:
    director = make_director()
    director.step(+1, 5.0)
    fades = [s.exhibit_fade for s in run(director, 5.0, 6.0, False, 0.01)]
    assert fades[0] == 0.0 and fades[-1] == 1.0
    assert np.all(np.diff(fades) >= 0)
    assert np.abs(np.diff(fades)).max() <= 0.01 / 0.8 + 1e-9


def test_set_exhibits_keeps_current_if_still_present() -> None:
    director = make_director()
    director.step(+1, 1.0)
    director.update(2.0, False)
    director.set_exhibits(["c", "b", "new"], 3.0)
    scene = director.update(3.0, False)
    assert scene.exhibit_id == "b"
    assert scene.previous_exhibit_id is None
    assert scene.exhibit_fade == 1.0


def test_set_exhibits_switches_when_current_removed() -> None:
    director = make_director()
    director.update(1.0, False)
    director.set_exhibits(["x", "y"], 2.0)
    scene = director.update(2.0, False)
    assert scene.exhibit_id == "x"
    assert scene.previous_exhibit_id == "a"
    assert scene.exhibit_fade == pytest.approx(0.0)


def test_set_exhibits_empty_list_then_refill() -> None:
    director = make_director()
    director.set_exhibits([], 1.0)
    director.step(+1, 1.5)  # swiping with nothing to show is harmless
    scene = director.update(50.0, False)
    assert scene.exhibit_id is None
    assert scene.previous_exhibit_id is None
    director.set_exhibits(["z"], 60.0)
    assert director.update(60.0, False).exhibit_id == "z"


def test_single_exhibit_never_auto_advances() -> None:
    director = make_director(("only",))
    scene = director.update(1000.0, False)
    assert scene.exhibit_id == "only"
    assert scene.previous_exhibit_id is None


# -- label ----------------------------------------------------------------------------------


def test_label_toggles_and_auto_hides() -> None:
    director = make_director()
    assert not director.update(0.0, False).show_label
    director.toggle_label(1.0)
    assert director.update(1.0, False).show_label
    director.toggle_label(2.0)
    assert not director.update(2.0, False).show_label
    director.toggle_label(3.0)
    assert director.update(22.9, False).show_label
    assert not director.update(23.0, False).show_label


def test_label_closes_when_the_exhibit_changes() -> None:
    director = make_director()
    director.toggle_label(1.0)
    assert director.update(1.0, False).show_label
    director.step(+1, 2.0)
    assert not director.update(2.0, False).show_label


def test_touch_holds_auto_advance() -> None:
    director = make_director()
    director.touched(30.0)
    assert director.update(80.0, False).exhibit_id == "a"
    assert director.update(90.0, False).exhibit_id == "b"


# -- bookkeeping ----------------------------------------------------------------------------


def test_transitions_deque_is_bounded() -> None:
    director = make_director(visitor_enter_s=0.0, visitor_leave_s=0.0)
    maxlen = director.transitions.maxlen
    assert maxlen is not None
    t = 0.0
    for _ in range(maxlen):  # each cycle is two transitions
        director.update(t, True)
        director.update(t + 0.5, False)
        t += 1.0
    assert len(director.transitions) == maxlen
    last = director.transitions[-1]
    assert (last.before, last.after, last.at) == ("live", "attract", t - 0.5)
    assert director.transitions[0].at == pytest.approx(t - maxlen / 2)


def test_speech_owns_the_mouth_with_blends_in_and_out_and_never_jumps():
    d = Director(DirectorTimings(speech_blend_s=0.2))
    d.set_exhibits(["a"], 0.0)
    assert d.update(1.0, False).speech_weight == 0.0
    d.speaking(True, 1.0)
    assert d.update(1.1, False).speech_weight == pytest.approx(0.5)
    assert d.update(1.3, False).speech_weight == 1.0
    d.speaking(False, 2.0)
    assert d.update(2.1, False).speech_weight == pytest.approx(0.5)
    # Speech starting again half-way through the blend out goes back up from there.
    d.speaking(True, 2.1)
    assert d.update(2.1, False).speech_weight == pytest.approx(0.5)
    assert d.update(2.2, False).speech_weight == pytest.approx(1.0)
    d.speaking(False, 3.0)
    assert d.update(3.5, False).speech_weight == 0.0


def test_an_open_label_stays_open_while_it_is_spoken():
    d = Director(DirectorTimings(label_hide_s=5.0))
    d.set_exhibits(["a"], 0.0)
    d.toggle_label(0.0)
    d.speaking(True, 1.0)
    assert d.update(30.0, False).show_label
    d.speaking(False, 30.0)
    assert d.update(34.0, False).show_label
    assert not d.update(35.5, False).show_label
