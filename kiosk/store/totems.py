"""Satellite totems of the branch: their tokens (hashed), and the requests they made today.

A satellite sends every touch with a request id. Whatever ticket a request issued is recorded
with it in the same transaction as the ticket, so the same request asked again (the answer was
lost on the way) finds that ticket instead of issuing a second.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kiosk.store.db import Store


@dataclass(frozen=True)
class Request:
    """A satellite's request, and what it gave."""

    id: str
    totem: str


@dataclass(frozen=True)
class Answered:
    ticket_id: int
    result: str
    reason: str


def set_token(store: Store, totem: str, digest: str) -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT INTO totems (id, token_sha256) VALUES (?, ?)"
            " ON CONFLICT (id) DO UPDATE SET token_sha256 = excluded.token_sha256",
            (totem, digest),
        )


def remove_token(store: Store, totem: str) -> bool:
    with store.write() as conn:
        return conn.execute("DELETE FROM totems WHERE id = ?", (totem,)).rowcount == 1


def token_digests(store: Store) -> list[tuple[str, str]]:
    return [
        (str(r[0]), str(r[1]))
        for r in store.rows("SELECT id, token_sha256 FROM totems ORDER BY id")
    ]


def lookup(store: Store, request: Request) -> Answered | None:
    """What ``request`` gave, if it was already made (read before deciding anything)."""
    rows = store.rows(
        "SELECT ticket_id, result, reason FROM requests WHERE id = ? AND totem = ?",
        (request.id, request.totem),
    )
    return Answered(int(rows[0][0]), str(rows[0][1]), str(rows[0][2])) if rows else None


def answered(conn: sqlite3.Connection, request: Request) -> Answered | None:
    """What ``request`` gave, if it was already made (inside the issuing transaction)."""
    row = conn.execute(
        "SELECT ticket_id, result, reason FROM requests WHERE id = ? AND totem = ?",
        (request.id, request.totem),
    ).fetchone()
    return None if row is None else Answered(int(row[0]), str(row[1]), str(row[2]))


def record(
    conn: sqlite3.Connection, request: Request, day: str, ticket_id: int, result: str, reason: str
) -> None:
    conn.execute(
        "INSERT INTO requests (id, day, totem, ticket_id, result, reason)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (request.id, day, request.totem, ticket_id, result, reason),
    )


def report_printer(store: Store, totem: str, printer: str, at: str) -> None:
    """A satellite's printer state, as it reported it (its sync goes through this host)."""
    with store.write() as conn:
        conn.execute(
            "UPDATE totems SET printer = ?, printer_at = ? WHERE id = ?", (printer, at, totem)
        )


def printers(store: Store) -> list[tuple[str, str | None, str | None]]:
    """Each satellite, its last reported printer state and when (None: never reported)."""
    return [
        (str(r[0]), r[1], r[2])
        for r in store.rows("SELECT id, printer, printer_at FROM totems ORDER BY id")
    ]


def void(store: Store, request: Request) -> str | None:
    """Take out of the queue the ticket a satellite's walk-in request issued but never
    printed (the host went away before answering): still waiting, it becomes a no-show with
    no moment, counted nowhere but as issued. Returns its code; None when there is nothing to
    take out (never issued, another kind, or already called)."""
    with store.write() as conn:
        found = answered(conn, request)
        if found is None or found.result != "walkin":
            return None
        row = conn.execute(
            "UPDATE tickets SET status = 'no_show' WHERE id = ? AND status = 'waiting'"
            " RETURNING code",
            (found.ticket_id,),
        ).fetchone()
        return None if row is None else str(row[0])
