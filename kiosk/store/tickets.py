"""Issuing and reading tickets. Numbering is gapless and unique per service per day.

A number is taken as MAX(number) + 1 inside a BEGIN IMMEDIATE transaction that also inserts
the ticket and its outbox event: concurrent issuers queue on the write lock, a crash rolls the
whole transaction back (no gap), and UNIQUE(day, service, number) backs the invariant.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.core import events
from kiosk.core.figures import Record
from kiosk.core.queue import Waiting, call_order
from kiosk.core.tickets import Kind, Status, format_code, next_number
from kiosk.store import marker, state
from kiosk.store import totems as store_totems
from kiosk.store.db import Store
from kiosk.store.outbox import add_event
from kiosk.store.totems import Request


class IssueRefused(Exception):
    """A ticket could not be issued for a domain reason; ``reason`` is a stable word."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Ticket:
    id: int
    day: str
    service: str
    number: int
    code: str
    kind: Kind
    status: Status
    issued_at: datetime
    ref: str | None = None
    slot_at: datetime | None = None
    called_at: datetime | None = None
    done_at: datetime | None = None
    no_show_at: datetime | None = None
    returned_at: datetime | None = None
    reentry_issued: bool = False
    desk: str | None = None
    queue: str | None = None  # the service it waits for now, when a desk transferred it
    transferred_at: datetime | None = None
    lang: str | None = None  # the language the citizen chose at the totem (the phone page's)

    @property
    def waits_for(self) -> str:
        return self.queue or self.service


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _ticket(row: dict[str, Any]) -> Ticket:
    return Ticket(
        id=row["id"],
        day=row["day"],
        service=row["service"],
        number=row["number"],
        code=row["code"],
        kind=Kind(row["kind"]),
        status=Status(row["status"]),
        issued_at=datetime.fromisoformat(row["issued_at"]),
        ref=row["ref"],
        slot_at=_moment(row["slot_at"]),
        called_at=_moment(row["called_at"]),
        done_at=_moment(row["done_at"]),
        no_show_at=_moment(row["no_show_at"]),
        returned_at=_moment(row["returned_at"]),
        reentry_issued=bool(row["reentry_issued"]),
        desk=row["desk"],
        queue=row["queue"],
        transferred_at=_moment(row["transferred_at"]),
        lang=row["lang"],
    )


@dataclass(frozen=True)
class Issue:
    """What to issue: the caller has already decided that it may be issued."""

    branch: str
    tz: ZoneInfo
    day: date
    service: str
    now: datetime
    kind: Kind = Kind.WALKIN
    ref: str | None = None  # re-entry: the earlier ticket; appointment: the appointment ref
    slot_at: datetime | None = None
    walkin_cap: int | None = None  # checked again inside the transaction
    lang: str | None = None
    request: Request | None = None  # a satellite's: asked again, it answers the same ticket
    answer: tuple[str, str] = ("walkin", "issued")  # recorded with the request: result, reason


