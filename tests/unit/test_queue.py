"""Availability with its reason, the wait estimate and the call order, from tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.core.hours import WeeklyHours
from kiosk.core.queue import (
    Availability,
    Reason,
    Waiting,
    availability,
    call_order,
    learned_service_minutes,
    people_ahead,
    wait_minutes,
)
from kiosk.core.tickets import Kind
from tests.conftest import ROME, rome

HOURS = WeeklyHours.parse({"mon": ["08:30-12:30", "14:30-16:30"], "tue": ["08:30-12:30"]})


@pytest.mark.parametrize(
    ("when", "issued", "cap", "wait", "blocks", "reason", "until"),
    [
        (rome(2026, 11, 23, 10, 0), 0, None, 0, False, Reason.OPEN, None),
        (rome(2026, 11, 23, 7, 0), 0, None, 0, False, Reason.CLOSED, rome(2026, 11, 23, 8, 30)),
        (rome(2026, 11, 23, 13, 0), 0, None, 0, False, Reason.CLOSED, rome(2026, 11, 23, 14, 30)),
        (rome(2026, 11, 23, 17, 0), 0, None, 0, False, Reason.CLOSED, rome(2026, 11, 24, 8, 30)),
        (rome(2026, 11, 23, 10, 0), 120, 120, 0, False, Reason.CAP_REACHED, None),
        (rome(2026, 11, 23, 10, 0), 119, 120, 0, False, Reason.OPEN, None),
        (rome(2026, 11, 23, 10, 0), 999, None, 0, False, Reason.CAP_REACHED, None),
        # Predicted start 12:20 + 10 min = 12:30 = closing: no ticket.
        (rome(2026, 11, 23, 12, 20), 0, None, 10, False, Reason.CLOSING, None),
        (rome(2026, 11, 23, 12, 20), 0, None, 9, False, Reason.OPEN, None),
        (rome(2026, 11, 23, 10, 0), 0, None, 0, True, Reason.PRINTER, None),
        # Closed beats the printer: the citizen learns the more useful reason.
        (rome(2026, 11, 23, 13, 0), 0, None, 0, True, Reason.CLOSED, rome(2026, 11, 23, 14, 30)),
    ],
)
def test_availability(when, issued, cap, wait, blocks, reason, until) -> None:
    got = availability(
        now=when,
        tz=ROME,
        hours=HOURS,
        issued_today=issued,
        daily_cap=cap,
        wait_min=wait,
        printer_blocks=blocks,
    )
    assert got.reason is reason
    assert got.available is (reason is Reason.OPEN)
    assert got.until == (until.astimezone(UTC) if until else None)


@pytest.mark.parametrize(
    ("state", "now", "text"),
    [
        (Availability(Reason.OPEN), rome(2026, 11, 23), "open"),
        (
            Availability(Reason.CLOSED, rome(2026, 11, 23, 14, 30)),
            rome(2026, 11, 23, 13),
            "closed until 14:30",
        ),
        (
            Availability(Reason.CLOSED, rome(2026, 11, 24, 8, 30)),
            rome(2026, 11, 23, 17),
            "closed until Tue 08:30",
        ),
        (Availability(Reason.CLOSED), rome(2026, 11, 23), "closed"),
        (Availability(Reason.CAP_REACHED), rome(2026, 11, 23), "no more tickets today"),
        (Availability(Reason.CLOSING), rome(2026, 11, 23), "no more tickets today"),
        (Availability(Reason.PRINTER), rome(2026, 11, 23), "printer unavailable"),
    ],
)
def test_describe(state: Availability, now: datetime, text: str) -> None:
    assert state.describe(ROME, now) == text


@pytest.mark.parametrize(
    ("ahead", "minutes", "desks", "expected"),
    [
        (0, 8, 2, 0),
        (1, 8, 2, 4),
        (3, 8, 2, 12),
        (3, 8, 1, 24),
        (1, 7.5, 2, 4),
        (5, 10, 0, 50),
        (-1, 8, 1, 0),
    ],
)
def test_wait_minutes(ahead: int, minutes: float, desks: int, expected: int) -> None:
    assert wait_minutes(ahead, minutes, desks) == expected


@pytest.mark.parametrize(
    ("served", "expected"),
    [
        ([], 8.0),
        ([18.0], 11.0),  # 8 + 0.3 * (18 - 8)
        ([18.0, 11.0], 11.0),
        ([0.1, 500.0], 8.0),  # outliers (a forgotten "done") are ignored
        ([4.0] * 30, pytest.approx(4.0, abs=0.01)),  # converges to the real pace
    ],
)
def test_learned_service_minutes(served: list[float], expected: float) -> None:
    assert learned_service_minutes(8.0, served) == expected


T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def w(tid: int, kind: Kind = Kind.WALKIN, minute: int = 0, service: str = "A", **kw) -> Waiting:
    return Waiting(tid, service, kind, T0 + timedelta(minutes=minute), **kw)


@pytest.mark.parametrize(
    ("entries", "services", "now_min", "expected"),
    [
        # walk-ins in order of arrival
        ([w(1, minute=0), w(2, minute=1), w(3, minute=2)], ["A"], 10, [1, 2, 3]),
        # a re-entry goes before walk-ins who came earlier
        ([w(1), w(2, minute=1), w(3, Kind.REENTRY, minute=5)], ["A"], 10, [3, 1, 2]),
        # an appointment due now goes first; one whose slot has not come waits its turn
        (
            [
                w(1),
                w(2, Kind.APPOINTMENT, minute=1, slot_at=T0 + timedelta(minutes=10)),
                w(3, Kind.APPOINTMENT, minute=2, slot_at=T0 + timedelta(minutes=30)),
            ],
            ["A"],
            10,
            [2, 1, 3],
        ),
        # due appointments by slot, before re-entries issued later
        (
            [
                w(1, Kind.REENTRY, minute=9),
                w(2, Kind.APPOINTMENT, minute=1, slot_at=T0 + timedelta(minutes=5)),
            ],
            ["A"],
            10,
            [2, 1],
        ),
        # a no-show who came back goes after priority tickets but before walk-ins
        (
            [
                w(1),
                w(2, Kind.REENTRY, minute=3),
                w(3, minute=-30, returned_at=T0 + timedelta(minutes=8)),
            ],
            ["A"],
            10,
            [2, 3, 1],
        ),
        # only the services the desk serves
        (
            [w(1, service="B"), w(2, service="A", minute=1), w(3, service="C")],
            ["A", "B"],
            10,
            [1, 2],
        ),
        ([w(1, service="B")], ["A"], 10, []),
    ],
)
def test_call_order(entries, services, now_min, expected) -> None:
    now = T0 + timedelta(minutes=now_min)
    assert [e.ticket_id for e in call_order(entries, services, now)] == expected


def test_people_ahead_counts_only_the_same_service() -> None:
    entries = [w(1), w(2, service="B"), w(3, minute=1), w(4, Kind.REENTRY, minute=2)]
    assert people_ahead(entries, 3, T0) == 2  # ticket 1 and the re-entry 4
    assert people_ahead(entries, 4, T0) == 0
    assert people_ahead(entries, 2, T0) == 0
