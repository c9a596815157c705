"""Everything the central service keeps, and the only SQL it runs (on SQLite or PostgreSQL
alike, through :mod:`central.db`).

Kept: kiosks and staff by the SHA-256 of their tokens; per-ticket rows (``ticket.issued``,
``appointment.checked_in``) and health reports until the retention, then only their counts per
branch, day, service and hour; ``service.hour`` as sent (counts and percentiles over five or
more citizens); the latest ``service.sealed`` of each service, never an older one (boxes it
cannot open, for the citizens' phones); today's appointments by the hash of their booking
code, never the code. Version 2's ``service.status`` is acknowledged and dropped.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from central.db import Database, Tx
from central.store import witness
from kiosk.core.bookings import SALT_BYTES, CodeHash
from kiosk.server import tokens

ROLES = ("manager", "booking")
PER_TICKET = ("ticket.issued", "appointment.checked_in", "kiosk.health")


@dataclass(frozen=True)
class Kiosk:
    id: str
    branch: str


@dataclass(frozen=True)
class Staff:
    name: str
    role: str
    branch: str | None  # None: the whole town

    def may_see(self, branch: str) -> bool:
        return self.branch is None or self.branch == branch


class Taken(ValueError):
    """The name is already registered."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- kiosks and staff --------------------------------------------------------------------


def add_kiosk(db: Database, kiosk: str, branch: str, token: str | None = None) -> str:
    """Register a kiosk for a branch; returns its token (shown once, kept hashed).

    Raises:
        Taken: the kiosk is already registered (remove it first to issue a new token).
    """
    token = token or tokens.new()

    def work(tx: Tx) -> None:
        if tx.execute("SELECT 1 FROM kiosks WHERE id = ?", (kiosk,)):
            raise Taken(f"kiosk {kiosk} is already registered; remove it first")
        tx.execute(
            "INSERT INTO kiosks (id, branch, token_sha256, added) VALUES (?, ?, ?, ?)",
            (kiosk, branch, tokens.digest(token), _now()),
        )

    db.run(work)
    return token


def remove_kiosk(db: Database, kiosk: str) -> bool:
    return bool(
        db.run(lambda tx: tx.execute("DELETE FROM kiosks WHERE id = ? RETURNING id", (kiosk,)))
    )


def kiosks(db: Database) -> list[Kiosk]:
    rows = db.run(lambda tx: tx.execute("SELECT id, branch FROM kiosks ORDER BY branch, id"))
    return [Kiosk(*r) for r in rows]


def kiosk_for(db: Database, token: str) -> Kiosk | None:
    """The kiosk whose token this is (a lookup by the token's hash), or None."""
    rows = db.run(
        lambda tx: tx.execute(
            "SELECT id, branch FROM kiosks WHERE token_sha256 = ?", (tokens.digest(token),)
        )
    )
    return Kiosk(*rows[0]) if rows else None


def satellite_of(db: Database, host: Kiosk, named: Any, events: Sequence[Any]) -> Kiosk | None:
    """The kiosk ``named`` when ``host`` may post for it: a kiosk of the same branch, and
    only its ``kiosk.health`` (a satellite's health goes through its host); else None."""
    if not isinstance(named, str) or any(
        not isinstance(e, dict) or e.get("type") != "kiosk.health" for e in events
    ):
        return None
    rows = db.run(lambda tx: tx.execute("SELECT branch FROM kiosks WHERE id = ?", (named,)))
    return Kiosk(named, host.branch) if rows and rows[0][0] == host.branch else None


def add_staff(db: Database, name: str, role: str, branch: str | None) -> str:
    """A manager's or the booking system's token, for one branch or (None) the whole town.

    Raises:
        Taken: the name is already registered.
    """
    assert role in ROLES
    token = tokens.new()

    def work(tx: Tx) -> None:
        if tx.execute("SELECT 1 FROM staff WHERE name = ?", (name,)):
            raise Taken(f"{name} is already registered; remove it first")
        tx.execute(
            "INSERT INTO staff (name, role, branch, token_sha256, added) VALUES (?, ?, ?, ?, ?)",
            (name, role, branch, tokens.digest(token), _now()),
        )

    db.run(work)
    return token


def remove_staff(db: Database, name: str) -> bool:
    """Remove a manager or booking system, and every sign-in of theirs with them."""

    def work(tx: Tx) -> bool:
        tx.execute("DELETE FROM sessions WHERE staff = ?", (name,))
        return bool(tx.execute("DELETE FROM staff WHERE name = ? RETURNING name", (name,)))

    return db.run(work)


