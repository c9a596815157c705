"""Availability of a service, the wait estimate and the order in which desks call tickets."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from kiosk.core.hours import WeeklyHours
from kiosk.core.tickets import MAX_NUMBER, Kind

# Learned service time: an exponential moving average over today's served tickets.
SERVICE_TIME_WEIGHT = 0.3
# Durations outside this range (minutes) are a desk that forgot to press "done" or pressed it
# twice; they say nothing about how long a service takes.
SERVICE_TIME_RANGE = (0.5, 90.0)
# The predicted wait range (see :func:`predicted_wait`; tuned on tests/simday.py's days).
PACE_SAMPLES = 5  # served citizens before today's spread is used
PACE_EVERY_MIN = 15  # the pace takes in the citizens served up to the last quarter hour
PACE_WINDOW = 30  # the spread is that of the latest this many
EARLY_SPREAD = 0.5  # the spread before then, as a share of the configured time
WAIT_Z = 1.6  # spreads either side of the centre (real waits fall inside ~80% of the time)


class Reason(StrEnum):
    """Why a service does or does not offer a walk-in ticket now."""

    OPEN = "open"
    CLOSED = "closed"  # closed now; ``until`` says when it opens (None: not in the next week)
    CAP_REACHED = "cap_reached"  # the daily cap or the day's numbers are used up
    CLOSING = "closing"  # open, but the predicted start of service is after closing time
    PRINTER = "printer"  # the printer cannot print and the totem is set to block


@dataclass(frozen=True)
class Availability:
    """Whether a walk-in ticket is offered, and if not, why."""

    reason: Reason
    until: datetime | None = None  # for CLOSED: the next opening (UTC)

    @property
    def available(self) -> bool:
        return self.reason is Reason.OPEN

    def describe(self, tz: ZoneInfo, now: datetime) -> str:
        """A short English description, for logs and the CLI (the UI translates ``reason``)."""
        if self.reason is Reason.CLOSED:
            if self.until is None:
                return "closed"
            local = self.until.astimezone(tz)
            if local.date() == now.astimezone(tz).date():
                return f"closed until {local:%H:%M}"
            return f"closed until {local:%a %H:%M}"
        return {
            Reason.OPEN: "open",
            Reason.CAP_REACHED: "no more tickets today",
            Reason.CLOSING: "no more tickets today",
            Reason.PRINTER: "printer unavailable",
        }[self.reason]


def learned_service_minutes(configured: float, served_minutes: Iterable[float]) -> float:
    """The service time estimate: the configured value, moved by each served ticket in turn.

    Args:
        configured: the starting estimate from the configuration.
        served_minutes: durations of today's served tickets of the service, oldest first.
    """
    estimate = configured
    low, high = SERVICE_TIME_RANGE
    for minutes in served_minutes:
        if low <= minutes <= high:
            estimate += SERVICE_TIME_WEIGHT * (minutes - estimate)
    return estimate


@dataclass(frozen=True)
class Pace:
    """How long a citizen of a service takes today: the learned time and its spread (minutes)."""

    minutes: float
    spread: float  # standard deviation


def pace(configured: float, served_minutes: Sequence[float]) -> Pace:
    """Today's pace, from the service times of today's served citizens, oldest first.

    Before :data:`PACE_SAMPLES` are served, the configured time with a spread of
    :data:`EARLY_SPREAD` of it; then the learned time and the spread of the latest
    :data:`PACE_WINDOW` citizens, so the range follows the day as it changes.
    """
    low, high = SERVICE_TIME_RANGE
    usable = [m for m in served_minutes if low <= m <= high]
    minutes = learned_service_minutes(configured, usable)
    if len(usable) < PACE_SAMPLES:
        return Pace(minutes, configured * EARLY_SPREAD)
    import statistics  # with fractions and decimal: loaded when first needed, not at start

    return Pace(minutes, statistics.pstdev(usable[-PACE_WINDOW:]))


def pace_cut(now: datetime) -> datetime:
    """The last whole :data:`PACE_EVERY_MIN` minutes before ``now`` (UTC): the phone's pace
    takes in only the citizens served before it."""
    utc = now.astimezone(UTC)
    return utc.replace(
        minute=utc.minute // PACE_EVERY_MIN * PACE_EVERY_MIN, second=0, microsecond=0
    )


def predicted_wait(ahead: int, desks: int, pace: Pace, floor: float) -> list[int]:
    """``[low, high]`` minutes until a citizen with ``ahead`` people before them is called.

    Each person ahead takes a service time over the open desks, and the citizen waits on
    average half a service more for a desk to finish. The range is :data:`WAIT_Z` spreads of
    that sum (whose spread grows with the square root of the people in it) either side, and
    never narrower than ``floor`` minutes either side.

    It moves only when ``ahead`` does (a call, which the screens show anyway) or when the pace
    does (see :func:`pace`, fed only with citizens served before the last quarter hour): never
    when a desk finishes with someone, so a phone cannot time a desk's work.

    Args:
        ahead: people called before this citizen.
        desks: the desks the configuration gives the service.
        pace: today's pace.
        floor: the least half-width of the range.
    """
    desks = max(desks, 1)
    ahead = max(ahead, 0)
    centre = (ahead + 0.5) * pace.minutes / desks
    half = max(floor, WAIT_Z * pace.spread * math.sqrt(ahead + 1) / desks)
    low = max(0, math.floor(centre - half))
    return [low, max(low, math.ceil(centre + half))]


def wait_minutes(ahead: int, service_minutes: float, desks: int) -> int:
    """People ahead x service time / open desks, rounded up to whole minutes."""
    if ahead <= 0:
        return 0
    return math.ceil(ahead * service_minutes / max(desks, 1))


def availability(
    *,
    now: datetime,
    tz: ZoneInfo,
    hours: WeeklyHours,
    issued_today: int,
    daily_cap: int | None,
    wait_min: int,
    printer_blocks: bool = False,
) -> Availability:
    """Whether a walk-in ticket for a service can be issued at ``now``.

    Args:
        now: the current instant (aware).
        tz: the branch timezone.
        hours: the service's opening hours.
        issued_today: tickets of the service already numbered today (all kinds).
        daily_cap: the configured cap on tickets per day, if any.
        wait_min: the current wait estimate for a new ticket.
        printer_blocks: the printer is faulty and the totem is set to block issuing.
    """
    window = hours.current_window(now, tz)
    if window is None:
        return Availability(Reason.CLOSED, hours.next_opening(now, tz))
    cap = min(daily_cap or MAX_NUMBER, MAX_NUMBER)
    if issued_today >= cap:
        return Availability(Reason.CAP_REACHED)
    if now.astimezone(UTC) + timedelta(minutes=wait_min) >= window[1]:
        return Availability(Reason.CLOSING)
    if printer_blocks:
        return Availability(Reason.PRINTER)
    return Availability(Reason.OPEN)


@dataclass(frozen=True)
class Waiting:
    """A ticket waiting to be called, as the call order sees it."""

    ticket_id: int
    service: str
    kind: Kind
    issued_at: datetime
    slot_at: datetime | None = None  # appointments: the booked slot
    returned_at: datetime | None = None  # a no-show who came back within the tolerance
    transferred_at: datetime | None = None  # sent here by a desk of another service


def call_rank(entry: Waiting, now: datetime) -> tuple[int, datetime, int]:
    """Sort key for calling: lower is called first.

    Class 0: appointments whose slot has come, re-entries and transfers (citizens who already
    queued once).
    Class 1: no-shows who came back within the tolerance: near the front, after class 0.
    Class 2: everyone else in order of arrival (appointments checked in early wait here until
    their slot comes, so they are never called after walk-ins who came later than their slot).
    """
    if entry.transferred_at is not None:
        return (0, entry.transferred_at, entry.ticket_id)
    if entry.kind is Kind.REENTRY:
        return (0, entry.issued_at, entry.ticket_id)
    if entry.kind is Kind.APPOINTMENT and entry.slot_at is not None and entry.slot_at <= now:
        return (0, entry.slot_at, entry.ticket_id)
    if entry.returned_at is not None:
        return (1, entry.returned_at, entry.ticket_id)
    return (2, entry.issued_at, entry.ticket_id)


def call_order(waiting: Iterable[Waiting], services: Sequence[str], now: datetime) -> list[Waiting]:
    """The waiting tickets of ``services`` in the order a desk serving them calls them."""
    wanted = set(services)
    return sorted((w for w in waiting if w.service in wanted), key=lambda w: call_rank(w, now))


def people_ahead(waiting: Iterable[Waiting], ticket_id: int, now: datetime) -> int:
    """How many tickets of the same service will be called before ``ticket_id``."""
    entries = list(waiting)
    mine = next(w for w in entries if w.ticket_id == ticket_id)
    order = call_order(entries, [mine.service], now)
    return [w.ticket_id for w in order].index(ticket_id)
