"""What plays now: attract loops, people noticed, a live visitor, browsing; and the fades
between them.

Nobody there: the idle loops. Someone in view who has not engaged (passing by, further away,
side-on): the painting notices them, its eyes come to the viewer with now and then a glance
away (`attention_weight`, `gaze_target`). A visitor engages: a greeting (a reaction clip) and
then the painting follows them (`live_weight`); when they leave, a farewell, then back.

Pure logic driven by an injected clock value, so every transition can be tested exactly.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from kiosk.director.attention import REACTION_FADE_S, AttentionTimings, GlancePlan, Ramp, Reaction

if TYPE_CHECKING:
    from kiosk.config import TimeoutsConfig


class Mode(Enum):
    ATTRACT = "attract"  # nobody there: idle loops, exhibits change by themselves
    LIVE = "live"  # a visitor faces the camera: the painting follows them
    NOTICED = "noticed"  # people in view, none engaged: the painting looks at them
    GREETING = "greeting"  # a visitor engaged: the painting reacts before it follows them
    FAREWELL = "farewell"  # the visitor left: a brief farewell before the loops


@dataclass(frozen=True, slots=True)
class DirectorTimings:
    """Seconds; config.yaml's timeouts hold the values (from_config), and their defaults."""

    visitor_enter_s: float = 0.3  # a face must be seen this long before the painting follows
    visitor_leave_s: float = 2.0  # and be gone this long before it returns to its loops
    attract_exhibit_s: float = 40.0  # how long each painting shows in attract mode
    crossfade_s: float = 0.8  # motion and painting cross-fades
    label_hide_s: float = 20.0  # an opened label closes by itself after this long
    browse_hold_s: float = 60.0  # after a swipe or tap, no automatic advance for this long
    speech_blend_s: float = 0.2  # speech takes the mouth over, and gives it back, this fast

    @classmethod
    def from_config(cls, timeouts: TimeoutsConfig) -> DirectorTimings:
        return cls(
            visitor_enter_s=timeouts.visitor_enter_s,
            visitor_leave_s=timeouts.visitor_leave_s,
            attract_exhibit_s=timeouts.attract_exhibit_s,
            crossfade_s=timeouts.crossfade_s,
            label_hide_s=timeouts.label_hide_s,
            browse_hold_s=timeouts.browse_hold_s,
            speech_blend_s=timeouts.speech_blend_s,
        )


@dataclass(frozen=True, slots=True)
class Transition:
    at: float
    before: str
    after: str
    reason: str


@dataclass(frozen=True, slots=True)
class Scene:
    """The director's decision for one displayed frame."""

    mode: Mode
    exhibit_id: str | None
    previous_exhibit_id: str | None  # fading out, while `exhibit_fade` < 1
    exhibit_fade: float  # 0..1, how far the new painting has faded in
    live_weight: float  # 0 = idle loop only, 1 = the visitor only
    show_label: bool
    speech_weight: float = 0.0  # 0..1, how much speech owns the mouth (head, eyes: never)
    attention_weight: float = 0.0  # how far the attention source owns the gaze (and a little head)
    gaze_target: tuple[float, float] = (0.0, 0.0)  # attention's gaze; (0, 0) = at the viewer
    reaction: Reaction | None = None  # a greeting or farewell clip playing over the idle loop


