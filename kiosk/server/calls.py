"""What a desk does: call the next citizen, recall, finish, mark a no-show, transfer.

Each operation is one write transaction (BEGIN IMMEDIATE), so two desks pressing "next" at the
same moment are served one after the other and never get the same ticket. The desk is kept
only on the ticket it is serving now and in today's call log for the displays; it never goes
into an event, and nothing counts what a desk did.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.config import Config
from kiosk.core.queue import call_order
from kiosk.store import Store
from kiosk.store.outbox import add_event, rfc3339
from kiosk.store.tickets import _ticket, as_waiting, utc_text


class DeskActionError(Exception):
    """The action cannot be done; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Call:
    """One line of the call log, as displays get it."""

    id: int
    ticket: str
    desk: str
    at: str

    def as_json(self) -> dict[str, str]:
        return {"ticket": self.ticket, "desk": self.desk, "at": self.at}


class Desks:
    """The desk operations over the store."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store

    def _event(
        self, conn: sqlite3.Connection, kind: str, now: datetime, ticket: str, service: str
    ) -> None:
        tz = self.config.timezone
        add_event(
            conn,
            type=kind,
            branch=self.config.branch,
            day=now.astimezone(tz).date().isoformat(),
            at=rfc3339(now, tz),
            ticket=ticket,
            service=service,
        )

    def _day(self, now: datetime) -> str:
        return now.astimezone(self.config.timezone).date().isoformat()

    def _current(
        self, conn: sqlite3.Connection, desk: str, day: str, ticket: str | None
    ) -> dict[str, Any]:
        conn.row_factory = sqlite3.Row
        try:
            row = conn.execute(
                "SELECT * FROM tickets WHERE day = ? AND desk = ? AND status = 'called'",
                (day, desk),
            ).fetchone()
            if ticket is not None and (row is None or row["code"] != ticket):
                other = conn.execute(
                    "SELECT desk FROM tickets WHERE day = ? AND code = ? AND status = 'called'",
                    (day, ticket),
                ).fetchone()
                if other is not None and other["desk"] != desk:
                    raise DeskActionError(403, f"ticket {ticket} is being served by another desk")
                raise DeskActionError(409, f"ticket {ticket} is not this desk's current ticket")
            if row is None:
                raise DeskActionError(409, "this desk is serving no ticket")
            return dict(row)
        finally:
            conn.row_factory = None

    def _log_call(
        self, conn: sqlite3.Connection, day: str, ticket: str, desk: str, now: datetime
    ) -> Call:
        at = rfc3339(now, self.config.timezone)
        cursor = conn.execute(
            "INSERT INTO calls (day, ticket, desk, at) VALUES (?, ?, ?, ?)", (day, ticket, desk, at)
        )
        return Call(int(cursor.lastrowid or 0), ticket, desk, at)

    def _finish_current(self, conn: sqlite3.Connection, desk: str, day: str, now: datetime) -> None:
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            "SELECT id, code, service, queue FROM tickets"
            " WHERE day = ? AND desk = ? AND status = 'called'",
            (day, desk),
        ).fetchall()
        conn.row_factory = None
        for row in rows:
            conn.execute(
                "UPDATE tickets SET status = 'done', done_at = ?, desk = NULL WHERE id = ?",
                (utc_text(now), row["id"]),
            )
            self._event(conn, "ticket.done", now, row["code"], row["queue"] or row["service"])

    def call_next(self, desk: str, services: list[str], now: datetime) -> Call | None:
        """Finish the desk's current ticket and call the next for ``services`` (None: nobody)."""
        unknown = [s for s in services if self.config.service(s) is None]
        if unknown or not services:
            raise DeskActionError(422, f"unknown services: {', '.join(unknown) or '(none given)'}")
        day = self._day(now)
        with self.store.write() as conn:
            self._finish_current(conn, desk, day, now)
            conn.row_factory = sqlite3.Row
            rows = conn.execute(
                "SELECT * FROM tickets WHERE day = ? AND status = 'waiting'"
                " AND COALESCE(queue, service) IN (SELECT value FROM json_each(?)) ORDER BY id",
                (day, json.dumps(services)),
            ).fetchall()
            conn.row_factory = None
            tickets = {r["id"]: _ticket(dict(r)) for r in rows}
            order = call_order([as_waiting(t) for t in tickets.values()], services, now)
            if not order:
                return None
            chosen = tickets[order[0].ticket_id]
            conn.execute(
                "UPDATE tickets SET status = 'called', called_at = ?, desk = ? WHERE id = ?",
                (utc_text(now), desk, chosen.id),
            )
            self._event(conn, "ticket.called", now, chosen.code, chosen.waits_for)
            return self._log_call(conn, day, chosen.code, desk, now)

    def recall(self, desk: str, ticket: str | None, now: datetime) -> Call:
        day = self._day(now)
        with self.store.write() as conn:
            row = self._current(conn, desk, day, ticket)
            self._event(conn, "ticket.recalled", now, row["code"], row["queue"] or row["service"])
            return self._log_call(conn, day, row["code"], desk, now)

    def done(self, desk: str, ticket: str | None, now: datetime) -> str:
        day = self._day(now)
        with self.store.write() as conn:
            row = self._current(conn, desk, day, ticket)
            conn.execute(
                "UPDATE tickets SET status = 'done', done_at = ?, desk = NULL WHERE id = ?",
                (utc_text(now), row["id"]),
            )
            self._event(conn, "ticket.done", now, row["code"], row["queue"] or row["service"])
            return str(row["code"])

    def no_show(self, desk: str, ticket: str | None, now: datetime) -> str:
        day = self._day(now)
        with self.store.write() as conn:
            row = self._current(conn, desk, day, ticket)
            conn.execute(
                "UPDATE tickets SET status = 'no_show', no_show_at = ?, desk = NULL WHERE id = ?",
                (utc_text(now), row["id"]),
            )
            self._event(conn, "ticket.no_show", now, row["code"], row["queue"] or row["service"])
            return str(row["code"])

    def transfer(self, desk: str, ticket: str | None, service: str, now: datetime) -> str:
        if self.config.service(service) is None:
            raise DeskActionError(422, f'unknown service "{service}"')
        day = self._day(now)
        with self.store.write() as conn:
            row = self._current(conn, desk, day, ticket)
            conn.execute(
                "UPDATE tickets SET status = 'waiting', queue = ?, transferred_at = ?, desk = NULL,"
                " called_at = NULL WHERE id = ?",
                (service, utc_text(now), row["id"]),
            )
            self._event(conn, "ticket.transferred", now, row["code"], service)
            return str(row["code"])

    def current(self, desk: str, now: datetime) -> str | None:
        value = self.store.scalar(
            "SELECT code FROM tickets WHERE day = ? AND desk = ? AND status = 'called'",
            (self._day(now), desk),
        )
        return None if value is None else str(value)

    def calls(self, now: datetime, limit: int, after: int = 0) -> list[Call]:
        rows = self.store.query(
            "SELECT id, ticket, desk, at FROM calls WHERE day = ? AND id > ?"
            " ORDER BY id DESC LIMIT ?",
            (self._day(now), after, limit),
        )
        return [Call(r["id"], r["ticket"], r["desk"], r["at"]) for r in rows]
