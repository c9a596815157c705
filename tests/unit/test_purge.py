"""Retention: yesterday's data is deleted and none of it is left in the database or WAL bytes."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

from kiosk import secrets
from kiosk.config import Config, load
from kiosk.core.bookings import sha256_hex
from kiosk.reports import ServiceReports
from kiosk.store import Store
from kiosk.store import appointments as store_appointments
from kiosk.store import desks as store_desks
from kiosk.store import purge as retention
from kiosk.store import state as store_state
from kiosk.totem import Totem
from tests.conftest import Clock, rome
from tests.helpers import outbox_events, run_kiosk, seat
from tests.unit.test_totem import add_appointment, serve


def disk_bytes(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def yesterday_and_today(
    config: Config, store: Store, clock: Clock
) -> tuple[list[bytes], list[bytes]]:
    """Fill Monday with B tickets, a re-entry and a check-in; Tuesday with A tickets."""
    totem = Totem(config, store, secrets.ensure(config.ticket_key_file), clock=clock)
    clock.now = rome(2026, 11, 23, 10, 0)
    monday = [totem.issue_walkin("B") for _ in range(8)]
    serve(store, "B001")
    monday.append(totem.scan(monday[0].qr).issued)
    add_appointment(store, "BOOK-MONDAY-1", "10:10", service="B")
    monday.append(totem.scan("BOOK-MONDAY-1").issued)
    secret = [i.ticket.code.encode() for i in monday] + [i.payload.encode() for i in monday]
    hashed = store_appointments.day_hash(store, "2026-11-23")
    assert hashed is not None
    secret += [b"2026-11-23", sha256_hex("BOOK-MONDAY-1").encode()]
    secret += [hashed.of("BOOK-MONDAY-1").encode(), hashed.salt.hex().encode()]
    from kiosk.server.calls import Desks
    from kiosk.server.deskbook import DeskBook

    called = Desks(config, store, DeskBook(config.database)).call_next("7", ["B"], clock())
    assert called is not None  # a desk calls B002 on Monday: its seat's mark is on the ticket
    mark = store.scalar("SELECT desk FROM tickets WHERE code = ?", (called.ticket,))
    assert (mark and "7" not in str(mark)[:1] + str(mark)[-1:]) or mark
    secret.append(str(mark).encode())
    seal_key = store_state.get(store, store_state.SEAL_KEY + "2026-11-23")
    assert seal_key is not None and len(seal_key) == 64  # Monday's seals' own key
    secret.append(seal_key.encode())
    # The sync agent sealed the queue and noted what it reported.
    ServiceReports(config, store, clock, secrets.ensure(config.ticket_key_file)).due(force=True)
    clock.now = rome(2026, 11, 24, 9, 0)
    tuesday = [totem.issue_walkin("A") for _ in range(3)]
    # The sync agent delivered every event; it deletes what the server acknowledged.
    with store.write() as conn:
        conn.execute("DELETE FROM outbox")
    return secret, [t.ticket.code.encode() for t in tuesday]


def test_purge_scrubs_yesterday_from_file_and_wal(
    config: Config, store: Store, clock: Clock
) -> None:
    secret, kept = yesterday_and_today(config, store, clock)
    before = disk_bytes(config.database)
    assert all(s in before for s in secret[:5])  # the search can find what is there
    reader = Store(config.database)  # another process (the UI) holding the file open
    reader.query("SELECT COUNT(*) FROM tickets")
    try:
        report = retention.purge(store, "2026-11-24", clock())
    finally:
        reader.close()
    assert (report.tickets, report.calls, report.appointments) == (10, 0, 1)  # no call log
    assert (
        report.day_notes == 6
    )  # B's number now, B's open span, the booking hash, A's and B's sealing, the seals' key
    after = disk_bytes(config.database)
    leaked = [s for s in secret if s in after]
    assert leaked == []
    assert all(code in after for code in kept)  # today's tickets are untouched
    wal = config.database.with_name("kiosk.sqlite3-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert store.scalar("PRAGMA integrity_check") == "ok"


def test_unsent_events_of_yesterday_are_kept(config: Config, store: Store, clock: Clock) -> None:
    totem = Totem(config, store, b"k" * 32, clock=clock)
    totem.issue_walkin("A")
    clock.now += timedelta(days=1)
    report = retention.purge(store, totem.today().isoformat(), clock())
    assert report.tickets == 1 and report.unsent_events_kept == 1
    assert store.scalar("SELECT COUNT(*) FROM outbox") == 1


def test_parked_events_older_than_30_days_are_purged(store: Store, clock: Clock) -> None:
    with store.write() as conn:
        for days, ident in ((31, "old"), (29, "recent")):
            conn.execute(
                "INSERT INTO outbox (id, type, branch, day, at, body, state, parked_at)"
                " VALUES (?, 'kiosk.health', 'b', '2026-10-01', 'x', '{}', 'parked', ?)",
                (ident, (clock() - timedelta(days=days)).isoformat()),
            )
    report = retention.purge(store, "2026-11-23", clock())
    assert report.parked_events == 1
    assert [r["id"] for r in store.query("SELECT id FROM outbox")] == ["recent"]


def test_purge_command_dry_run_changes_nothing(write_config, capsys, clock: Clock) -> None:
    path = write_config()
    code, out, _ = run_kiosk(capsys, "--config", str(path), "issue", "A")
    assert code == 0
    code, out, _ = run_kiosk(capsys, "--config", str(path), "purge", "--dry-run", "--json")
    assert code == 0 and '"dry_run": true' in out and '"tickets": 0' in out
    code, out, _ = run_kiosk(capsys, "--config", str(path), "purge")
    assert code == 0 and out.startswith("deleted 0 tickets") and "WAL truncated" in out


def test_purge_sends_earlier_days_last_figures_before_deleting_them(write_config, capsys) -> None:
    """The agent was down at closing: the purge still queues yesterday's last hourly span
    (from the tickets it is about to delete), so the figures are not lost with them."""
    path = write_config()
    config = load(path)
    day_before = datetime.now(config.timezone).date() - timedelta(days=1)
    yesterday = Clock(datetime.combine(day_before, time(10), tzinfo=config.timezone))
    with Store(config.database) as store:
        totem = Totem(config, store, b"k" * 32, clock=yesterday)
        for _ in range(6):
            totem.issue_walkin("A")
            yesterday.now += timedelta(minutes=1)
            day = totem.today().isoformat()
            store_desks.call_next(store, seat(), ["A"], day, yesterday())
            yesterday.now += timedelta(minutes=3)
            store_desks.done(store, seat(), None, day, yesterday())
    code, out, _ = run_kiosk(capsys, "--config", str(path), "purge")
    assert code == 0 and out.startswith("deleted 6 tickets")
    with Store(config.database) as store:
        hours = outbox_events(store, "service.hour")
        assert [(h["day"], h["served"]) for h in hours] == [(day, 6)]
        assert hours[0]["service_p50"] == 3
        assert store.scalar("SELECT COUNT(*) FROM tickets") == 0


def test_a_reader_holding_the_wal_delays_the_scrub_but_does_not_stop_it(
    config: Config, store: Store, clock: Clock
) -> None:
    """It used to give up after 30 s and leave the day on disk until the next night."""
    import sqlite3
    import threading

    secret, _kept = yesterday_and_today(config, store, clock)
    holding, release = threading.Event(), threading.Event()

    def reader() -> None:  # another process in the middle of a long read
        conn = sqlite3.connect(config.database, isolation_level=None)
        conn.execute("BEGIN")
        conn.execute("SELECT COUNT(*) FROM tickets").fetchone()
        holding.set()
        release.wait(10)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=reader)
    thread.start()
    holding.wait(10)
    threading.Timer(1.0, release.set).start()  # it lets go a second into the purge
    report = retention.purge(store, "2026-11-24", clock())
    thread.join()
    assert release.is_set() and report.tickets == 10
    after = disk_bytes(config.database)
    assert [s for s in secret if s in after] == []


def test_the_marker_keeps_no_count_past_the_purge(
    config: Config, store: Store, clock: Clock
) -> None:
    """The marker beside the database named Monday's last numbers; after the night's purge it
    names nothing of Monday, and keeps the identity and the seq (numbers never go back)."""
    import json

    from kiosk.store import marker

    totem = Totem(config, store, secrets.ensure(config.ticket_key_file), clock=clock)
    clock.now = rome(2026, 11, 23, 10, 0)
    for _ in range(7):
        totem.issue_walkin("B")
    before = json.loads(marker.path_of(store.path).read_text())
    assert before["day"] == "2026-11-23" and before["numbers"] == {"B": 7}
    clock.now = rome(2026, 11, 24, 2, 0)
    retention.purge(store, "2026-11-24", clock())
    after = json.loads(marker.path_of(store.path).read_text())
    assert after["day"] is None and after["numbers"] == {}
    assert (after["identity"], after["seq"]) == (before["identity"], before["seq"])
    assert b"2026-11-23" not in marker.path_of(store.path).read_bytes()


def test_a_writer_between_the_checkpoint_and_the_scrub_loses_nothing(
    config: Config, store: Store, clock: Clock, monkeypatch
) -> None:
    """Another process (the sync agent, the UI) commits right after the scrub's RESTART
    checkpoint: its frames are at the start of the WAL when the scrub writes it over, and the
    scrub goes through SQLite, so they are kept (a scrub that zeroed the file itself lost them
    and left the database malformed: found by review)."""
    import sqlite3

    yesterday_and_today(config, store, clock)
    real = retention._write_over
    other = sqlite3.connect(config.database, isolation_level=None)

    def writer_first(s: Store, wal: Path) -> None:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO state (key, value) VALUES ('written.meanwhile', 'yes')")
        other.execute("COMMIT")
        real(s, wal)

    monkeypatch.setattr(retention, "_write_over", writer_first)
    retention.purge(store, "2026-11-24", clock())
    other.close()
    assert store.scalar("PRAGMA integrity_check") == "ok"
    assert store.scalar("SELECT value FROM state WHERE key = 'written.meanwhile'") == "yes"
    assert store.scalar("SELECT COUNT(*) FROM tickets") == 3  # Tuesday's, untouched
