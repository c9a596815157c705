"""A totem upgraded from contract version 1: its waiting version-1 events are dropped and
counted in the log, the others go out in version 2's form, and seq never goes back."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest

from central import contract
from kiosk.core import events
from kiosk.store import Store, schema
from kiosk.store.outbox import Outbox
from sync import allowlist


def version_1_database(path: Path) -> None:
    """A database as version 1 of the program left it: schema 2 and its outbox columns."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for script in schema.MIGRATIONS[:2]:
        assert isinstance(script, str)
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 2")
    rows = [
        ("ticket.issued", "A001", "A", None, None, None),
        ("ticket.called", "A001", "A", None, None, None),
        ("ticket.issued", "A002", "A", "A001", None, None),  # a re-entry
        ("ticket.done", "A001", "A", None, None, None),
        ("ticket.no_show", "A002", "A", None, None, None),
        ("ticket.transferred", "A002", "B", None, None, None),
        ("ticket.recalled", "A002", "B", None, None, None),
        ("appointment.checked_in", "A003", "A", "apt-1", None, None),
        ("kiosk.health", None, None, None, "paper_low", 4),
    ]
    for n, (kind, ticket, service, ref, printer, backlog) in enumerate(rows):
        conn.execute(
            "INSERT INTO outbox (id, type, branch, day, at, ticket, service, ref, printer,"
            " backlog) VALUES (?, ?, 'roma-m1', '2026-11-23', '2026-11-23T10:15:4' || ? ||"
            " '+01:00', ?, ?, ?, ?, ?)",
            (f"3f1c2a9e-8b7d-4c6e-9a5b-1d2e3f4a5b{n:02d}", kind, n, ticket, service, ref,
             printer, backlog),
        )  # fmt: skip
    conn.execute("DELETE FROM outbox WHERE seq = 9")  # acknowledged: seq 9 was used already
    conn.close()


def test_version_1_events_are_dropped_counted_and_seq_continues(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "kiosk.sqlite3"
    version_1_database(path)
    with caplog.at_level(logging.WARNING), Store(path) as store:
        rows = Outbox(store).ready()
        assert [r.type for r in rows] == [
            "ticket.issued",
            "ticket.issued",
            "appointment.checked_in",
        ]
        # In their order, numbered again after the highest seq ever used (9, then 12 at the
        # upgrade to version 3): no gap tells how many desk actions came between two tickets.
        assert [r.seq for r in rows] == [13, 14, 15]
        sent = [json.loads(allowlist.check_row(r).json) for r in rows]
        assert all(contract.violation(e) is None for e in sent)
        assert [e["at"] for e in sent] == ["2026-11-23T10:15:00+01:00"] * 3
        assert "ref" not in sent[0] and sent[1]["ref"] == "A001" and sent[2]["ref"] == "apt-1"
        with store.write() as conn:  # the next event continues after the highest seq ever used
            from kiosk.store.outbox import add_event

            add_event(conn, type="kiosk.health", branch="roma-m1", day="2026-11-23",
                      at="2026-11-23T10:20:00+01:00", printer="ok", backlog=3)  # fmt: skip
        assert Outbox(store).ready()[-1].seq == 16
        assert store.pragma("user_version") == schema.VERSION
    dropped = [r for r in caplog.records if "version-1" in r.getMessage()]
    assert len(dropped) == 1 and dropped[0].getMessage().startswith("outbox: 5 version-1 event(s)")
    assert set(events.RETIRED_V1) == {"ticket.called", "ticket.recalled", "ticket.done",
                                      "ticket.no_show", "ticket.transferred"}  # fmt: skip
    # Opening again changes nothing and logs nothing more.
    caplog.clear()
    with caplog.at_level(logging.WARNING), Store(path) as store:
        assert len(Outbox(store).ready()) == 4
    assert caplog.records == []
