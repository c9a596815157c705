"""What the totem tells the central server about service, and nothing finer (contract v3).

``service.hour`` gives counts and times over a
span of whole hours holding at least :data:`~kiosk.core.events.MIN_SERVED` served citizens;
a smaller span joins the next, so no figure describes one or two citizens, let alone a desk.
Pure: the tickets come in as plain records, the clock as an argument.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kiosk.core.events import MAX_MINUTES, MIN_SERVED

# The wait range reaches this share of the estimate either side of it.
SPREAD = 0.3


@dataclass(frozen=True)
class Record:
    """One of the day's tickets of a service, as the figures see it (UTC instants)."""

    issued_at: datetime
    called_at: datetime | None = None
    done_at: datetime | None = None
    no_show_at: datetime | None = None
    counts_as_issued: bool = True  # False for a ticket transferred here from another service


def percentile(values: Sequence[float], q: float) -> int:
    """The nearest-rank percentile ``q`` (0-100) of ``values``, in whole minutes."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return min(MAX_MINUTES, max(0, round(ordered[rank - 1])))


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def wait_range(ahead: int, service_minutes: float, desks: int) -> list[int]:
    """``[low, high]`` minutes for a citizen with ``ahead`` people before them: people ahead x
    service time / open desks, with the service time :data:`SPREAD` lower and higher.

    The service time given must be a published figure (the configured one, or the last hourly
    ``service_p50``), never one measured on the last few citizens: a wait that moved when one
    citizen's service ended would tell when it ended.
    """
    if ahead <= 0:
        return [0, 0]
    per_desk = ahead * service_minutes / max(desks, 1)
    low = min(MAX_MINUTES, math.floor(per_desk * (1 - SPREAD)))
    return [low, min(MAX_MINUTES, max(low, math.ceil(per_desk * (1 + SPREAD))))]


@dataclass(frozen=True)
class Span:
    """Whole hours of one day, branch-local: ``[start, end)`` in hours (end may be 24)."""

    start: int
    end: int

    @property
    def label(self) -> str:
        return f"{self.start:02d}:00-{self.end:02d}:00"

    def bounds(self, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The span's first and last instant (wall-clock hours, so DST days just work)."""
        return _wall(day, self.start, tz), _wall(day, self.end, tz)


def _wall(day: date, hour: int, tz: ZoneInfo) -> datetime:
    if hour >= 24:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return datetime.combine(day, time(hour), tzinfo=tz)


Figures = dict[str, int | None]


def hour_figures(records: Iterable[Record], start: datetime, end: datetime) -> Figures:
    """The counts and times of ``service.hour`` for what happened in ``[start, end)``.

    Times are given only over at least :data:`MIN_SERVED` served citizens, else null.
    """
    issued = served = no_show = 0
    waits: list[float] = []
    service_times: list[float] = []
    for r in records:
        if r.counts_as_issued and start <= r.issued_at < end:
            issued += 1
        if r.no_show_at is not None and start <= r.no_show_at < end:
            no_show += 1
        if r.done_at is not None and r.called_at is not None and start <= r.done_at < end:
            served += 1
            waits.append(max(0.0, _minutes(r.issued_at, r.called_at)))
            service_times.append(max(0.0, _minutes(r.called_at, r.done_at)))
    enough = served >= MIN_SERVED
    return {
        "issued": issued,
        "served": served,
        "no_show": no_show,
        "wait_p50": percentile(waits, 50) if enough else None,
        "wait_p90": percentile(waits, 90) if enough else None,
        "service_p50": percentile(service_times, 50) if enough else None,
    }


def _moments(records: Iterable[Record]) -> list[datetime]:
    return [
        m
        for r in records
        for m in (r.issued_at, r.called_at, r.done_at, r.no_show_at)
        if m is not None
    ]


def first_hour(records: Iterable[Record], tz: ZoneInfo) -> int | None:
    """The local hour of the day's first recorded moment, where the first span starts."""
    moments = _moments(records)
    return min(moments).astimezone(tz).hour if moments else None


def spans_to_close(
    records: Sequence[Record],
    day: date,
    tz: ZoneInfo,
    start: int,
    now: datetime,
    day_over: bool,
) -> list[tuple[Span, Figures]]:
    """The spans that close now, from hour ``start``, with their figures.

    A span closes at the first whole hour (already past) by which it holds at least
    :data:`MIN_SERVED` served; a smaller one runs on into the next hour. When ``day_over``,
    whatever is left is closed too, up to the hour after the last thing that happened, with
    times only if it holds enough served.
    """
    local = now.astimezone(tz)
    last_hour = 24 if day_over or local.date() > day else local.hour
    out: list[tuple[Span, Figures]] = []
    for hour in range(start + 1, last_hour + 1):
        span = Span(start, hour)
        figures = hour_figures(records, *span.bounds(day, tz))
        if (figures["served"] or 0) >= MIN_SERVED:
            out.append((span, figures))
            start = hour
    if day_over and start < 24:
        span = Span(start, 24)
        figures = hour_figures(records, *span.bounds(day, tz))
        if any(figures[k] for k in ("issued", "served", "no_show")):
            latest = max(_moments(records)).astimezone(tz)
            end = 24 if latest.date() > day else min(24, max(start + 1, latest.hour + 1))
            out.append((Span(start, end), figures))
    return out