class Director:
    def __init__(
        self,
        timings: DirectorTimings = DirectorTimings(),
        attention: AttentionTimings | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.t = timings
        self.a = attention if attention is not None else AttentionTimings()
        self._rng = rng if rng is not None else random.Random()
        self.mode = Mode.ATTRACT
        self.exhibit_ids: list[str] = []
        self.current: str | None = None
        self.previous: str | None = None
        self.transitions: deque[Transition] = deque(maxlen=256)
        self._changed_at = -1e9
        self._shown_since = 0.0
        self._seen_since: float | None = None
        self._last_seen = -1e9
        self._live_since = -1e9
        self._attract_since = -1e9
        self._label_opened: float | None = None
        self._last_touch = -1e9
        self._speech_since: float | None = None  # speaking since; None when not speaking
        self._speech_until = -1e9  # when the last speech ended (its blend out)
        self._speech_from = 0.0  # speech's weight when it last changed hands
        # Anyone in view (engaged or not), for noticing.
        self._anyone_since: float | None = None
        self._last_anyone = -1e9
        self._live = Ramp(timings.crossfade_s)
        self._attention = Ramp(timings.crossfade_s)
        self._reaction = Ramp(REACTION_FADE_S)
        self._reaction_clip: tuple[str, float] | None = None  # clip, started at
        self._glances = GlancePlan(self.a, self._rng)

    # -- inputs ---------------------------------------------------------------------------

    def set_exhibits(self, ids: list[str], now: float) -> None:
        """The library changed: keep showing the current painting if it still exists."""
        self.exhibit_ids = list(ids)
        if self.current not in self.exhibit_ids:
            self._switch(self.exhibit_ids[0] if self.exhibit_ids else None, now, fade=True)

    def step(self, delta: int, now: float) -> None:
        """A visitor swiped (delta +1 next, -1 previous)."""
        self._last_touch = now
        self._advance(delta, now)

    def show(self, exhibit_id: str, now: float) -> None:
        if exhibit_id in self.exhibit_ids:
            self._switch(exhibit_id, now, fade=True)

    def toggle_label(self, now: float) -> None:
        self._last_touch = now
        self._label_opened = None if self._label_opened is not None else now

    def touched(self, now: float) -> None:
        self._last_touch = now

    def speaking(self, active: bool, now: float) -> None:
        """Speech started (True) or ended (False): it takes the mouth over, or gives it back,
        blending from wherever the last blend had got to."""
        if active == (self._speech_since is not None):
            return
        self._speech_from = self._speech_weight_at(now)
        self._label_opened = now if self._label_opened is not None else None  # full time again
        if active:
            self._speech_since = now
        else:
            self._speech_since, self._speech_until = None, now

    # -- per frame ------------------------------------------------------------------------

    def update(self, now: float, visitor_present: bool, people_in_view: int = 0) -> Scene:
        """This frame's scene. `visitor_present`: an engaged visitor is followed by the
        tracker; `people_in_view`: how many faces it sees in all (engaged or not)."""
        self._track_visitor(now, visitor_present, people_in_view)
        if (
            self.mode is Mode.ATTRACT
            and len(self.exhibit_ids) > 1
            and now - self._shown_since >= self.t.attract_exhibit_s
            and now - self._last_touch >= self.t.browse_hold_s
        ):
            self._advance(+1, now)
        if (
            self._label_opened is not None
            and self._speech_since is None  # an open label stays open while it is read out
            and now - self._label_opened >= self.t.label_hide_s
        ):
            self._label_opened = None
        fade = self._ramp(now - self._changed_at)
        if fade >= 1.0:
            self.previous = None
        return Scene(
            mode=self.mode,
            exhibit_id=self.current,
            previous_exhibit_id=self.previous,
            exhibit_fade=fade,
            live_weight=self._live.at(now),
            show_label=self._label_opened is not None,
            speech_weight=self._speech_weight_at(now),
            attention_weight=self._attention.at(now),
            gaze_target=self._glances.target(now),
            reaction=self._reaction_at(now),
        )

    def _advance(self, delta: int, now: float) -> None:
        if not self.exhibit_ids:
            return
        i = self.exhibit_ids.index(self.current) if self.current in self.exhibit_ids else -1
        self._switch(self.exhibit_ids[(i + delta) % len(self.exhibit_ids)], now, fade=True)

    # -- internals ------------------------------------------------------------------------

    def _ramp(self, elapsed: float) -> float:
        if self.t.crossfade_s <= 0:
            return 1.0
        return min(max(elapsed / self.t.crossfade_s, 0.0), 1.0)

    def _track_visitor(self, now: float, present: bool, people: int) -> None:
        if present:
            self._last_seen = now
            if self._seen_since is None:
                self._seen_since = now
        else:
            self._seen_since = None
        if present or people > 0:
            self._last_anyone = now
            if self._anyone_since is None:
                self._anyone_since = now
        else:
            self._anyone_since = None
        engaged = present and now - self._seen_since >= self.t.visitor_enter_s
        gone = not present and now - self._last_seen >= self.t.visitor_leave_s
        noticed = (
            self._anyone_since is not None and now - self._anyone_since >= self.t.visitor_enter_s
        )
        nobody = now - self._last_anyone >= self.t.visitor_leave_s
        after_nobody = Mode.ATTRACT if nobody else Mode.NOTICED
        mode = self.mode
        if mode in (Mode.ATTRACT, Mode.NOTICED) and engaged:
            self._greet(now)
        elif mode is Mode.ATTRACT and noticed:
            self._set_mode(Mode.NOTICED, now, "someone in view")
        elif mode is Mode.NOTICED and nobody:
            self._set_mode(Mode.ATTRACT, now, "nobody in view")
        elif mode is Mode.GREETING and gone:
            self._set_mode(after_nobody, now, "visitor left before the greeting ended")
        elif mode is Mode.GREETING and now - self._reaction_clip[1] >= self.a.greeting_s:
            self._set_mode(Mode.LIVE, now, "greeted the visitor")
        elif mode is Mode.LIVE and gone:
            self._farewell(now)
        elif mode is Mode.FAREWELL and present:
            self._set_mode(Mode.LIVE, now, "visitor came back")
        elif mode is Mode.FAREWELL and now - self._reaction_clip[1] >= self.a.farewell_s:
            self._set_mode(after_nobody, now, "said farewell")

    def _greet(self, now: float) -> None:
        if self.a.greeting_s > 0 and self.a.greeting_clips:
            self._reaction_clip = (self._rng.choice(self.a.greeting_clips), now)
            self._set_mode(Mode.GREETING, now, "visitor arrived")
        else:
            self._set_mode(Mode.LIVE, now, "visitor arrived")

    def _farewell(self, now: float) -> None:
        if self.a.farewell_s > 0 and self.a.farewell_clips:
            self._reaction_clip = (self._rng.choice(self.a.farewell_clips), now)
            self._set_mode(Mode.FAREWELL, now, "visitor left")
        else:
            nobody = now - self._last_anyone >= self.t.visitor_leave_s
            self._set_mode(Mode.ATTRACT if nobody else Mode.NOTICED, now, "visitor left")

    def _set_mode(self, mode: Mode, now: float, reason: str) -> None:
        """Switch mode; every weight fades from wherever it has got to: never a jump."""
        self.transitions.append(Transition(now, self.mode.value, mode.value, reason))
        self.mode = mode
        self._live.to(1.0 if mode is Mode.LIVE else 0.0, now)
        looking = mode in (Mode.NOTICED, Mode.GREETING, Mode.FAREWELL)
        self._attention.to(1.0 if looking else 0.0, now)
        self._reaction.to(1.0 if mode in (Mode.GREETING, Mode.FAREWELL) else 0.0, now)
        if mode is Mode.NOTICED:
            self._glances.start(now)
        else:
            self._glances.stop()
        if mode is Mode.ATTRACT:
            self._shown_since = now  # a leaving visitor gets a moment before the painting changes

    def _reaction_at(self, now: float) -> Reaction | None:
        weight = self._reaction.at(now)
        if self._reaction_clip is None or weight <= 0.0:
            return None
        clip, started = self._reaction_clip
        return Reaction(clip, now - started, weight)

    def _speech_weight_at(self, now: float) -> float:
        """Moving at one full blend per speech_blend_s, from where the last change left it."""
        blend = self.t.speech_blend_s
        if self._speech_since is not None:
            step = 1.0 if blend <= 0 else max(now - self._speech_since, 0.0) / blend
            return min(1.0, self._speech_from + step)
        step = 1.0 if blend <= 0 else max(now - self._speech_until, 0.0) / blend
        return max(0.0, self._speech_from - step)

    def _switch(self, exhibit_id: str | None, now: float, fade: bool) -> None:
        if exhibit_id == self.current:
            return
        self.previous = self.current if fade else None
        self.current = exhibit_id
        self._changed_at = now if fade and self.previous is not None else -1e9
        self._shown_since = now
        self._label_opened = None
