"""The transactional outbox: events written in the same transaction as the change they record.

Rows hold exactly the fields of DESIGN.md section 5, one column each; nothing else can be
written here. ``seq`` is the row's AUTOINCREMENT key, so it only grows, even across deletes.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

EVENT_TYPES = (
    "ticket.issued",
    "ticket.called",
    "ticket.recalled",
    "ticket.done",
    "ticket.no_show",
    "ticket.transferred",
    "appointment.checked_in",
    "kiosk.health",
)


def rfc3339(now: datetime, tz: ZoneInfo) -> str:
    """``2026-11-23T09:15:02+01:00``: branch-local, whole seconds, with the offset."""
    return now.astimezone(tz).replace(microsecond=0).isoformat()


def add_event(
    conn: sqlite3.Connection,
    *,
    type: str,
    branch: str,
    day: str,
    at: str,
    ticket: str | None = None,
    service: str | None = None,
    ref: str | None = None,
    printer: str | None = None,
    backlog: int | None = None,
) -> str:
    """Append an event inside the caller's transaction; returns its id."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    event_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO outbox (id, type, branch, day, at, ticket, service, ref, printer, backlog)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (event_id, type, branch, day, at, ticket, service, ref, printer, backlog),
    )
    return event_id


def backlog(conn: sqlite3.Connection) -> dict[str, int]:
    """Events waiting to be sent and events parked after the server rejected them."""
    rows = dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
    return {"waiting": int(rows.get("ready", 0)), "parked": int(rows.get("parked", 0))}