def staff_for(db: Database, token: str, role: str) -> Staff | None:
    rows = db.run(
        lambda tx: tx.execute(
            "SELECT name, role, branch FROM staff WHERE token_sha256 = ? AND role = ?",
            (tokens.digest(token), role),
        )
    )
    return Staff(*rows[0]) if rows else None


SESSION_HOURS = 8


def open_session(db: Database, staff: Staff, now: datetime) -> str:
    """A new sign-in for ``staff``, valid :data:`SESSION_HOURS`: its id (kept only hashed)."""
    session = tokens.new()
    expires = (now.astimezone(UTC) + timedelta(hours=SESSION_HOURS)).isoformat()

    def work(tx: Tx) -> None:
        tx.execute("DELETE FROM sessions WHERE expires < ?", (now.astimezone(UTC).isoformat(),))
        tx.execute(
            "INSERT INTO sessions (id_sha256, staff, expires) VALUES (?, ?, ?)",
            (tokens.digest(session), staff.name, expires),
        )

    db.run(work)
    return session


def staff_of_session(db: Database, session: str, now: datetime) -> Staff | None:
    """The manager signed in with ``session``, while it lasts and while they are a manager."""
    rows = db.run(
        lambda tx: tx.execute(
            "SELECT staff.name, staff.role, staff.branch FROM sessions"
            " JOIN staff ON staff.name = sessions.staff"
            " WHERE sessions.id_sha256 = ? AND sessions.expires > ? AND staff.role = 'manager'",
            (tokens.digest(session), now.astimezone(UTC).isoformat()),
        )
    )
    return Staff(*rows[0]) if rows else None


def close_session(db: Database, session: str) -> None:
    db.run(
        lambda tx: tx.execute("DELETE FROM sessions WHERE id_sha256 = ?", (tokens.digest(session),))
    )


def set_branch(db: Database, branch: str, name: str | None, services: Mapping[str, str]) -> None:
    """A branch's display name and service names (for the public status page)."""

    def work(tx: Tx) -> None:
        old = tx.execute("SELECT name, services FROM branches WHERE id = ?", (branch,))
        merged = {**(json.loads(old[0][1]) if old else {}), **services}
        tx.execute(
            "INSERT INTO branches (id, name, services) VALUES (?, ?, ?) ON CONFLICT (id)"
            " DO UPDATE SET name = excluded.name, services = excluded.services",
            (branch, name or (old[0][0] if old else branch), json.dumps(merged, sort_keys=True)),
        )

    db.run(work)


def branch_names(db: Database, branch: str) -> tuple[str, dict[str, str]]:
    rows = db.run(
        lambda tx: tx.execute("SELECT name, services FROM branches WHERE id = ?", (branch,))
    )
    return (rows[0][0], json.loads(rows[0][1])) if rows else (branch, {})


# --- ingest ------------------------------------------------------------------------------


def ingest(db: Database, kiosk: Kiosk, events: Sequence[Mapping[str, Any]]) -> list[str]:
    """Keep a checked batch; returns the ids now held (all of them: new or seen before).

    Idempotent by event id (a unique key, conflicts ignored), whichever process got the batch
    first; a status replaces the kept one only when it is newer (by the kiosk's seq).

    Raises:
        witness.SeqWentBack: a new event's seq is not above the highest the kiosk ever sent.
    """
    # The arrival, to the hour: enough for the retention, too coarse to line rows up by it.
    received = datetime.now(UTC).replace(minute=0, second=0, microsecond=0).isoformat()
    rows: list[dict[str, Any]] = []
    hours: list[dict[str, Any]] = []
    latest: dict[tuple[str, str], Mapping[str, Any]] = {}
    for e in events:
        kind = e["type"]
        if kind in PER_TICKET:
            rows.append({
                "id": e["id"], "kiosk": kiosk.id, "branch": e["branch"], "day": e["day"],
                "type": kind, "hour": int(e["at"][11:13]), "service": e.get("service"),
                "ticket": e.get("ticket"), "ref": e.get("ref"), "printer": e.get("printer"),
                "backlog": e.get("backlog"), "seq": e["seq"], "received": received,
            })  # fmt: skip
        elif kind == "service.hour":
            hours.append({
                "id": e["id"], "kiosk": kiosk.id, "branch": e["branch"], "day": e["day"],
                "service": e["service"], "span": e["span"], "issued": e["issued"],
                "served": e["served"], "no_show": e["no_show"], "wait_p50": e["wait_p50"],
                "wait_p90": e["wait_p90"], "service_p50": e["service_p50"],
            })  # fmt: skip
        elif kind == "service.sealed":
            key = (e["branch"], e["service"])
            if key not in latest or latest[key]["seq"] < e["seq"]:
                latest[key] = e

    def work(tx: Tx) -> None:
        last = witness.check(tx, kiosk.id, events)  # raises SeqWentBack: nothing is stored
        tx.insert_ignore("events", rows)
        tx.insert_ignore("hours", hours)
        tx.executemany(
            "INSERT INTO sealed (branch, service, kiosk, seq, day, tick, boxes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (branch, service)"
            " DO UPDATE SET kiosk = excluded.kiosk, seq = excluded.seq, day = excluded.day,"
            " tick = excluded.tick, boxes = excluded.boxes"
            " WHERE sealed.kiosk <> excluded.kiosk OR sealed.seq < excluded.seq",
            [
                (s["branch"], s["service"], kiosk.id, s["seq"], s["day"], s["tick"],
                 json.dumps(s["boxes"], separators=(",", ":")))
                for s in latest.values()
            ],
        )  # fmt: skip
        witness.advance(tx, kiosk.id, last, events)

    db.run(work)
    return [str(e["id"]) for e in events]