def _insert(conn: sqlite3.Connection, req: Issue) -> Ticket:
    day = req.day.isoformat()
    last, walkins = conn.execute(
        "SELECT MAX(number), SUM(kind = 'walkin') FROM tickets WHERE day = ? AND service = ?",
        (day, req.service),
    ).fetchone()
    # After a lost database was reset, the day's numbers go on after the marker's.
    last = max(last or 0, marker.floor(conn, day, req.service)) or None
    if req.kind is Kind.WALKIN and req.walkin_cap is not None and (walkins or 0) >= req.walkin_cap:
        raise IssueRefused("cap_reached")
    try:
        number = next_number(last)
    except ValueError:
        raise IssueRefused("cap_reached") from None
    code = format_code(req.service, number)
    issued_at = utc_text(req.now)
    state.ensure_seal_key(conn, day)
    cursor = conn.execute(
        "INSERT INTO tickets (day, service, number, code, kind, ref, issued_at, slot_at, lang)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            day,
            req.service,
            number,
            code,
            req.kind.value,
            req.ref,
            issued_at,
            None if req.slot_at is None else utc_text(req.slot_at),
            req.lang,
        ),
    )
    at = events.minute(req.now, req.tz)
    # The re-entry's earlier ticket travels as ``ref``; an appointment's ref goes only on
    # appointment.checked_in, as the contract says.
    add_event(
        conn,
        type="ticket.issued",
        branch=req.branch,
        day=day,
        at=at,
        ticket=code,
        service=req.service,
        ref=req.ref if req.kind is Kind.REENTRY else None,
    )
    if req.kind is Kind.APPOINTMENT:
        add_event(
            conn,
            type="appointment.checked_in",
            branch=req.branch,
            day=day,
            at=at,
            ticket=code,
            service=req.service,
            ref=req.ref,
        )
    ticket_id = int(cursor.lastrowid or 0)
    if req.request is not None:
        store_totems.record(conn, req.request, day, ticket_id, *req.answer)
    return Ticket(
        id=ticket_id,
        day=day,
        service=req.service,
        number=number,
        code=code,
        kind=req.kind,
        status=Status.WAITING,
        issued_at=datetime.fromisoformat(issued_at),
        ref=req.ref,
        slot_at=req.slot_at,
        lang=req.lang,
    )


def issue(store: Store, req: Issue) -> Ticket:
    """Number and store a walk-in ticket and its ``ticket.issued`` event, atomically.

    Raises:
        IssueRefused: the daily cap or the day's numbers are used up.
    """
    with store.write() as conn:
        return _replayed(conn, req) or _insert(conn, req)


def _replayed(conn: sqlite3.Connection, req: Issue) -> Ticket | None:
    """The ticket ``req``'s request already issued (the satellite asks again), if any."""
    if req.request is None:
        return None
    found = store_totems.answered(conn, req.request)
    if found is None:
        return None
    cursor = conn.execute("SELECT * FROM tickets WHERE id = ?", (found.ticket_id,))
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    return None if row is None else _ticket(dict(zip(names, row, strict=True)))


def issue_reentry(store: Store, req: Issue, earlier_id: int) -> Ticket:
    """Issue the one re-entry ticket a served ticket gives, marking the earlier one used.

    Raises:
        IssueRefused: ``already_returned`` when another totem got there first.
    """
    with store.write() as conn:
        again = _replayed(conn, req)
        if again is not None:
            return again
        changed = conn.execute(
            "UPDATE tickets SET reentry_issued = 1 WHERE id = ? AND reentry_issued = 0",
            (earlier_id,),
        ).rowcount
        if changed != 1:
            raise IssueRefused("already_returned")
        return _insert(conn, req)


def check_in(store: Store, req: Issue, day: str) -> Ticket:
    """Issue an appointment's ticket and record the check-in, once.

    Raises:
        IssueRefused: ``already_checked_in`` when the appointment already has a ticket.
    """
    with store.write() as conn:
        again = _replayed(conn, req)
        if again is not None:
            return again
        row = conn.execute(
            "SELECT ticket FROM appointments WHERE day = ? AND ref = ?", (day, req.ref)
        ).fetchone()
        if row is None or row[0] is not None:
            raise IssueRefused("already_checked_in")
        ticket = _insert(conn, req)
        conn.execute(
            "UPDATE appointments SET ticket = ? WHERE day = ? AND ref = ?",
            (ticket.code, day, req.ref),
        )
        return ticket


def requeue_no_show(store: Store, ticket_id: int, now: datetime) -> None:
    """Put a no-show who came back within the tolerance back in the queue, near the front."""
    with store.write() as conn:
        conn.execute(
            "UPDATE tickets SET status = 'waiting', returned_at = ? WHERE id = ? "
            "AND status = 'no_show'",
            (utc_text(now), ticket_id),
        )


