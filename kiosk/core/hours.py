"""Opening hours per weekday, in the branch's timezone, correct across DST changes.

Wall-clock times ("08:30") are interpreted in the branch timezone on each local date; all
arithmetic between instants is done in UTC, because Python subtracts two datetimes that share
a tzinfo as if they were naive, which is wrong on the days the clocks change.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"\A([01]\d|2[0-3]):([0-5]\d)\Z", re.ASCII)


class HoursError(ValueError):
    """A textual interval or time is malformed; ``value`` is the offending part."""

    def __init__(self, value: str, message: str) -> None:
        super().__init__(message)
        self.value = value


def parse_time(text: str) -> time:
    """Parse ``HH:MM`` (24 h). ``24:00`` is accepted as the end of the day.

    Raises:
        HoursError: the text is not a time.
    """
    if text == "24:00":
        return time.max
    match = _TIME.match(text)
    if not match:
        raise HoursError(text, f'"{text}" is not a time')
    return time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True, order=True)
class Interval:
    """One opening interval of a day, ``start`` inclusive, ``end`` exclusive."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> Interval:
        """Parse ``"08:30-12:30"``.

        Raises:
            HoursError: malformed text, a bad time, or an end not after the start.
        """
        parts = text.split("-")
        if len(parts) != 2:
            raise HoursError(text, f'"{text}" is not an interval like "08:30-12:30"')
        start, end = parse_time(parts[0].strip()), parse_time(parts[1].strip())
        if start == time.max:
            raise HoursError(parts[0], f'"{parts[0]}" cannot start an interval')
        if end <= start:
            raise HoursError(text, f'"{text}" ends before it starts')
        return cls(start, end)

    def __str__(self) -> str:
        end = "24:00" if self.end == time.max else self.end.strftime("%H:%M")
        return f"{self.start:%H:%M}-{end}"


def local_instant(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The UTC instant at which the wall clock in ``tz`` shows ``wall`` on ``day``.

    A wall time skipped by a spring-forward change maps to the first instant after the gap
    (fold=0 semantics of zoneinfo give the pre-transition offset, which lands after the gap
    once normalised to UTC); ``time.max`` means midnight at the end of the day.
    """
    if wall == time.max:
        return local_instant(day + timedelta(days=1), time(0, 0), tz)
    return datetime.combine(day, wall, tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class WeeklyHours:
    """Opening intervals per weekday (``mon`` .. ``sun``); a missing day is closed."""

    days: Mapping[str, tuple[Interval, ...]]

    @classmethod
    def parse(cls, spec: Mapping[str, Iterable[str]]) -> WeeklyHours:
        """Build from the configuration shape ``{"mon": ["08:30-12:30", ...], ...}``.

        Raises:
            HoursError: an interval is malformed or two intervals of a day overlap.
        """
        days: dict[str, tuple[Interval, ...]] = {}
        for day, texts in spec.items():
            intervals = tuple(sorted(Interval.parse(t) for t in texts))
            for earlier, later in itertools.pairwise(intervals):
                if later.start < earlier.end:
                    raise HoursError(str(later), f'"{earlier}" and "{later}" overlap')
            days[day] = intervals
        return cls(days)

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        """The intervals of the weekday ``day`` falls on."""
        return self.days.get(WEEKDAYS[day.weekday()], ())

    def windows_on(self, day: date, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
        """The opening windows of a local date as UTC instants ``[start, end)``."""
        return [
            (local_instant(day, iv.start, tz), local_instant(day, iv.end, tz))
            for iv in self.intervals_on(day)
        ]

    def current_window(self, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
        """The window containing ``now``, or None when closed."""
        instant = now.astimezone(UTC)
        for start, end in self.windows_on(now.astimezone(tz).date(), tz):
            if start <= instant < end:
                return start, end
        return None

    def open_later_today(self, now: datetime, tz: ZoneInfo) -> bool:
        """Whether the service is open now or opens again before the local day ends."""
        instant = now.astimezone(UTC)
        return any(end > instant for _start, end in self.windows_on(now.astimezone(tz).date(), tz))

    def next_opening(self, now: datetime, tz: ZoneInfo, horizon_days: int = 8) -> datetime | None:
        """The first window start strictly after ``now`` (UTC), or None within the horizon."""
        instant = now.astimezone(UTC)
        today = now.astimezone(tz).date()
        for offset in range(horizon_days):
            for start, _end in self.windows_on(today + timedelta(days=offset), tz):
                if start > instant:
                    return start
        return None