def sealed(db: Database, branch: str) -> list[dict[str, Any]]:
    """Each service's latest sealed statuses: ``{"service", "day", "tick", "boxes"}``."""
    rows = db.run(
        lambda tx: tx.execute(
            "SELECT service, day, tick, boxes FROM sealed WHERE branch = ? ORDER BY service",
            (branch,),
        )
    )
    return [{"service": r[0], "day": r[1], "tick": r[2], "boxes": json.loads(r[3])} for r in rows]


# --- appointments ------------------------------------------------------------------------


def _day_hash(tx: Tx, branch: str, day: str) -> CodeHash:
    """The branch's hash of ``day``: made once, with a salt of its own."""
    rows = tx.execute("SELECT salt, n, r, p FROM salts WHERE branch = ? AND day = ?", (branch, day))
    if rows:
        salt, n, r, p = rows[0]
        return CodeHash(bytes.fromhex(salt), n, r, p)
    made = CodeHash(os.urandom(SALT_BYTES))
    tx.execute(
        "INSERT INTO salts (branch, day, salt, n, r, p) VALUES (?, ?, ?, ?, ?, ?)",
        (branch, day, made.salt.hex(), made.n, made.r, made.p),
    )
    return made


def put_appointments(
    db: Database, branch: str, day: str, items: Iterable[Mapping[str, str]]
) -> int:
    """Replace a branch's appointments of a day. Each item has ``code_sha256`` (a raw code is
    hashed by the caller on arrival), ``service``, ``slot`` and maybe the booking's ``ref``;
    only the salted slow hash of the code is kept (the SHA-256 goes with this call)."""
    listed = list(items)

    def work(tx: Tx) -> int:
        day_hash = _day_hash(tx, branch, day)
        rows = []
        for item in listed:
            code_hash = day_hash.of_digest(item["code_sha256"])
            # A ref the booking system did not give is made from the slow hash: the same for
            # the same booking on every import, and no quicker to guess a code from.
            ref = item.get("ref") or "apt-" + hashlib.sha256(code_hash.encode()).hexdigest()[:16]
            rows.append({"branch": branch, "day": day, "ref": ref, "code_hash": code_hash,
                         "service": item["service"], "slot": item["slot"]})  # fmt: skip
        tx.execute("DELETE FROM bookings WHERE branch = ? AND day = ?", (branch, day))
        tx.execute("DELETE FROM appointments WHERE branch = ? AND day = ?", (branch, day))
        tx.insert_ignore("bookings", rows)
        return len(rows)

    return db.run(work)


