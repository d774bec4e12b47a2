"""An exhibit's idle playlist: weighted random clips, no immediate repeats, cross-faded."""

from __future__ import annotations

import random
from dataclasses import dataclass

from kiosk.clips.clip import Clip
from kiosk.motion.motion import Motion, blend


@dataclass(frozen=True, slots=True)
class PlaylistEntry:
    clip: str
    weight: float = 1.0


class PlaylistPlayer:
    """Plays clips one after another; each new clip fades in over `crossfade_s`.

    Short clips repeat until at least `min_play_s` have passed, so the painting does not
    fidget from one idea to the next. Both come from config.yaml's timeouts (crossfade_s,
    clip_min_play_s).
    """

    def __init__(
        self,
        entries: list[PlaylistEntry],
        clips: dict[str, Clip],
        crossfade_s: float = 0.8,
        min_play_s: float = 6.0,
        rng: random.Random | None = None,
    ) -> None:
        self.entries = [e for e in entries if e.clip in clips and e.weight > 0] or [
            PlaylistEntry(name) for name in sorted(clips)[:1]
        ]
        self.clips = clips
        self.crossfade_s = crossfade_s
        self.min_play_s = min_play_s
        self.rng = rng or random.Random()
        self.current: str | None = None
        self.previous: str | None = None
        self._started = 0.0
        self._play_for = 0.0
        self._prev_started = 0.0

    def _pick(self) -> str:
        choices = [e for e in self.entries if e.clip != self.current] or self.entries
        weights = [e.weight for e in choices]
        return self.rng.choices(choices, weights=weights, k=1)[0].clip

    def _start(self, now: float) -> None:
        self.previous, self._prev_started = self.current, self._started
        self.current = self._pick()
        self._started = now
        duration = self.clips[self.current].duration
        repeats = max(1, int(-(-self.min_play_s // duration)))
        self._play_for = duration * repeats

    def motion_at(self, now: float) -> Motion:
        if self.current is None:
            self._start(now)
            self.previous = None
        elif now - self._started >= self._play_for:
            self._start(now)
        assert self.current is not None
        motion = self.clips[self.current].motion_at(now - self._started)
        fade = (now - self._started) / self.crossfade_s if self.crossfade_s > 0 else 1.0
        if self.previous is not None and fade < 1.0:
            before = self.clips[self.previous].motion_at(now - self._prev_started)
            return blend(before, motion, fade)
        return motion
