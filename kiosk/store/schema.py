"""Versioned migrations, applied in order at open; ``PRAGMA user_version`` is the version."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable

from kiosk.core import events
from kiosk.store.errors import StorageError

log = logging.getLogger(__name__)


def _rebuild_outbox(conn: sqlite3.Connection, script: str) -> int:
    """Rebuild the outbox with ``script``, which keeps the rows of the current types in their
    order, numbered again after the highest seq ever used (``:last``), so the rows it drops
    leave no gap; returns how many it dropped."""
    params = {"kept": json.dumps(events.TYPES), "last": 0}
    dropped = conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE type NOT IN (SELECT value FROM json_each(:kept))",
        params,
    ).fetchone()[0]
    last = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
    params["last"] = last[0] if last else 0
    for statement in _statements(script):
        conn.execute(statement, params)
    conn.execute("DELETE FROM sqlite_sequence WHERE name = 'outbox'")
    conn.execute(
        "INSERT INTO sqlite_sequence (name, seq)"
        " SELECT 'outbox', MAX(:last, COALESCE(MAX(seq), 0)) FROM outbox",
        params,
    )
    return int(dropped)


def _contract_v2(conn: sqlite3.Connection) -> None:
    """3: the outbox of contract version 2. Each row keeps its type's own keys as one checked
    JSON text beside the common columns. Version-1 events still waiting (a ticket's call,
    recall, end, no-show, transfer: :data:`~kiosk.core.events.RETIRED_V1`) are dropped, never
    sent, and counted in the log. The others keep their order, with ``at`` cut to whole minutes,
    and are numbered again after the highest seq ever used: the gaps the dropped rows would
    leave would count a desk's actions between two tickets.
    """
    dropped = _rebuild_outbox(conn, _OUTBOX_V2)
    if dropped:
        log.warning(
            "outbox: %d version-1 event(s) still waiting (%s) were dropped at the upgrade to"
            " contract version 2; they were never sent",
            dropped,
            ", ".join(events.RETIRED_V1),
        )


_OUTBOX_V2 = """
    CREATE TABLE outbox_v2 (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- strictly increasing, never reused
        id TEXT NOT NULL,                  -- uuid4; no index: rows are found by seq
        type TEXT NOT NULL,
        branch TEXT NOT NULL,
        day TEXT NOT NULL,
        at TEXT NOT NULL,                  -- RFC 3339, whole minutes
        body TEXT NOT NULL,                -- the type's own keys, JSON, checked when written
        state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'parked')),
        parked_at TEXT,
        error TEXT
    );
    INSERT INTO outbox_v2 (seq, id, type, branch, day, at, body, state, parked_at, error)
        SELECT :last + ROW_NUMBER() OVER (ORDER BY seq), id, type, branch, day,
            substr(at, 1, 17) || '00' || substr(at, 20),
            CASE type WHEN 'kiosk.health' THEN json_object('printer', printer, 'backlog', backlog)
                ELSE json_object('ticket', ticket, 'service', service, 'ref', ref) END,
            state, parked_at, error
        FROM outbox WHERE type IN (SELECT value FROM json_each(:kept));
    DROP TABLE outbox;
    ALTER TABLE outbox_v2 RENAME TO outbox;
