"""Opening hours: when the museum is open, read from config.yaml's opening_hours.days.

A schedule maps each weekday to "HH:MM-HH:MM" (several ranges separated by commas), or
"closed". A range whose end is not after its start crosses midnight ("18:00-02:00" on Friday
is open until 2 a.m. on Saturday); "24:00" ends at midnight. Times are local wall-clock time:
pass naive local datetimes (datetime.now()).

Shared vocabulary below kiosk.config (which validates a schedule with it) and kiosk.ops.hours
(whose sleep policy follows it); it imports nothing of the kiosk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
CLOSED = "closed"
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_DAY = timedelta(days=1)


class HoursError(ValueError):
    """An opening-hours entry that cannot be read; the message names the day and the value."""


@dataclass(frozen=True, slots=True)
class _Range:
    start: timedelta  # from the day's midnight
    end: timedelta  # may exceed 24 h when the range crosses midnight


class OpeningHours:
    """When the museum is open. Build with from_mapping(); None/empty means always open."""

    def __init__(self, ranges: Mapping[int, tuple[_Range, ...]] | None) -> None:
        self._ranges = None if ranges is None else {d: tuple(ranges.get(d, ())) for d in range(7)}

    @classmethod
    def always_open(cls) -> OpeningHours:
        return cls(None)

    @classmethod
    def from_mapping(cls, days: Mapping[str, str] | None) -> OpeningHours:
        """Parse {"mon": "10:00-18:00", ..., "sun": "closed"}; every day must be given."""
        if not days:
            return cls.always_open()
        unknown = [k for k in days if str(k).lower() not in DAYS]
        if unknown:
            raise HoursError(f"{unknown[0]!r} is not a day; use {', '.join(DAYS)}")
        lowered = {str(k).lower(): v for k, v in days.items()}
        missing = [d for d in DAYS if d not in lowered]
        if missing:
            raise HoursError(
                f"{missing[0]}: missing; give every day a range like '10:00-18:00' or 'closed'"
            )
        return cls({i: _parse_day(d, lowered[d]) for i, d in enumerate(DAYS)})

    def is_open(self, when: datetime) -> bool:
        if self._ranges is None:
            return True
        return any(start <= when < end for start, end in self._intervals(when))

    def next_change(self, when: datetime) -> datetime | None:
        """The first moment after `when` at which is_open() flips; None if it never does."""
        if self._ranges is None:
            return None
        intervals = self._intervals(when)
        if not intervals:
            return None  # closed every day
        week_later = when + 7 * _DAY
        for start, end in intervals:
            if start <= when < end:
                return None if end > week_later else end  # open around the clock
            if start > when:
                return start
        return None

    def _intervals(self, when: datetime) -> list[tuple[datetime, datetime]]:
        """Open intervals from the day before `when` to 8 days after, merged where they touch."""
        assert self._ranges is not None
        today = datetime.combine(when.date(), time(0), tzinfo=when.tzinfo)
        raw = []
        for offset in range(-1, 9):
            midnight = today + offset * _DAY
            for r in self._ranges[midnight.weekday()]:
                raw.append((midnight + r.start, midnight + r.end))
        merged: list[tuple[datetime, datetime]] = []
        for start, end in sorted(raw):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged


def _parse_day(day: str, value: object) -> tuple[_Range, ...]:
    if not isinstance(value, str):
        raise HoursError(f"{day}: {value!r} is not a time range; write it in quotes like "
                         "'10:00-18:00', or 'closed'")  # fmt: skip
    text = value.strip().lower()
    if text == CLOSED:
        return ()
    ranges = []
    for part in text.split(","):
        m = _RANGE.match(part.strip())
        if not m:
            raise HoursError(
                f"{day}: {value!r} is not a time range; write 'HH:MM-HH:MM' "
                "(e.g. '10:00-18:00'; several separated by commas) or 'closed'"
            )
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2 != 0):
            raise HoursError(f"{day}: {value!r} has an impossible time; hours 0-23 (24:00 for "
                             "midnight at the end), minutes 0-59")  # fmt: skip
        start = timedelta(hours=h1, minutes=m1)
        end = timedelta(hours=h2, minutes=m2)
        if end == start:
            raise HoursError(f"{day}: {value!r} starts and ends at the same time; for all day "
                             "write '00:00-24:00'")  # fmt: skip
        if end < start:
            end += _DAY  # crosses midnight into the next day
        ranges.append(_Range(start, end))
    return tuple(ranges)
