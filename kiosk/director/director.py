"""What plays now: attract loops, a live visitor, browsing; and the fades between them.

Pure logic driven by an injected clock value, so every transition can be tested exactly.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.config import TimeoutsConfig


class Mode(Enum):
    ATTRACT = "attract"  # nobody there: idle loops, exhibits change by themselves
    LIVE = "live"  # a visitor faces the camera: the painting follows them


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


class Director:
    def __init__(self, timings: DirectorTimings = DirectorTimings()) -> None:
        self.t = timings
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

    def update(self, now: float, visitor_present: bool) -> Scene:
        self._track_visitor(now, visitor_present)
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
        live = self._live_weight_at(now)
        return Scene(
            mode=self.mode,
            exhibit_id=self.current,
            previous_exhibit_id=self.previous,
            exhibit_fade=fade,
            live_weight=live,
            show_label=self._label_opened is not None,
            speech_weight=self._speech_weight_at(now),
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

    def _track_visitor(self, now: float, present: bool) -> None:
        if present:
            self._last_seen = now
            if self._seen_since is None:
                self._seen_since = now
            if self.mode is Mode.ATTRACT and now - self._seen_since >= self.t.visitor_enter_s:
                self._set_mode(Mode.LIVE, now, "visitor arrived")
        else:
            self._seen_since = None
            if self.mode is Mode.LIVE and now - self._last_seen >= self.t.visitor_leave_s:
                self._set_mode(Mode.ATTRACT, now, "visitor left")

    def _set_mode(self, mode: Mode, now: float, reason: str) -> None:
        self.transitions.append(Transition(now, self.mode.value, mode.value, reason))
        # Start the fade from wherever the previous fade had got to: never a jump.
        current = self._live_weight_at(now)
        self.mode = mode
        if mode is Mode.LIVE:
            self._live_since = now - current * self.t.crossfade_s
        else:
            self._attract_since = now - (1.0 - current) * self.t.crossfade_s
            self._shown_since = now  # a leaving visitor gets a moment before the painting changes

    def _live_weight_at(self, now: float) -> float:
        if self.mode is Mode.LIVE:
            return self._ramp(now - self._live_since)
        return 1.0 - self._ramp(now - self._attract_since)

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
