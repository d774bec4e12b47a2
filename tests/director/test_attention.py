"""The director's attention on a fake clock: a passer-by noticed, glances away and back, a
visitor engaged with a greeting, leaving with a farewell, two people; fades that never jump."""

from __future__ import annotations

import random

import numpy as np
import pytest

from kiosk.config import KioskConfig
from kiosk.director.attention import (
    GLANCE_GAZE,
    GLANCE_MOVE_S,
    AttentionTimings,
    missing_reaction_clips,
)
from kiosk.director.director import Director, DirectorTimings, Mode, Scene

TIMINGS = DirectorTimings(visitor_enter_s=0.3, visitor_leave_s=2.0, crossfade_s=0.8)
ATTENTION = AttentionTimings(
    glance_every_s=(5.0, 5.0),
    glance_hold_s=0.6,
    greeting_clips=("nod",),
    greeting_s=2.5,
    farewell_clips=("wave",),
    farewell_s=2.0,
)
DT = 1 / 60


def make_director(**overrides: object) -> Director:
    attention = AttentionTimings(**{**_fields(ATTENTION), **overrides})
    director = Director(TIMINGS, attention, rng=random.Random(7))
    director.set_exhibits(["a", "b"], 0.0)
    return director


def _fields(timings: AttentionTimings) -> dict[str, object]:
    return {name: getattr(timings, name) for name in AttentionTimings.__slots__}


def run(
    director: Director, start: float, stop: float, present: bool, people: int
) -> list[tuple[float, Scene]]:
    times = np.arange(start, stop - 1e-9, DT)
    return [(float(t), director.update(float(t), present, people)) for t in times]


def modes(director: Director) -> list[tuple[str, str]]:
    return [(t.before, t.after) for t in director.transitions]


def assert_no_jumps(scenes: list[tuple[float, Scene]]) -> None:
    """Every weight and the gaze move at most as fast as their fades allow."""
    for (_, a), (_, b) in zip(scenes, scenes[1:], strict=False):
        for name in ("live_weight", "attention_weight"):
            assert abs(getattr(b, name) - getattr(a, name)) <= DT / 0.8 + 1e-9, name
        step = np.subtract(b.gaze_target, a.gaze_target)
        # A glance is a quick eye movement, but still a movement: GLANCE_MOVE_S end to end.
        assert np.abs(step).max() <= GLANCE_GAZE[0] * 1.6 * DT / GLANCE_MOVE_S + 1e-9


def test_attention_timings_come_from_config() -> None:
    attention = KioskConfig().attention
    timings = AttentionTimings.from_config(attention)
    assert timings.greeting_s == attention.greeting_s
    assert timings.glance_every_s == tuple(attention.glance_every_s)
    assert timings.farewell_clips == tuple(attention.farewell_clips)


def test_reaction_clips_missing_from_the_library_are_problems() -> None:
    problems = missing_reaction_clips(ATTENTION, {"nod", "breathing"})
    assert len(problems) == 1
    assert "attention.farewell_clips" in problems[0] and "'wave'" in problems[0]
    assert "breathing, nod" in problems[0]
    assert missing_reaction_clips(ATTENTION, {"nod", "wave"}) == []


def test_a_passer_by_is_noticed_and_the_idle_loop_returns_when_they_go() -> None:
    director = make_director()
    scenes = run(director, 0.0, 1.0, present=False, people=0)
    scenes += run(director, 1.0, 4.0, present=False, people=1)  # walks past, never engages
    assert director.mode is Mode.NOTICED
    assert modes(director) == [("attract", "noticed")]
    assert director.transitions[0].at == pytest.approx(1.3, abs=DT)
    noticed = dict(scenes)
    assert noticed[scenes[0][0]].attention_weight == 0.0
    at = min(noticed, key=lambda t: abs(t - (1.3 + 0.4)))
    assert noticed[at].attention_weight == pytest.approx(0.5, abs=0.03)
    assert scenes[-1][1].attention_weight == 1.0 and scenes[-1][1].live_weight == 0.0
    scenes += run(director, 4.0, 8.0, present=False, people=0)  # gone
    assert modes(director)[-1] == ("noticed", "attract")
    assert director.transitions[-1].at == pytest.approx(
        4.0 - DT + 2.0, abs=1e-6
    )  # last seen + leave
    assert scenes[-1][1].attention_weight == 0.0
    assert_no_jumps(scenes)


