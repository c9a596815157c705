"""Scan input checks, the re-entry rule and appointment check-in windows, from tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.core.bookings import sha256_hex
from kiosk.core.scan import (
    Result,
    ScanKind,
    ScannedTicket,
    ScanRefused,
    checkin_window,
    classify,
    ticket_decision,
)
from kiosk.core.tickets import Status

SLOT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offset_min", "result", "come_back"),
    [
        (-31, Result.TOO_EARLY, SLOT - timedelta(minutes=30)),
        (-30, Result.CHECKIN, None),
        (0, Result.CHECKIN, None),
        (10, Result.CHECKIN, None),
        (11, Result.TOO_LATE, None),
    ],
)
def test_checkin_window(offset_min: int, result: Result, come_back) -> None:
    got = checkin_window(SLOT, SLOT + timedelta(minutes=offset_min), early_min=30, grace_min=10)
    assert got.result is result
    assert got.at == come_back


NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ticket", "same_day", "service_open", "result", "reason"),
    [
        (ScannedTicket(Status.DONE, False), True, True, Result.REENTRY, "served"),
        (ScannedTicket(Status.DONE, True), True, True, Result.REJECTED, "already_returned"),
        (ScannedTicket(Status.DONE, False), False, True, Result.REJECTED, "other_day"),
        (ScannedTicket(Status.DONE, False), True, False, Result.REJECTED, "service_closed"),
        (ScannedTicket(Status.WAITING, False), True, True, Result.REJECTED, "still_waiting"),
        (ScannedTicket(Status.CALLED, False), True, True, Result.REJECTED, "still_waiting"),
        (ScannedTicket(Status.TRANSFERRED, False), True, True, Result.REJECTED, "transferred"),
        (None, True, True, Result.REJECTED, "unknown_ticket"),
        (
            ScannedTicket(Status.NO_SHOW, False, NOW - timedelta(minutes=15)),
            True,
            True,
            Result.REENTRY,
            "requeued",
        ),
        (
            ScannedTicket(Status.NO_SHOW, False, NOW - timedelta(minutes=16)),
            True,
            True,
            Result.REJECTED,
            "no_show_expired",
        ),
        (
            ScannedTicket(Status.NO_SHOW, False, NOW - timedelta(minutes=5)),
            True,
            False,
            Result.REJECTED,
            "service_closed",
        ),
    ],
)
def test_ticket_decision(ticket, same_day, service_open, result, reason) -> None:
    got = ticket_decision(
        ticket, same_day=same_day, service_open=service_open, now=NOW, no_show_tolerance_min=15
    )
    assert (got.result, got.reason) == (result, reason)


@pytest.mark.parametrize(
    ("raw", "kind", "text"),
    [
        ("42010581000042123456789012", ScanKind.TICKET, "42010581000042123456789012"),
        ("42010581000042123456789012\r\n", ScanKind.TICKET, "42010581000042123456789012"),
        (
            "https://q.example.it/t/42010581000042123456789012",
            ScanKind.TICKET,
            "42010581000042123456789012",
        ),
        (
            "https://q.example.it/?t=42010581000042123456789012",
            ScanKind.TICKET,
            "42010581000042123456789012",
        ),
        ("BK-7F3A9C21", ScanKind.BOOKING, "BK-7F3A9C21"),
    ],
)
def test_classify(raw: str, kind: ScanKind, text: str) -> None:
    scan = classify(raw)
    assert (scan.kind, scan.text) == (kind, text)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("X" * 129, "too_long"),
        ("BK-7F3A\x009C21", "control_characters"),
        ("BK-7F3A\x1b[2J", "control_characters"),
        ("BK-7F\u202e3A9C21", "control_characters"),  # bidi override
        ("'; DROP TABLE tickets; --", "unrecognised"),
        ("abc", "unrecognised"),
    ],
)
def test_classify_refuses(raw: str, reason: str) -> None:
    with pytest.raises(ScanRefused) as info:
        classify(raw)
    assert info.value.reason == reason


def test_a_booking_codes_sha256_is_hex() -> None:
    assert sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