"""


def _contract_v3(conn: sqlite3.Connection) -> None:
    """7: contract version 3. ``service.status`` events still waiting (version 2: the waiting
    list at each change) are dropped, never sent, and counted in the log, with the notes of
    what was last reported; the rest are numbered again after the highest seq ever used, so
    no gap shows where a status was (a status left when a desk called someone)."""
    dropped = _rebuild_outbox(conn, _OUTBOX_V3)
    conn.execute("DELETE FROM state WHERE key LIKE 'report.status.%'")
    if dropped:
        log.warning(
            "outbox: %d version-2 event(s) still waiting (service.status) were dropped at the"
            " upgrade to contract version 3; they were never sent",
            dropped,
        )


_OUTBOX_V3 = """
    CREATE TABLE outbox_v3 (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- strictly increasing, never reused
        id TEXT NOT NULL,                  -- uuid4; no index: rows are found by seq
        type TEXT NOT NULL,
        branch TEXT NOT NULL,
        day TEXT NOT NULL,
        at TEXT NOT NULL,                  -- RFC 3339, whole minutes
        body TEXT NOT NULL,                -- the type's own keys, JSON, checked when written
        state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'parked')),
        parked_at TEXT,
        error TEXT,
        kiosk TEXT                         -- NULL: this totem's own event; else a satellite's
    );
    INSERT INTO outbox_v3 (seq, id, type, branch, day, at, body, state, parked_at, error, kiosk)
        SELECT :last + ROW_NUMBER() OVER (ORDER BY seq), id, type, branch, day, at, body,
            state, parked_at, error, kiosk
        FROM outbox WHERE type IN (SELECT value FROM json_each(:kept));
    DROP TABLE outbox;
    ALTER TABLE outbox_v3 RENAME TO outbox;