def test_noticed_glances_away_and_back() -> None:
    director = make_director()
    scenes = run(director, 0.0, 12.0, present=False, people=1)
    noticed_at = director.transitions[0].at
    gaze = {t: s.gaze_target for t, s in scenes}
    # Looking at the viewer until the first glance, 5 s after noticing.
    before = [g for t, g in gaze.items() if t < noticed_at + 5.0]
    assert all(g == (0.0, 0.0) for g in before)
    held = [
        g for t, g in gaze.items() if noticed_at + 5.0 + GLANCE_MOVE_S + 0.05 < t < noticed_at + 5.6
    ]
    assert held and all(abs(g[0]) == pytest.approx(GLANCE_GAZE[0]) for g in held)
    back = noticed_at + 5.0 + 0.6 + 2 * GLANCE_MOVE_S
    after = [g for t, g in gaze.items() if back + 0.01 < t < noticed_at + 10.0]
    assert after and all(g == (0.0, 0.0) for g in after)
    # And again, one pause later.
    assert any(g != (0.0, 0.0) for t, g in gaze.items() if t > noticed_at + 10.0 + GLANCE_MOVE_S)
    assert director.mode is Mode.NOTICED
    assert_no_jumps(scenes)


def test_an_engaged_visitor_is_greeted_then_followed() -> None:
    director = make_director()
    scenes = run(director, 0.0, 1.0, present=False, people=1)
    scenes += run(director, 1.0, 6.0, present=True, people=1)
    assert modes(director) == [
        ("attract", "noticed"),
        ("noticed", "greeting"),
        ("greeting", "live"),
    ]
    greeted, followed = director.transitions[1].at, director.transitions[2].at
    assert greeted == pytest.approx(1.3, abs=DT)
    assert followed == pytest.approx(greeted + 2.5, abs=DT)
    during = [s for t, s in scenes if greeted + 0.35 < t < followed]
    # Greeting: eyes on the visitor, the reaction clip plays from its start, not followed yet.
    assert all(s.mode is Mode.GREETING and s.live_weight == 0.0 for s in during)
    assert all(s.attention_weight == 1.0 for s in during)
    assert all(s.reaction is not None and s.reaction.clip == "nod" for s in during)
    assert during[0].reaction.t == pytest.approx(0.35, abs=2 * DT)
    assert during[0].reaction.weight == 1.0
    # Then it follows them: the live weight comes in as attention and the reaction go out.
    end = scenes[-1][1]
    assert end.mode is Mode.LIVE and end.live_weight == 1.0
    assert end.attention_weight == 0.0 and end.reaction is None
    assert_no_jumps(scenes)


def test_a_leaving_visitor_gets_a_farewell_then_the_idle_loop() -> None:
    director = make_director()
    scenes = run(director, 0.0, 5.0, present=True, people=1)
    assert director.mode is Mode.LIVE
    scenes += run(director, 5.0, 12.0, present=False, people=0)
    assert modes(director)[-2:] == [("live", "farewell"), ("farewell", "attract")]
    left, done = director.transitions[-2].at, director.transitions[-1].at
    assert left == pytest.approx(5.0 - DT + 2.0, abs=DT)
    assert done == pytest.approx(left + 2.0, abs=DT)
    farewell = [s for t, s in scenes if left + 0.35 < t < done]
    assert all(s.reaction is not None and s.reaction.clip == "wave" for s in farewell)
    assert all(s.attention_weight > 0.4 for s in farewell)  # eyes on them as they go
    assert scenes[-1][1].mode is Mode.ATTRACT
    assert scenes[-1][1].live_weight == 0.0 and scenes[-1][1].attention_weight == 0.0
    assert_no_jumps(scenes)


def test_a_visitor_back_during_the_farewell_is_followed_again() -> None:
    director = make_director()
    run(director, 0.0, 5.0, present=True, people=1)
    run(director, 5.0, 7.5, present=False, people=0)
    assert director.mode is Mode.FAREWELL
    run(director, 7.5, 8.0, present=True, people=1)
    assert modes(director)[-1] == ("farewell", "live")


def test_two_people_the_engaged_one_keeps_the_painting() -> None:
    director = make_director()
    scenes = run(director, 0.0, 5.0, present=True, people=1)
    # A second person comes into view: nothing changes for the visitor being followed.
    scenes += run(director, 5.0, 10.0, present=True, people=2)
    assert director.mode is Mode.LIVE
    assert all(s.live_weight == 1.0 for t, s in scenes if t >= 5.0)
    # The visitor leaves; the other is still there: farewell, then the other is noticed.
    scenes += run(director, 10.0, 16.0, present=False, people=1)
    assert modes(director)[-2:] == [("live", "farewell"), ("farewell", "noticed")]
    assert scenes[-1][1].attention_weight == 1.0
    assert_no_jumps(scenes)


def test_no_greeting_or_farewell_when_set_to_zero() -> None:
    director = make_director(greeting_s=0.0, farewell_s=0.0)
    run(director, 0.0, 2.0, present=True, people=1)
    run(director, 2.0, 6.0, present=False, people=0)
    assert modes(director) == [("attract", "live"), ("live", "attract")]


def test_noticed_keeps_the_painting_on_screen() -> None:
    """Someone looking at the painting does not see it change under them."""
    director = make_director()
    scenes = run(director, 0.0, 100.0, present=False, people=1)
    assert {s.exhibit_id for _, s in scenes} == {"a"}
