"""The transactional outbox: events written in the same transaction as the change they record.

A row holds an event of the contract (:mod:`kiosk.core.events`): the common keys as
columns and the type's own keys as one JSON text. It is checked against the contract before it
is written, so the outbox cannot hold an event that could not leave; the sync agent checks it
again on the way out. ``seq`` is the row's AUTOINCREMENT key, so it only grows, even across
deletes. The agent reads, acknowledges and parks rows only through :class:`Outbox`.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk import clocks
from kiosk.core import events
from kiosk.store import state
from kiosk.store.db import Store
from kiosk.store.state import put_in


def add_event(
    conn: sqlite3.Connection,
    *,
    type: str,
    branch: str,
    day: str,
    at: str,
    kiosk: str | None = None,
    **fields: Any,
) -> str:
    """Append an event inside the caller's transaction; returns its id. ``kiosk``: sent for
    another kiosk of the branch (a satellite's health), not for this one.

    Raises:
        events.NotAllowed: the event breaks the contract (the caller's transaction rolls back).
    """
    event_id = str(uuid.uuid4())
    event = {"id": event_id, "seq": 1, "type": type, "branch": branch, "day": day, "at": at}
    checked = events.wire({**event, **fields})
    conn.execute(
        "INSERT INTO outbox (id, type, branch, day, at, body, kiosk) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (event_id, type, branch, day, at, events.dumps(events.body_of(checked)), kiosk),
    )
    # The clocks as this event was written: the purge compares them before it trusts a date.
    put_in(conn, {state.LAST_EVENT_CLOCKS: clocks.read().text()})
    return event_id


@dataclass(frozen=True)
class Row:
    """One waiting event as stored: the common keys and the JSON text of the type's keys."""

    seq: int
    id: str
    type: str
    branch: str
    day: str
    at: str
    body: str
    kiosk: str | None = None  # None: this totem's own event

    def event(self) -> dict[str, Any]:
        """The event as a mapping, for :func:`kiosk.core.events.wire`."""
        common = {"id": self.id, "seq": self.seq, "type": self.type, "branch": self.branch}
        fields = events.loads_body(self.body)
        return {**common, "day": self.day, "at": self.at, **fields}


class Outbox:
    """What the sync agent does with the outbox: read waiting rows, acknowledge, park."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def ready(self, after: int = 0, limit: int = events.MAX_BATCH_EVENTS) -> list[Row]:
        """Waiting rows after seq ``after``, oldest first."""
        rows = self.store.rows(
            "SELECT seq, id, type, branch, day, at, body, kiosk FROM outbox"
            " WHERE state = 'ready' AND seq > ? ORDER BY seq LIMIT ?",
            (after, limit),
        )
        return [Row(*r) for r in rows]

    def acknowledge(self, seqs: Sequence[int], now: datetime) -> None:
        """Delete rows the central server holds, recording the success."""
        with self.store.write() as conn:
            conn.executemany("DELETE FROM outbox WHERE seq = ?", [(s,) for s in seqs])
            put_in(conn, {"sync.last_success": now.isoformat(timespec="seconds")})

    def acknowledge_range(self, first: int, last: int, now: datetime) -> None:
        """Delete a wholly acknowledged batch. Its ready rows are exactly those between its
        first and last seq: rows are numbered when committed, so none can appear inside."""
        with self.store.write() as conn:
            conn.execute(
                "DELETE FROM outbox WHERE state = 'ready' AND seq BETWEEN ? AND ?", (first, last)
            )
            put_in(conn, {"sync.last_success": now.isoformat(timespec="seconds")})

    def park(self, seqs: Sequence[int], error: str, now: datetime) -> None:
        """Set rows aside that the server refused: kept and reported, never resent."""
        with self.store.write() as conn:
            conn.executemany(
                "UPDATE outbox SET state = 'parked', parked_at = ?, error = ? WHERE seq = ?",
                [(now.isoformat(), error[:200], s) for s in seqs],
            )

    def waiting(self) -> int:
        """Events waiting to be sent."""
        return int(self.store.scalar("SELECT COUNT(*) FROM outbox WHERE state = 'ready'") or 0)

    def summary(self) -> tuple[int, int, str | None]:
        """``(waiting, parked, at of the oldest waiting)``."""
        waiting, parked, oldest = self.store.rows(
            "SELECT SUM(state = 'ready'), SUM(state = 'parked'),"
            " MIN(CASE WHEN state = 'ready' THEN at END) FROM outbox"
        )[0]
        return int(waiting or 0), int(parked or 0), oldest

    def status(self, now: datetime) -> dict[str, Any]:
        """Backlog, the oldest waiting event's age, last success and error, parked, paused."""
        waiting, parked, oldest = self.summary()
        age = None
        if oldest:
            age = max(0, int((now - datetime.fromisoformat(oldest)).total_seconds()))
        paused = state.get(self.store, "sync.paused_auth")
        return {
            "backlog": waiting,
            "oldest_waiting_s": age,
            "parked": parked,
            "last_success": state.get(self.store, "sync.last_success"),
            "last_error": state.get(self.store, "sync.last_error"),
            "paused_for_auth": bool(paused),
            "paused_reason": paused or None,
            # The central refused a seq gone back (409): the highest seq it holds.
            "seq_went_back": _int(state.get(self.store, "sync.seq_went_back")),
        }


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def add_health(
    store: Store,
    *,
    branch: str,
    day: str,
    at: str,
    printer: str,
    extra: dict[str, str],
    kiosk: str | None = None,
) -> None:
    """Queue a ``kiosk.health`` event with the current backlog, and record ``extra`` state,
    in one transaction. For a satellite (``kiosk``), the backlog is 0: it keeps no outbox."""
    with store.write() as conn:
        backlog = 0
        if kiosk is None:
            backlog = conn.execute("SELECT COUNT(*) FROM outbox WHERE state = 'ready'").fetchone()[
                0
            ]
        add_event(
            conn,
            type="kiosk.health",
            branch=branch,
            day=day,
            at=at,
            kiosk=kiosk,
            printer=printer,
            backlog=int(backlog),
        )
        put_in(conn, dict(extra))


def add_events(
    store: Store,
    branch: str,
    at: str,
    items: Sequence[tuple[str, str, dict[str, Any]]],
    extra: dict[str, str | None],
    sealed_again: Sequence[str] = (),
) -> None:
    """Queue events given as ``(type, day, keys)`` and record ``extra`` state, in one
    transaction: what was reported and the record of having reported it go together.
    ``sealed_again``: services whose ``service.sealed`` not yet sent (or refused) is replaced:
    only the latest one matters, so an offline totem keeps one per service, not one a minute."""
    with store.write() as conn:
        conn.executemany(
            "DELETE FROM outbox WHERE type = 'service.sealed'"
            " AND json_extract(body, '$.service') = ?",
            [(service,) for service in sealed_again],
        )
        for kind, day, fields in items:
            add_event(conn, type=kind, branch=branch, day=day, at=at, **fields)
        put_in(conn, extra)
