"""The totem's use cases on a real database: walk-ins, re-entries, no-shows and check-ins."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from drivers.printer.device import Printer
from drivers.printer.transport.sim import SimTransport
from drivers.sim.printer import SimPrinter
from kiosk import secrets
from kiosk.config import Config, load
from kiosk.core.bookings import sha256_hex
from kiosk.core.queue import Reason
from kiosk.store import Store
from kiosk.store import appointments as store_appointments
from kiosk.store import tickets as store_tickets
from kiosk.totem import Totem, Unavailable
from tests.conftest import Clock, rome
from tests.helpers import outbox_events


@pytest.fixture
def totem(config: Config, store: Store, clock: Clock) -> Totem:
    return Totem(config, store, secrets.ensure(config.ticket_key_file), clock=clock)


def serve(store: Store, code: str, minutes: float = 5, status: str = "done", at=None) -> None:
    """What a desk does through the branch server: call, then finish (or mark no-show)."""
    row = store.query("SELECT issued_at FROM tickets WHERE code = ?", (code,))[0]
    called = store_tickets.datetime.fromisoformat(row["issued_at"])
    done = called + timedelta(minutes=minutes)
    column = "done_at" if status == "done" else "no_show_at"
    with store.write() as conn:
        conn.execute(
            f"UPDATE tickets SET status = ?, called_at = ?, {column} = ? WHERE code = ?",
            (status, called.isoformat(), (at or done).isoformat(), code),
        )


def test_walkins_queue_up_with_growing_wait(totem: Totem) -> None:
    first = totem.issue_walkin("A")
    second = totem.issue_walkin("A")
    third = totem.issue_walkin("A")
    assert [t.ticket.code for t in (first, second, third)] == ["A001", "A002", "A003"]
    assert [t.ahead for t in (first, second, third)] == [0, 1, 2]
    assert [t.wait_min for t in (first, second, third)] == [0, 4, 8]  # 8 min, 2 desks
    assert first.payload == first.qr and len(first.payload) <= 32
    assert first.as_json().keys() == {
        "ticket",
        "service",
        "payload",
        "ahead",
        "wait_min",
        "printed",
    }


def test_learned_service_time_moves_the_estimate(totem: Totem, store: Store, clock: Clock) -> None:
    """A001 served in 28 minutes (10:00-10:28) moves the estimate (8 + 0.3 * 20 = 14 min), but
    only from the quarter hour after: a done press itself moves nothing anyone can see."""
    totem.issue_walkin("A")
    serve(store, "A001", minutes=28)
    clock.now = rome(2026, 11, 23, 10, 29)  # done at 10:28; the pace's cut is still 10:15
    totem.issue_walkin("A")
    assert totem.issue_walkin("A").wait_min == 4  # 1 ahead x 8 min / 2 desks
    clock.now = rome(2026, 11, 23, 10, 46)  # the 10:45 tick takes A001 in
    assert totem.issue_walkin("A").wait_min == 14  # 2 ahead x 14 min / 2 desks


def test_closed_service_refuses_with_reason(totem: Totem, clock: Clock) -> None:
    clock.now = rome(2026, 11, 23, 13, 0)  # service B: lunch break
    with pytest.raises(Unavailable) as info:
        totem.issue_walkin("B")
    assert info.value.availability.reason is Reason.CLOSED
    assert str(info.value) == "service B: closed until 14:30"


def test_daily_cap(write_config, clock: Clock) -> None:
    cfg = load(write_config(cap_a=2))
    with Store(cfg.database) as s:
        totem = Totem(cfg, s, b"k" * 32, clock=clock)
        totem.issue_walkin("A")
        totem.issue_walkin("A")
        assert totem.state("A").availability.reason is Reason.CAP_REACHED
        with pytest.raises(Unavailable, match="no more tickets today"):
            totem.issue_walkin("A")


def test_printer_block_is_a_reason(config: Config, store: Store, clock: Clock) -> None:
    sim = SimPrinter()
    printer = Printer(SimTransport(sim), "sim://", status_timeout=0.05)
    totem = Totem(
        dataclasses.replace(config, on_fault="block"),
        store,
        b"k" * 32,
        clock=clock,
        printer=printer,
    )
    sim.set_mode("paper_out")
    with pytest.raises(Unavailable, match="printer unavailable"):
        totem.issue_walkin("A")
    assert totem.state("A").availability.reason is Reason.PRINTER  # the state it just learnt
    sim.set_mode("ok")
    assert totem.issue_walkin("A").printed is True
    assert totem.state("A").availability.reason is Reason.OPEN


def test_served_ticket_gives_one_priority_reentry(totem: Totem, store: Store) -> None:
    original = totem.issue_walkin("A")
    totem.issue_walkin("A")
    serve(store, "A001")
    outcome = totem.scan(original.qr)
    assert (outcome.result, outcome.reason) == ("reentry", "served")
    assert outcome.issued.ticket.code == "A003"
    assert outcome.issued.ahead == 0  # before A002, who is a plain walk-in
    event = outbox_events(store)[-1]
    assert (event["type"], event["ticket"], event["ref"]) == ("ticket.issued", "A003", "A001")
    again = totem.scan(original.qr)
    assert (again.result, again.reason) == ("rejected", "already_returned")


def test_ticket_from_yesterday_is_refused(totem: Totem, store: Store, clock: Clock) -> None:
    issued = totem.issue_walkin("A")
    serve(store, "A001")
    clock.now += timedelta(days=1)
    assert totem.scan(issued.qr).as_json()["reason"] == "other_day"


def test_waiting_ticket_and_forgery_are_refused(totem: Totem) -> None:
    issued = totem.issue_walkin("A")
    assert totem.scan(issued.qr).reason == "still_waiting"
    forged = issued.payload[:-1] + str((int(issued.payload[-1]) + 1) % 10)
    assert totem.scan(forged).as_json() == {
        "result": "rejected",
        "ticket": None,
        "reason": "not_genuine",
    }


def test_no_show_back_within_tolerance_is_requeued_near_the_front(
    totem: Totem, store: Store, clock: Clock
) -> None:
    late = totem.issue_walkin("A")
    totem.issue_walkin("A")
    serve(store, "A001", status="no_show", at=clock())
    clock.now += timedelta(minutes=10)
    outcome = totem.scan(late.qr)
    assert (outcome.result, outcome.reason, outcome.issued.ticket.code) == (
        "reentry",
        "requeued",
        "A001",
    )
    assert outcome.issued.ahead == 0


def test_no_show_back_too_late_is_refused(totem: Totem, store: Store, clock: Clock) -> None:
    late = totem.issue_walkin("A")
    serve(store, "A001", status="no_show", at=clock())
    clock.now += timedelta(minutes=16)
    assert totem.scan(late.qr).reason == "no_show_expired"


def add_appointment(
    store: Store, code: str, slot: str, service: str = "A", day: str = "2026-11-23"
) -> None:
    store_appointments.add(store, day, f"ref-{sha256_hex(code)[:8]}", code, service, slot)


@pytest.mark.parametrize(
    ("slot", "result", "extra"),
    [
        ("10:20", "checkin", {}),  # due in 20 minutes: inside the 30-minute window
        ("11:00", "too_early", {"come_back_at": "10:30"}),
        ("09:49", "too_late", {"walkin_available": True}),
        ("09:50", "checkin", {}),  # exactly at the grace limit
    ],
)
def test_appointment_checkin_windows(
    totem: Totem, store: Store, slot: str, result: str, extra: dict
) -> None:
    add_appointment(store, "BOOK-12345", slot)
    outcome = totem.scan("BOOK-12345").as_json()
    assert outcome["result"] == result
    for key, value in extra.items():
        assert outcome[key] == value


def test_checkin_issues_ticket_and_events_once(totem: Totem, store: Store) -> None:
    add_appointment(store, "BOOK-12345", "10:00")
    totem.issue_walkin("A")
    outcome = totem.scan("BOOK-12345")
    assert outcome.issued.ticket.code == "A002"
    assert outcome.issued.ahead == 0  # due now: before the walk-in
    types = [e["type"] for e in outbox_events(store)]
    assert types == ["ticket.issued", "ticket.issued", "appointment.checked_in"]
    [checked] = outbox_events(store, "appointment.checked_in")
    assert (checked["ticket"], checked["ref"]) == ("A002", f"ref-{sha256_hex('BOOK-12345')[:8]}")
    assert totem.scan("BOOK-12345").reason == "already_checked_in"


def test_unknown_booking_and_other_days_booking(totem: Totem, store: Store) -> None:
    add_appointment(store, "BOOK-99999", "10:00", day="2026-11-24")
    assert totem.scan("BOOK-99999").reason == "unknown_booking"
    assert totem.scan("BOOK-00000").reason == "unknown_booking"


def test_booking_code_is_stored_only_as_hash(totem: Totem, store: Store) -> None:
    add_appointment(store, "BOOK-12345", "10:00")
    totem.scan("BOOK-12345")
    store.close()
    raw = totem.config.database.read_bytes()
    wal = totem.config.database.with_name("kiosk.sqlite3-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    assert b"BOOK-12345" not in raw


def test_booking_code_with_a_ticket_shape_still_checks_in(totem: Totem, store: Store) -> None:
    code = "12345678901234567890123456"  # the central system may issue codes of any shape
    add_appointment(store, code, "10:00")
    assert totem.scan(code).result == "checkin"
