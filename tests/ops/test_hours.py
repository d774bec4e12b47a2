"""Opening hours and the sleep policy, with fixed datetimes (nothing sleeps)."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.opening_hours import HoursError, OpeningHours
from kiosk.ops.hours import SleepPolicy

WEEK = {
    "mon": "closed",
    "tue": "10:00-18:00",
    "wed": "10:00-18:00",
    "thu": "10:00-12:00, 13:00-21:00",
    "fri": "18:00-02:00",  # late opening, into Saturday night
    "sat": "10:00-24:00",
    "sun": "00:00-06:00",
}
# 2024-01-01 is a Monday.
MON, TUE, WED, THU, FRI, SAT, SUN = (datetime(2024, 1, d) for d in range(1, 8))


def at(day: datetime, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return day.replace(hour=h, minute=m)


@pytest.fixture
def hours() -> OpeningHours:
    return OpeningHours.from_mapping(WEEK)


@pytest.mark.parametrize(
    ("day", "hhmm", "expected"),
    [
        (MON, "12:00", False),
        (TUE, "09:59", False), (TUE, "10:00", True), (TUE, "17:59", True), (TUE, "18:00", False),
        (THU, "12:30", False), (THU, "13:00", True),
        (FRI, "17:00", False), (FRI, "23:59", True), (SAT, "01:30", True), (SAT, "02:00", False),
        (SAT, "23:00", True), (SUN, "00:00", True), (SUN, "05:59", True), (SUN, "06:00", False),
    ],
)  # fmt: skip
def test_is_open(hours: OpeningHours, day: datetime, hhmm: str, expected: bool) -> None:
    assert hours.is_open(at(day, hhmm)) is expected


@pytest.mark.parametrize(
    ("now", "change"),
    [
        (at(MON, "12:00"), at(TUE, "10:00")),  # closed all Monday
        (at(TUE, "11:00"), at(TUE, "18:00")),
        (at(THU, "11:00"), at(THU, "12:00")),
        (at(THU, "12:00"), at(THU, "13:00")),
        (at(FRI, "20:00"), at(SAT, "02:00")),  # across midnight
        (at(SAT, "12:00"), at(SUN, "06:00")),  # Saturday until 24:00 runs into Sunday 00:00
        (at(SUN, "07:00"), at(TUE.replace(day=9), "10:00")),  # over the closed Monday
    ],
)
def test_next_change(hours: OpeningHours, now: datetime, change: datetime) -> None:
    assert hours.next_change(now) == change


def test_no_schedule_is_always_open() -> None:
    hours = OpeningHours.from_mapping(None)
    assert hours.is_open(at(MON, "03:00")) and hours.next_change(at(MON, "03:00")) is None


def test_all_day_every_day_never_changes() -> None:
    hours = OpeningHours.from_mapping({d: "00:00-24:00" for d in WEEK})
    assert hours.is_open(at(WED, "03:00")) and hours.next_change(at(WED, "03:00")) is None


def test_closed_every_day_never_opens() -> None:
    hours = OpeningHours.from_mapping({d: "closed" for d in WEEK})
    assert not hours.is_open(at(WED, "12:00")) and hours.next_change(at(WED, "12:00")) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tue": "10-18"}, r"tue: '10-18' is not a time range"),
        ({"wed": "25:00-26:00"}, r"wed: '25:00-26:00' has an impossible time"),
        ({"thu": "10:00-10:00"}, r"thu: .* starts and ends at the same time"),
        ({"fri": 10}, r"fri: 10 is not a time range; write it in quotes"),
        ({"sat": "shut"}, r"sat: 'shut' is not a time range"),
        ({"funday": "closed"}, r"'funday' is not a day"),
    ],
)
def test_bad_entries_name_the_day_and_value(change: dict, message: str) -> None:
    with pytest.raises(HoursError, match=message):
        OpeningHours.from_mapping({**WEEK, **change})


def test_a_missing_day_is_an_error() -> None:
    week = dict(WEEK)
    del week["wed"]
    with pytest.raises(HoursError, match="wed: missing"):
        OpeningHours.from_mapping(week)


def test_sleep_policy_open_closed_and_woken_by_touch(hours: OpeningHours) -> None:
    policy = SleepPolicy(hours, wake_on_touch_s=300.0, max_poll_s=2.0)
    open_now = policy.decide(at(TUE, "11:00"), now_mono=50.0, last_touch=None)
    assert not open_now.asleep and open_now.poll_interval_s == 0.0

    closed = policy.decide(at(MON, "12:00"), now_mono=50.0, last_touch=None)
    assert closed.asleep and closed.poll_interval_s == 2.0

    touched = policy.decide(at(MON, "12:00"), now_mono=1000.0, last_touch=800.0)
    assert not touched.asleep and touched.reason == "woken by touch"

    expired = policy.decide(at(MON, "12:05"), now_mono=1100.0, last_touch=800.0)
    assert expired.asleep


def test_sleep_policy_wakes_exactly_at_opening(hours: OpeningHours) -> None:
    policy = SleepPolicy(hours, max_poll_s=5.0)
    just_before = policy.decide(at(TUE, "09:59").replace(second=59), 0.0, None)
    assert just_before.asleep and just_before.poll_interval_s == 1.0
