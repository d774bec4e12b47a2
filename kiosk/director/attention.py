"""The director's attention: its settings, the weights it fades and the glances it plans.

Pure, like the director: every method takes the clock value, so tests run on a fake clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.config import AttentionConfig

# A glance away: where the eyes go (gaze units: 1 is as far as the painted eyes turn), how
# fast they get there and back (a saccade takes 50-100 ms; a little longer reads as calm).
GLANCE_GAZE = (0.55, 0.12)
GLANCE_MOVE_S = 0.12
REACTION_FADE_S = 0.3  # a greeting or farewell clip fades in and out this fast


@dataclass(frozen=True, slots=True)
class AttentionTimings:
    """Seconds; config.yaml's attention section holds the values (from_config)."""

    glance_every_s: tuple[float, float] = (4.0, 9.0)
    glance_hold_s: float = 0.6
    greeting_clips: tuple[str, ...] = ("nod", "surprise", "gentle_smile")
    greeting_s: float = 2.5  # 0: no greeting, the painting follows the visitor at once
    farewell_clips: tuple[str, ...] = ("nod",)
    farewell_s: float = 2.0  # 0: no farewell

    @classmethod
    def from_config(cls, attention: AttentionConfig) -> AttentionTimings:
        return cls(
            glance_every_s=tuple(attention.glance_every_s),
            glance_hold_s=attention.glance_hold_s,
            greeting_clips=tuple(attention.greeting_clips),
            greeting_s=attention.greeting_s,
            farewell_clips=tuple(attention.farewell_clips),
            farewell_s=attention.farewell_s,
        )


def missing_reaction_clips(timings: AttentionTimings, clip_names: set[str]) -> list[str]:
    """Problems for reaction clips config.yaml names that the clip library lacks (those
    reactions are skipped: the painting goes on without them)."""
    problems = []
    for key, names in (("greeting_clips", timings.greeting_clips),
                       ("farewell_clips", timings.farewell_clips)):  # fmt: skip
        for name in names:
            if name not in clip_names:
                known = ", ".join(sorted(clip_names))
                problems.append(
                    f"config.yaml: attention.{key}: no clip named {name!r}; name one of the "
                    f"built-in clips or a file in content/drivers/ ({known})"
                )
    return problems


class Ramp:
    """A weight that moves linearly towards its target over `duration` seconds, always from
    where it is now: a new target mid-fade never makes it jump."""

    def __init__(self, duration: float, value: float = 0.0) -> None:
        self.duration = duration
        self._from, self._to, self._t0 = value, value, -1e9

    def to(self, target: float, now: float) -> None:
        if target == self._to:
            return
        self._from, self._to, self._t0 = self.at(now), target, now

    @property
    def target(self) -> float:
        return self._to

    def at(self, now: float) -> float:
        if self.duration <= 0:
            return self._to
        u = min(max((now - self._t0) / self.duration, 0.0), 1.0)
        return self._from + (self._to - self._from) * u


@dataclass(frozen=True, slots=True)
class Reaction:
    """A clip from the library played as a reaction: which, how far into it, how strongly."""

    clip: str
    t: float  # seconds into the clip
    weight: float


class GlancePlan:
    """While the painting looks at someone, a glance away now and then and back: random
    pauses from `glance_every_s`, to one side at random, each held `glance_hold_s`."""

    def __init__(self, timings: AttentionTimings, rng: random.Random) -> None:
        self.t = timings
        self.rng = rng
        self._next_at: float | None = None
        self._side = 1.0

    def start(self, now: float) -> None:
        """The painting has just started looking: the first glance after a pause."""
        self._next_at = now + self.rng.uniform(*self.t.glance_every_s)

    def stop(self) -> None:
        self._next_at = None

    def glancing(self, now: float) -> bool:
        return self._offset_weight(now) > 0.0

    def target(self, now: float) -> tuple[float, float]:
        """Gaze target (gaze_x, gaze_y): (0, 0) is frontal, at the viewer."""
        if self._next_at is None:
            return 0.0, 0.0
        end = self._next_at + self.t.glance_hold_s + 2 * GLANCE_MOVE_S
        while now >= end:  # this glance is over: plan the next one
            self._next_at = end + self.rng.uniform(*self.t.glance_every_s)
            self._side = self.rng.choice((-1.0, 1.0))
            end = self._next_at + self.t.glance_hold_s + 2 * GLANCE_MOVE_S
        w = self._offset_weight(now)
        return GLANCE_GAZE[0] * self._side * w, GLANCE_GAZE[1] * w

    def _offset_weight(self, now: float) -> float:
        if self._next_at is None or now < self._next_at:
            return 0.0
        into = now - self._next_at
        back = self.t.glance_hold_s + GLANCE_MOVE_S
        if into < GLANCE_MOVE_S:
            u = into / GLANCE_MOVE_S
        elif into < back:
            u = 1.0
        else:
            u = max(0.0, 1.0 - (into - back) / GLANCE_MOVE_S)
        return u * u * (3.0 - 2.0 * u)  # smooth start and stop, as eyes move