def by_id(store: Store, ticket_id: int) -> Ticket | None:
    rows = store.query("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
    return _ticket(rows[0]) if rows else None


def find(store: Store, day: str, code: str) -> Ticket | None:
    rows = store.query("SELECT * FROM tickets WHERE day = ? AND code = ?", (day, code))
    return _ticket(rows[0]) if rows else None


@dataclass(frozen=True)
class Brief:
    """Where a ticket is, and no more: what a phone's status needs of it."""

    code: str
    status: Status
    waits_for: str
    desk: str | None
    lang: str | None


_BRIEF = "SELECT code, status, COALESCE(queue, service), desk, lang FROM tickets WHERE day = ?"


def brief(store: Store, day: str, code: str) -> Brief | None:
    rows = store.rows(_BRIEF + " AND code = ?", (day, code))
    return Brief(rows[0][0], Status(rows[0][1]), *rows[0][2:]) if rows else None


def briefs(store: Store, day: str) -> dict[str, Brief]:
    """Every ticket of ``day``, briefly (one read for many phones at once)."""
    return {r[0]: Brief(r[0], Status(r[1]), *r[2:]) for r in store.rows(_BRIEF, (day,))}


def waiting(store: Store, day: str, service: str | None = None) -> list[Waiting]:
    """Today's waiting tickets (of one service, or all) as the call order sees them."""
    sql = "SELECT * FROM tickets WHERE day = ? AND status = 'waiting'"
    params: tuple[object, ...] = (day,)
    if service is not None:
        sql += " AND COALESCE(queue, service) = ?"
        params += (service,)
    return [as_waiting(t) for t in map(_ticket, store.query(sql + " ORDER BY id", params))]


def as_waiting(t: Ticket) -> Waiting:
    return Waiting(
        ticket_id=t.id,
        service=t.waits_for,
        kind=t.kind,
        issued_at=t.issued_at,
        slot_at=t.slot_at,
        returned_at=t.returned_at,
        transferred_at=t.transferred_at,
    )


def served_minutes(
    store: Store, day: str, service: str, before: datetime | None = None
) -> list[float]:
    """How long each of today's served tickets of a service took, oldest first (only those
    done ``before``, when given).

    Per ticket, never per desk: the figure feeds the wait estimate and nothing else.
    """
    rows = store.query(
        "SELECT called_at, done_at FROM tickets WHERE day = ? AND COALESCE(queue, service) = ?"
        " AND status = 'done' AND called_at IS NOT NULL AND done_at IS NOT NULL"
        " AND done_at < ? ORDER BY done_at",
        (day, service, utc_text(before) if before else "9999"),
    )
    return [
        (
            datetime.fromisoformat(r["done_at"]) - datetime.fromisoformat(r["called_at"])
        ).total_seconds()
        / 60
        for r in rows
    ]


def counts(store: Store, day: str) -> dict[str, dict[str, int]]:
    """Per service: tickets numbered today, walk-ins, the last number used, and how many wait
    for it now (transferred tickets wait for the service they were sent to)."""
    rows = store.query(
        "SELECT service, COUNT(*) AS issued, SUM(kind = 'walkin') AS walkins,"
        " MAX(number) AS last FROM tickets WHERE day = ? GROUP BY service",
        (day,),
    )
    out = {r["service"]: {k: int(r[k] or 0) for k in ("issued", "walkins", "last")} for r in rows}
    queues = store.query(
        "SELECT COALESCE(queue, service) AS queue, COUNT(*) AS waiting FROM tickets"
        " WHERE day = ? AND status = 'waiting' GROUP BY COALESCE(queue, service)",
        (day,),
    )
    for r in queues:
        out.setdefault(r["queue"], {"issued": 0, "walkins": 0, "last": 0})["waiting"] = r["waiting"]
    return out


def records(store: Store, day: str, service: str) -> list[Record]:
    """The day's tickets that issued for, or wait for, ``service``, for its figures."""
    rows = store.query(
        "SELECT service, queue, issued_at, called_at, done_at, no_show_at FROM tickets"
        " WHERE day = ? AND (service = ? OR queue = ?) ORDER BY id",
        (day, service, service),
    )
    out = []
    for r in rows:
        here = (r["queue"] or r["service"]) == service
        out.append(
            Record(
                issued_at=datetime.fromisoformat(r["issued_at"]),
                called_at=_moment(r["called_at"]) if here else None,
                done_at=_moment(r["done_at"]) if here else None,
                no_show_at=_moment(r["no_show_at"]) if here else None,
                counts_as_issued=r["service"] == service,
            )
        )
    return out


# What the call order needs of each waiting ticket, and no more (a queue may be long).
WAITING_FOR = (
    "SELECT id, code, COALESCE(queue, service), kind, issued_at, slot_at, returned_at,"
    " transferred_at FROM tickets WHERE day = ? AND status = 'waiting'"
    " AND COALESCE(queue, service) IN (SELECT value FROM json_each(?))"
)


def waiting_params(day: str, services: Sequence[str]) -> tuple[str, str]:
    return day, json.dumps(list(services))


def in_call_order(
    rows: Sequence[Sequence[Any]], services: Sequence[str], now: datetime
) -> list[tuple[int, str, str]]:
    """``(id, code, service waited for)`` of the rows :data:`WAITING_FOR` read, in the order
    a desk serving ``services`` calls them."""
    codes = {r[0]: (r[1], r[2]) for r in rows}
    entries = [
        Waiting(r[0], r[2], Kind(r[3]), datetime.fromisoformat(r[4]), _moment(r[5]),
                _moment(r[6]), _moment(r[7]))
        for r in rows
    ]  # fmt: skip
    return [(w.ticket_id, *codes[w.ticket_id]) for w in call_order(entries, services, now)]


def next_in_line(
    conn: sqlite3.Connection, day: str, services: Sequence[str], now: datetime
) -> tuple[int, str, str] | None:
    """The first of :func:`in_call_order`, reading only the rows that can be first: every
    ticket a rule may move forward, and each service's earliest plain walk-in (plain walk-ins
    are called in order of arrival among themselves). A long queue costs a desk no more."""
    params = waiting_params(day, services)
    special = conn.execute(
        WAITING_FOR + " AND (kind != 'walkin' OR returned_at IS NOT NULL"
        " OR transferred_at IS NOT NULL)",
        params,
    ).fetchall()
    plain = [
        row
        for service in services
        for row in conn.execute(
            WAITING_FOR + " AND kind = 'walkin' AND returned_at IS NULL"
            " AND transferred_at IS NULL AND COALESCE(queue, service) = ?"
            " ORDER BY issued_at, id LIMIT 1",
            (*params, service),
        ).fetchall()
    ]
    order = in_call_order(special + plain, services, now)
    return order[0] if order else None


def call_queue(store: Store, day: str, service: str, now: datetime) -> list[str]:
    """The numbers waiting for ``service``, in the order the desks will call them."""
    rows = store.rows(WAITING_FOR, waiting_params(day, [service]))
    return [code for _id, code, _service in in_call_order(rows, [service], now)]


def in_progress(store: Store, day: str, service: str) -> bool:
    """Whether a ticket of ``service`` still waits or is at a desk."""
    return bool(
        store.scalar(
            "SELECT EXISTS (SELECT 1 FROM tickets WHERE day = ? AND COALESCE(queue, service) = ?"
            " AND status IN ('waiting', 'called'))",
            (day, service),
        )
    )


def days(store: Store) -> list[str]:
    """The days the store holds tickets of, oldest first."""
    return [str(r[0]) for r in store.rows("SELECT DISTINCT day FROM tickets ORDER BY day")]
