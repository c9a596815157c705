"""What a desk does to the queue, its device token, and the short call log the displays read.

Each operation is one write transaction (BEGIN IMMEDIATE), so two desks pressing "next" at the
same moment are served one after the other and never get the same ticket. The desk is kept
only on the ticket it is serving now and in the call log, which holds just the last
:data:`CALLS_KEPT` calls (what a display shows); nothing here writes an event, and nothing
counts what a desk did.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.store.db import Store
from kiosk.store.state import NOW_SERVING, get, put_in
from kiosk.store.tickets import next_in_line, utc_text

CALLS_KEPT = 6


class DeskRefused(Exception):
    """The action cannot be done: ``not_serving`` (the desk serves no ticket), ``other_desk``
    (another desk serves that ticket) or ``not_current`` (not the desk's ticket)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Call:
    """One line of the call log, as displays get it."""

    id: int
    ticket: str
    desk: str
    at: str

    def as_json(self) -> dict[str, str]:
        return {"ticket": self.ticket, "desk": self.desk, "at": self.at}


def _current(conn: sqlite3.Connection, desk: str, day: str, ticket: str | None) -> dict[str, Any]:
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute(
            "SELECT * FROM tickets WHERE day = ? AND desk = ? AND status = 'called'", (day, desk)
        ).fetchone()
        if ticket is not None and (row is None or row["code"] != ticket):
            other = conn.execute(
                "SELECT desk FROM tickets WHERE day = ? AND code = ? AND status = 'called'",
                (day, ticket),
            ).fetchone()
            if other is not None and other["desk"] != desk:
                raise DeskRefused("other_desk", f"ticket {ticket} is being served by another desk")
            raise DeskRefused("not_current", f"ticket {ticket} is not this desk's current ticket")
        if row is None:
            raise DeskRefused("not_serving", "this desk is serving no ticket")
        return dict(row)
    finally:
        conn.row_factory = None


def _log_call(conn: sqlite3.Connection, day: str, ticket: str, desk: str, at: str) -> Call:
    cursor = conn.execute(
        "INSERT INTO calls (day, ticket, desk, at) VALUES (?, ?, ?, ?)", (day, ticket, desk, at)
    )
    call = Call(int(cursor.lastrowid or 0), ticket, desk, at)
    conn.execute("DELETE FROM calls WHERE id <= ?", (call.id - CALLS_KEPT,))
    return call


def _finish(conn: sqlite3.Connection, row_id: int, now: datetime) -> None:
    conn.execute(
        "UPDATE tickets SET status = 'done', done_at = ?, desk = NULL WHERE id = ?",
        (utc_text(now), row_id),
    )


def call_next(
    store: Store, desk: str, services: Sequence[str], day: str, now: datetime, at: str
) -> Call | None:
    """Finish the desk's current ticket and call the next for ``services`` (None: nobody)."""
    with store.write() as conn:
        for (row_id,) in conn.execute(
            "SELECT id FROM tickets WHERE day = ? AND desk = ? AND status = 'called'", (day, desk)
        ).fetchall():
            _finish(conn, row_id, now)
        first = next_in_line(conn, day, services, now)
        if first is None:
            return None
        chosen, code, waits_for = first
        conn.execute(
            "UPDATE tickets SET status = 'called', called_at = ?, desk = ? WHERE id = ?",
            (utc_text(now), desk, chosen),
        )
        # What the screens show as served now for the service, even after a transfer moves
        # the ticket on to another one.
        put_in(conn, {NOW_SERVING + waits_for: f"{day} {code}"})
        return _log_call(conn, day, code, desk, at)


def now_serving(store: Store, day: str, service: str) -> str | None:
    """The number of ``service`` called last today (what the screens show as served now)."""
    value = get(store, NOW_SERVING + service)
    if value is None or not value.startswith(day + " "):
        return None
    return value.split(" ", 1)[1]


def recall(store: Store, desk: str, ticket: str | None, day: str, at: str) -> Call:
    with store.write() as conn:
        row = _current(conn, desk, day, ticket)
        return _log_call(conn, day, row["code"], desk, at)


def done(store: Store, desk: str, ticket: str | None, day: str, now: datetime) -> str:
    with store.write() as conn:
        row = _current(conn, desk, day, ticket)
        _finish(conn, row["id"], now)
        return str(row["code"])


def no_show(store: Store, desk: str, ticket: str | None, day: str, now: datetime) -> str:
    with store.write() as conn:
        row = _current(conn, desk, day, ticket)
        conn.execute(
            "UPDATE tickets SET status = 'no_show', no_show_at = ?, desk = NULL WHERE id = ?",
            (utc_text(now), row["id"]),
        )
        return str(row["code"])


def transfer(
    store: Store, desk: str, ticket: str | None, service: str, day: str, now: datetime
) -> str:
    with store.write() as conn:
        row = _current(conn, desk, day, ticket)
        conn.execute(
            "UPDATE tickets SET status = 'waiting', queue = ?, transferred_at = ?, desk = NULL,"
            " called_at = NULL WHERE id = ?",
            (service, utc_text(now), row["id"]),
        )
        return str(row["code"])


def current(store: Store, desk: str, day: str) -> str | None:
    value = store.scalar(
        "SELECT code FROM tickets WHERE day = ? AND desk = ? AND status = 'called'", (day, desk)
    )
    return None if value is None else str(value)


def recent_calls(store: Store, day: str, after: int = 0) -> list[Call]:
    """The day's calls still in the log after id ``after``, newest first."""
    rows = store.rows(
        "SELECT id, ticket, desk, at FROM calls WHERE day = ? AND id > ? ORDER BY id DESC LIMIT ?",
        (day, after, CALLS_KEPT),
    )
    return [Call(*r) for r in rows]


# -- desk tokens (only their SHA-256 is stored) -------------------------------------------------


def set_token(store: Store, desk: str, digest: str) -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT INTO desks (desk, token_sha256) VALUES (?, ?)"
            " ON CONFLICT (desk) DO UPDATE SET token_sha256 = excluded.token_sha256",
            (desk, digest),
        )


def remove_token(store: Store, desk: str) -> bool:
    with store.write() as conn:
        return conn.execute("DELETE FROM desks WHERE desk = ?", (desk,)).rowcount == 1


def token_digests(store: Store) -> list[tuple[str, str]]:
    """``(desk, token_sha256)`` of every desk, ordered by desk."""
    return [
        (str(d), str(t))
        for d, t in store.rows("SELECT desk, token_sha256 FROM desks ORDER BY desk")
    ]
