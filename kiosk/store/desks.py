"""What a desk does to the queue, and its device token.

Each operation is one write transaction (BEGIN IMMEDIATE), so two desks pressing "next" at the
same moment are served one after the other and never get the same ticket. Which desk serves a
called ticket is kept only as its seat's mark (:mod:`kiosk.core.seats`), different on every
ticket and meaningless without the day key, which never reaches a disk; the call log the
displays read lives in the branch server's memory (:mod:`kiosk.server.deskbook`). Nothing here
writes an event, and nothing counts what a desk did.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from kiosk.core.seats import Seat
from kiosk.store.db import Store
from kiosk.store.state import NOW_SERVING, get, put_in
from kiosk.store.tickets import next_in_line, utc_text


class DeskRefused(Exception):
    """The action cannot be done: ``not_serving`` (the desk serves no ticket), ``other_desk``
    (another desk serves that ticket) or ``not_current`` (not the desk's ticket)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _called(conn: sqlite3.Connection, day: str) -> list[dict[str, Any]]:
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute(
            "SELECT * FROM tickets WHERE day = ? AND status = 'called'", (day,)
        ).fetchall()
        return [dict(r) for r in rows]
    finally:
        conn.row_factory = None


def _current(conn: sqlite3.Connection, seat: Seat, day: str, ticket: str | None) -> dict[str, Any]:
    called = _called(conn, day)
    row = next((r for r in called if seat.holds(r["code"], r["desk"])), None)
    if ticket is not None and (row is None or row["code"] != ticket):
        if any(r["code"] == ticket for r in called):
            raise DeskRefused("other_desk", f"ticket {ticket} is being served by another desk")
        raise DeskRefused("not_current", f"ticket {ticket} is not this desk's current ticket")
    if row is None:
        raise DeskRefused("not_serving", "this desk is serving no ticket")
    return row


def _finish(conn: sqlite3.Connection, row_id: int, now: datetime) -> None:
    conn.execute(
        "UPDATE tickets SET status = 'done', done_at = ?, desk = NULL WHERE id = ?",
        (utc_text(now), row_id),
    )


def call_next(
    store: Store, seat: Seat, services: Sequence[str], day: str, now: datetime
) -> str | None:
    """Finish the desk's current ticket and call the next for ``services``; its number (None:
    nobody waits)."""
    with store.write() as conn:
        for row in _called(conn, day):
            if seat.holds(row["code"], row["desk"]):
                _finish(conn, row["id"], now)
        first = next_in_line(conn, day, services, now)
        if first is None:
            return None
        chosen, code, waits_for = first
        conn.execute(
            "UPDATE tickets SET status = 'called', called_at = ?, desk = ? WHERE id = ?",
            (utc_text(now), seat.mark(code), chosen),
        )
        # What the screens show as served now for the service, even after a transfer moves
        # the ticket on to another one.
        put_in(conn, {NOW_SERVING + waits_for: f"{day} {code}"})
        return str(code)


def now_serving(store: Store, day: str, service: str) -> str | None:
    """The number of ``service`` called last today (what the screens show as served now)."""
    value = get(store, NOW_SERVING + service)
    if value is None or not value.startswith(day + " "):
        return None
    return value.split(" ", 1)[1]


def recall(store: Store, seat: Seat, ticket: str | None, day: str) -> str:
    """The number the desk calls again (its current ticket)."""
    with store.write() as conn:
        return str(_current(conn, seat, day, ticket)["code"])


def done(store: Store, seat: Seat, ticket: str | None, day: str, now: datetime) -> str:
    with store.write() as conn:
        row = _current(conn, seat, day, ticket)
        _finish(conn, row["id"], now)
        return str(row["code"])


def no_show(store: Store, seat: Seat, ticket: str | None, day: str, now: datetime) -> str:
    with store.write() as conn:
        row = _current(conn, seat, day, ticket)
        conn.execute(
            "UPDATE tickets SET status = 'no_show', no_show_at = ?, desk = NULL WHERE id = ?",
            (utc_text(now), row["id"]),
        )
        return str(row["code"])


def transfer(
    store: Store, seat: Seat, ticket: str | None, service: str, day: str, now: datetime
) -> str:
    with store.write() as conn:
        row = _current(conn, seat, day, ticket)
        conn.execute(
            "UPDATE tickets SET status = 'waiting', queue = ?, transferred_at = ?, desk = NULL,"
            " called_at = NULL WHERE id = ?",
            (service, utc_text(now), row["id"]),
        )
        return str(row["code"])


def current(store: Store, seat: Seat, day: str) -> str | None:
    """The number the desk serves now."""
    rows = store.rows("SELECT code, desk FROM tickets WHERE day = ? AND status = 'called'", (day,))
    return next((str(code) for code, mark in rows if seat.holds(code, mark)), None)


def release(store: Store, day: str, now: datetime) -> int:
    """Finish the tickets called on ``day`` whose desk nobody can tell any more (the day key
    was lost with the memory that held it: a reboot, a power cut): counted as served at
    ``now``. Returns how many."""
    with store.write() as conn:
        return conn.execute(
            "UPDATE tickets SET status = 'done', done_at = ?, desk = NULL"
            " WHERE day = ? AND status = 'called'",
            (utc_text(now), day),
        ).rowcount


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