"""

# Each migration is applied once, inside the transaction that bumps user_version: a script, or
# a function for one that must count or log what it does.
MIGRATIONS: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
    # 1: tickets, the outbox, today's appointments and calls, desks, small key-value state.
    """
    CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        day TEXT NOT NULL,                 -- branch-local YYYY-MM-DD
        service TEXT NOT NULL,
        number INTEGER NOT NULL,
        code TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('walkin', 'reentry', 'appointment')),
        ref TEXT,                          -- re-entry: earlier ticket; appointment: its ref
        issued_at TEXT NOT NULL,           -- UTC, ISO 8601
        slot_at TEXT,                      -- appointments: the booked slot, UTC
        status TEXT NOT NULL DEFAULT 'waiting'
            CHECK (status IN ('waiting', 'called', 'done', 'no_show', 'transferred')),
        called_at TEXT,
        done_at TEXT,
        no_show_at TEXT,
        returned_at TEXT,                  -- a no-show back within the tolerance
        reentry_issued INTEGER NOT NULL DEFAULT 0,
        UNIQUE (day, service, number)
    );
    CREATE INDEX tickets_waiting ON tickets (day, service, status);
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- strictly increasing, never reused
        id TEXT NOT NULL,                  -- uuid4; no index: rows are found by seq
        type TEXT NOT NULL,
        branch TEXT NOT NULL,
        day TEXT NOT NULL,
        at TEXT NOT NULL,
        ticket TEXT,
        service TEXT,
        ref TEXT,
        printer TEXT,
        backlog INTEGER,
        state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'parked')),
        parked_at TEXT,
        error TEXT
    );
    CREATE TABLE appointments (
        day TEXT NOT NULL,
        ref TEXT NOT NULL,
        code_sha256 TEXT NOT NULL,
        service TEXT NOT NULL,
        slot TEXT NOT NULL,                -- HH:MM, branch-local
        ticket TEXT,                       -- set at check-in
        PRIMARY KEY (day, ref)
    );
    CREATE INDEX appointments_code ON appointments (day, code_sha256);
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY,
        day TEXT NOT NULL,
        ticket TEXT NOT NULL,
        desk TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE desks (
        desk TEXT PRIMARY KEY,
        token_sha256 TEXT NOT NULL
    );
    CREATE TABLE state (
        key TEXT PRIMARY KEY,
        value TEXT
    );
    """,
    # 2: the branch server: which desk holds a called ticket (today only, never sent upstream),
    # the queue a transferred ticket waits in now, and when it was transferred.
    """
    ALTER TABLE tickets ADD COLUMN desk TEXT;
    ALTER TABLE tickets ADD COLUMN queue TEXT;
    ALTER TABLE tickets ADD COLUMN transferred_at TEXT;
    CREATE INDEX tickets_desk ON tickets (day, desk, status);
    """,
    _contract_v2,
    # 4: the language the citizen chose, for the ticket's phone page (purged with the ticket),
    # and tickets found by their code (a scan, a phone) without reading the whole day.
    """
    ALTER TABLE tickets ADD COLUMN lang TEXT;
    CREATE INDEX tickets_code ON tickets (day, code);
    """,
    # 5: satellite totems (their token's hash), and what each of their requests gave, so a
    # retried request answers the same ticket (today only: purged with the tickets).
    """
    CREATE TABLE totems (
        id TEXT PRIMARY KEY,
        token_sha256 TEXT NOT NULL
    );
    CREATE TABLE requests (
        totem TEXT NOT NULL,
        id TEXT NOT NULL,                  -- the satellite's request id (a uuid)
        day TEXT NOT NULL,
        ticket_id INTEGER NOT NULL,        -- the ticket it issued
        result TEXT NOT NULL,              -- walkin, or a scan's result
        reason TEXT NOT NULL,
        PRIMARY KEY (totem, id)
    );
    """,
    # 6: a satellite's printer as it last reported it, and events sent for another kiosk of
    # the branch (a satellite's kiosk.health, sent through its host: kiosk NULL = this one).
    # Numbered by the outbox's own seq, so each kiosk's seq still only grows.
    """
    ALTER TABLE totems ADD COLUMN printer TEXT;
    ALTER TABLE totems ADD COLUMN printer_at TEXT;
    ALTER TABLE outbox ADD COLUMN kiosk TEXT;
    """,
    _contract_v3,
    # 8: which desk serves a called ticket is its seat's mark (kiosk.core.seats), the call log
    # the branch server's memory: the desks named in plain text and the old log go.
    """
    UPDATE tickets SET desk = NULL WHERE desk IS NOT NULL;
    DELETE FROM calls;
    """,
    # 9: booking codes only as the day's salted slow hash (kiosk.core.bookings): the plain
    # SHA-256 goes, with the appointments that carried it; the sync agent fetches them again.
    """
    DELETE FROM appointments WHERE ticket IS NULL;
    CREATE TABLE appointments_v3 (
        day TEXT NOT NULL,
        ref TEXT NOT NULL,
        code_hash TEXT,                    -- NULL: checked in before the upgrade
        service TEXT NOT NULL,
        slot TEXT NOT NULL,                -- HH:MM, branch-local
        ticket TEXT,                       -- set at check-in
        PRIMARY KEY (day, ref)
    );
    INSERT INTO appointments_v3 (day, ref, service, slot, ticket)
        SELECT day, ref, service, slot, ticket FROM appointments;
    DROP TABLE appointments;
    ALTER TABLE appointments_v3 RENAME TO appointments;
    CREATE INDEX appointments_code ON appointments (day, code_hash);
    DELETE FROM state WHERE key LIKE 'appointments.etag.%';
    """,
    # 10: waiting-room displays with a token (its hash): their streams have a pool of their own;
    # and the purge's scratch table, whose blob of zeros writes the WAL over (kiosk.store.purge).
    """
    CREATE TABLE displays (
        name TEXT PRIMARY KEY,
        token_sha256 TEXT NOT NULL
    );
    CREATE TABLE scrub (blob BLOB);
    """,
)

VERSION = len(MIGRATIONS)


def _statements(script: str) -> list[str]:
    """Split a script into statements the way SQLite does (comments may hold semicolons)."""
    out, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            out.append(buffer)
            buffer = ""
    if buffer.strip():
        out.append(buffer)
    return out


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema to :data:`VERSION`; returns the version found before.

    Raises:
        StorageError: the file was written by a newer Totem than this one.
    """
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current == VERSION:
        return int(current)  # the usual case: no write lock needed to open
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = conn.execute("PRAGMA user_version").fetchone()[0]
        if found > VERSION:
            raise StorageError(
                "newer",
                f"database schema version {found} is newer than this program ({VERSION}); "
                "upgrade Totem",
            )
        for version in range(found, VERSION):
            step = MIGRATIONS[version]
            if callable(step):
                step(conn)
                continue
            for statement in _statements(step):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return int(found)
