"""A totem upgraded from contract version 2: the waiting lists it had not yet sent
(``service.status``) and its notes of them are dropped and counted in the log, the others keep
their order and are numbered again after the highest seq ever used."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest

from central import contract
from kiosk.store import Store, schema
from kiosk.store.outbox import Outbox
from sync import allowlist

AT = "2026-11-23T10:15:00+01:00"


def version_2_database(path: Path) -> None:
    """A database as version 2 of the program left it: schema 6, statuses in its outbox."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for step in schema.MIGRATIONS[:6]:
        if callable(step):
            step(conn)
        else:
            conn.executescript(step)
    conn.execute("PRAGMA user_version = 6")
    rows = [
        ("ticket.issued", {"ticket": "A001", "service": "A"}, None),
        (
            "service.status",
            {"service": "A", "now": None, "waiting": ["A001"], "wait": [0, 8]},
            None,
        ),
        ("ticket.issued", {"ticket": "A002", "service": "A"}, None),
        (
            "service.status",
            {"service": "A", "now": "A001", "waiting": ["A002"], "wait": [0, 8]},
            None,
        ),
        ("kiosk.health", {"printer": "ok", "backlog": 0}, "satellite-1"),
    ]
    for n, (kind, body, kiosk) in enumerate(rows):
        conn.execute(
            "INSERT INTO outbox (id, type, branch, day, at, body, kiosk)"
            " VALUES (?, ?, 'roma-m1', '2026-11-23', ?, ?, ?)",
            (f"3f1c2a9e-8b7d-4c6e-9a5b-1d2e3f4a5b{n:02d}", kind, AT, json.dumps(body), kiosk),
        )
    conn.execute(
        "INSERT INTO state (key, value) VALUES ('report.status.A', ?)",
        (json.dumps({"day": "2026-11-23", "at": AT, "status": {"waiting": ["A002"]}}),),
    )
    conn.execute("UPDATE sqlite_sequence SET seq = 40 WHERE name = 'outbox'")  # 40 used already
    conn.close()


def test_version_2_statuses_are_dropped_counted_and_seq_continues(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "kiosk.sqlite3"
    version_2_database(path)
    with caplog.at_level(logging.WARNING), Store(path) as store:
        rows = Outbox(store).ready()
        assert [r.type for r in rows] == ["ticket.issued", "ticket.issued", "kiosk.health"]
        # Numbered again after the highest seq ever used: no gap shows where a status was.
        assert [r.seq for r in rows] == [41, 42, 43]
        assert rows[2].kiosk == "satellite-1"
        sent = [json.loads(allowlist.check_row(r).json) for r in rows]
        assert all(contract.violation(e) is None for e in sent)
        assert store.scalar("SELECT COUNT(*) FROM state WHERE key LIKE 'report.status.%'") == 0
        assert store.pragma("user_version") == schema.VERSION
    dropped = [r.getMessage() for r in caplog.records if "version-2" in r.getMessage()]
    assert dropped == [
        "outbox: 2 version-2 event(s) still waiting (service.status) were dropped at the"
        " upgrade to contract version 3; they were never sent"
    ]
    caplog.clear()
    with caplog.at_level(logging.WARNING), Store(path) as store:  # again: nothing more
        assert len(Outbox(store).ready()) == 3
    assert caplog.records == []
