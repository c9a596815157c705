"""Opening hours: parsing, lunch breaks, next opening and DST-change days."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from kiosk.core.hours import HoursError, Interval, WeeklyHours, local_instant, parse_time
from tests.conftest import ROME, rome

LUNCH = WeeklyHours.parse({"mon": ["08:30-12:30", "14:30-16:30"], "tue": ["08:30-12:30"]})


@pytest.mark.parametrize(
    ("text", "expected"),
    [("00:00", time(0, 0)), ("08:30", time(8, 30)), ("23:59", time(23, 59)), ("24:00", time.max)],
)
def test_parse_time_accepts(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "8:30", "08:60", "0830", "", "24:01", "ab:cd", " 08:30"])
def test_parse_time_refuses(text: str) -> None:
    with pytest.raises(HoursError, match="is not a time"):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12:30-08:30", "ends before it starts"),
        ("08:30-08:30", "ends before it starts"),
        ("08:30", "is not an interval"),
        ("08:30-12:30-14:00", "is not an interval"),
        ("24:00-24:00", "cannot start an interval"),
    ],
)
def test_interval_refuses(text: str, message: str) -> None:
    with pytest.raises(HoursError, match=message):
        Interval.parse(text)


def test_overlapping_intervals_refused() -> None:
    with pytest.raises(HoursError, match="overlap"):
        WeeklyHours.parse({"mon": ["08:30-12:30", "12:00-14:00"]})


def test_adjacent_intervals_allowed() -> None:
    hours = WeeklyHours.parse({"mon": ["12:00-14:00", "08:30-12:00"]})
    assert [str(iv) for iv in hours.days["mon"]] == ["08:30-12:00", "12:00-14:00"]


@pytest.mark.parametrize(
    ("when", "open_"),
    [
        (rome(2026, 11, 23, 8, 29), False),  # Monday, before opening
        (rome(2026, 11, 23, 8, 30), True),  # opening minute is inclusive
        (rome(2026, 11, 23, 12, 29), True),
        (rome(2026, 11, 23, 12, 30), False),  # closing minute is exclusive
        (rome(2026, 11, 23, 13, 30), False),  # lunch break
        (rome(2026, 11, 23, 14, 30), True),
        (rome(2026, 11, 23, 16, 30), False),
        (rome(2026, 11, 24, 15, 0), False),  # Tuesday has no afternoon
        (rome(2026, 11, 25, 10, 0), False),  # Wednesday is closed
    ],
)
def test_current_window_with_lunch_break(when: datetime, open_: bool) -> None:
    assert (LUNCH.current_window(when, ROME) is not None) is open_


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (rome(2026, 11, 23, 7, 0), rome(2026, 11, 23, 8, 30)),
        (rome(2026, 11, 23, 13, 0), rome(2026, 11, 23, 14, 30)),  # after lunch
        (rome(2026, 11, 23, 17, 0), rome(2026, 11, 24, 8, 30)),  # tomorrow
        (rome(2026, 11, 24, 13, 0), rome(2026, 11, 30, 8, 30)),  # next Monday
    ],
)
def test_next_opening(when: datetime, expected: datetime) -> None:
    assert LUNCH.next_opening(when, ROME) == expected.astimezone(UTC)


def test_no_opening_at_all() -> None:
    assert WeeklyHours.parse({}).next_opening(rome(2026, 11, 23), ROME) is None


def test_spring_forward_day_interval_is_shorter() -> None:
    # 29 March 2026: Rome jumps from 02:00 to 03:00. "01:00-04:00" lasts two real hours.
    hours = WeeklyHours.parse({"sun": ["01:00-04:00"]})
    start, end = hours.windows_on(datetime(2026, 3, 29).date(), ROME)[0]
    assert end - start == timedelta(hours=2)
    assert start == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)


def test_fall_back_day_interval_is_longer() -> None:
    # 25 October 2026: Rome goes back from 03:00 to 02:00. "01:00-04:00" lasts four hours.
    hours = WeeklyHours.parse({"sun": ["01:00-04:00"]})
    start, end = hours.windows_on(datetime(2026, 10, 25).date(), ROME)[0]
    assert end - start == timedelta(hours=4)


@pytest.mark.parametrize(
    ("utc_when", "open_"),
    [
        # Summer time (UTC+2) on the Monday after the spring change: 08:30 local is 06:30 UTC.
        (datetime(2026, 3, 30, 6, 29, tzinfo=UTC), False),
        (datetime(2026, 3, 30, 6, 30, tzinfo=UTC), True),
        # Winter time (UTC+1) on the Monday before: 08:30 local is 07:30 UTC.
        (datetime(2026, 3, 23, 7, 29, tzinfo=UTC), False),
        (datetime(2026, 3, 23, 7, 30, tzinfo=UTC), True),
    ],
)
def test_opening_follows_local_wall_clock_across_dst(utc_when: datetime, open_: bool) -> None:
    assert (LUNCH.current_window(utc_when, ROME) is not None) is open_


def test_local_instant_end_of_day_is_next_midnight() -> None:
    day = datetime(2026, 11, 23).date()
    assert local_instant(day, time.max, ROME) == rome(2026, 11, 24, 0, 0).astimezone(UTC)