def appointments(
    db: Database, branch: str, day: str
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The day's hash (its salt and parameters) and appointments, as a kiosk gets them."""

    def work(tx: Tx) -> tuple[dict[str, Any], list[dict[str, str]]]:
        day_hash = _day_hash(tx, branch, day)  # a day with none yet still has its salt
        rows = tx.execute(
            "SELECT ref, code_hash, service, slot FROM bookings"
            " WHERE branch = ? AND day = ? ORDER BY slot, ref",
            (branch, day),
        )
        found = [{"ref": r[0], "code_hash": r[1], "service": r[2], "slot": r[3]} for r in rows]
        return day_hash.as_json(), found

    return db.run(work)


# --- retention ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Retained:
    rows: int  # per-ticket and health rows deleted (their counts kept)
    appointments: int  # appointments of past days deleted


def retain(db: Database, now: datetime, days: int) -> Retained:
    """Delete the per-ticket rows that arrived more than ``days`` before ``now``, adding them
    to the kept counts in the same transaction (so no process counts a row twice or loses
    one), and the appointments of days gone by.

    By arrival, not by the ticket's day: a row is also what recognises its event sent again
    (a lost acknowledgement), and a totem offline for a week sends a week-old day late. Deleted
    by its day, such a row would go at once and its repeat be counted a second time.
    """
    cutoff = (now.astimezone(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    today = now.astimezone(UTC).date()

    def work(tx: Tx) -> Retained:
        gone = tx.execute(
            "DELETE FROM events WHERE received < ? RETURNING branch, day, service, hour, type, ref",
            (cutoff,),
        )
        counts: Counter[tuple[str, str, str, int, str]] = Counter()
        for branch, day, service, hour, kind, ref in gone:
            if kind == "ticket.issued":
                counts[(branch, day, service, hour, "issued")] += 1
                if ref is not None:
                    counts[(branch, day, service, hour, "reentries")] += 1
            elif kind == "appointment.checked_in":
                counts[(branch, day, service, hour, "checked_in")] += 1
        cells = {key[:4] for key in counts}
        tx.executemany(
            "INSERT INTO issued (branch, day, service, hour, issued, reentries, checked_in)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (branch, day, service, hour) DO UPDATE SET"
            " issued = issued.issued + excluded.issued,"
            " reentries = issued.reentries + excluded.reentries,"
            " checked_in = issued.checked_in + excluded.checked_in",
            [
                (*cell, counts[(*cell, "issued")], counts[(*cell, "reentries")],
                 counts[(*cell, "checked_in")])
                for cell in sorted(cells)
            ],
        )  # fmt: skip
        old = tx.execute("DELETE FROM bookings WHERE day < ? RETURNING ref", (today.isoformat(),))
        tx.execute("DELETE FROM salts WHERE day < ?", (today.isoformat(),))
        tx.execute("DELETE FROM appointments")  # contract version 2's plain SHA-256: kept no more
        # A day's sealed statuses are of no use to anyone once it is over everywhere, and
        # version 2's waiting lists are kept no more.
        yesterday = (today - timedelta(days=1)).isoformat()
        tx.execute("DELETE FROM sealed WHERE day < ?", (yesterday,))
        tx.execute("DELETE FROM statuses")
        return Retained(len(gone), len(old))

    done = db.run(work)
    if done.rows or done.appointments:
        db.scrub()
    return done


# --- statistics --------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The raw rows behind a branch's statistics for a range of days."""

    issued: list[tuple[str, str, int, int, int, int]]  # day, service, hour, issued, re, checked
    hours: list[tuple[str, str, str, int, int, int, int | None, int | None, int | None]]


def figures(db: Database, branch: str, first: str, last: str) -> Figures:
    def work(tx: Tx) -> Figures:
        kept = tx.execute(
            "SELECT day, service, hour, issued, reentries, checked_in FROM issued"
            " WHERE branch = ? AND day BETWEEN ? AND ? ORDER BY day, service, hour",
            (branch, first, last),
        )
        live = tx.execute(
            "SELECT day, service, hour,"
            " SUM(CASE WHEN type = 'ticket.issued' THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN type = 'ticket.issued' AND ref IS NOT NULL THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN type = 'appointment.checked_in' THEN 1 ELSE 0 END)"
            " FROM events WHERE branch = ? AND day BETWEEN ? AND ?"
            " AND type IN ('ticket.issued', 'appointment.checked_in')"
            " GROUP BY day, service, hour ORDER BY day, service, hour",
            (branch, first, last),
        )
        spans = tx.execute(
            "SELECT day, service, span, issued, served, no_show, wait_p50, wait_p90,"
            " service_p50 FROM hours WHERE branch = ? AND day BETWEEN ? AND ?"
            " ORDER BY day, service, span",
            (branch, first, last),
        )
        return Figures(
            [(r[0], r[1], int(r[2]), int(r[3]), int(r[4]), int(r[5])) for r in kept + live],
            [tuple(r) for r in spans],
        )

    return db.run(work)


def branches(db: Database) -> list[str]:
    rows = db.run(
        lambda tx: tx.execute("SELECT branch FROM kiosks UNION SELECT id FROM branches ORDER BY 1")
    )
    return [r[0] for r in rows]


def counts(db: Database) -> dict[str, int]:
    """How many rows each table holds (the retention's and the tests' view)."""
    names = ("events", "issued", "hours", "sealed", "bookings", "kiosks", "staff")
    return db.run(
        lambda tx: {n: int(tx.execute(f"SELECT COUNT(*) FROM {n}")[0][0]) for n in names}  # noqa: S608
    )
