"""Small named values shared between the totem's processes through the ``state`` table:
what the sync agent last did, the printer state the UI last saw, what was last reported."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.store.db import Store

# Notes about one day, which the purge deletes with the day (each says where its day is).
NOW_SERVING = "now."  # + service: "YYYY-MM-DD TICKET", the service's last call
SEALED = "report.sealed."  # + service: JSON {"day", "tick", "boxes"} of the last sealing
REPORTED_HOURS = "report.hour."  # + "YYYY-MM-DD.SERVICE": the open span's first hour, or "closed"
APPOINTMENTS_ETAG = "appointments.etag."  # + "YYYY-MM-DD": the ETag of that day's appointments
APPOINTMENTS_HASH = "appointments.hash."  # + "YYYY-MM-DD": that day's booking hash (JSON)
SEAL_KEY = "seal.key."  # + "YYYY-MM-DD": the key of that day's tickets' seals (hex), see below
LEGACY_SEALS = "ticket-key"  # a day begun before day keys: its seals come from the ticket key
# The wall and boot clocks when the last event was written (kiosk.clocks.Reading).
LAST_EVENT_CLOCKS = "clock.last_event"


def ensure_seal_key(conn: sqlite3.Connection, day: str) -> None:
    """Make ``day``'s seal key, inside the caller's transaction, if the day has none yet.

    The seals printed in the QRs for the central's phone page (:mod:`kiosk.core.sealed`) come
    from a key of their own day, never from the long-lived ticket key: the purge deletes it
    with the day, so boxes the central kept cannot be opened with a disk taken later (forward
    secrecy). A day that already had tickets without a key (issued before this version) keeps
    the ticket key to its end, so those tickets' pages still open.
    """
    import os

    legacy = conn.execute("SELECT 1 FROM tickets WHERE day = ? LIMIT 1", (day,)).fetchone()
    conn.execute(
        "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
        (SEAL_KEY + day, LEGACY_SEALS if legacy else os.urandom(32).hex()),
    )


def seal_key(store: Store, day: str, ticket_key: bytes) -> bytes:
    """The key ``day``'s seals come from (the ticket key for a day begun without one)."""
    value = get(store, SEAL_KEY + day)
    return ticket_key if value in (None, LEGACY_SEALS) else bytes.fromhex(value)


def get(store: Store, key: str) -> str | None:
    value = store.scalar("SELECT value FROM state WHERE key = ?", (key,))
    return None if value is None else str(value)


def get_prefix(store: Store, prefix: str) -> dict[str, str]:
    """Every value whose key starts with ``prefix``."""
    rows = store.rows(
        "SELECT key, value FROM state WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
    )
    return {str(k): str(v) for k, v in rows if v is not None}


def put(store: Store, values: dict[str, str | None]) -> None:
    with store.write() as conn:
        put_in(conn, values)


def put_in(conn: sqlite3.Connection, values: dict[str, str | None]) -> None:
    """Set values inside the caller's transaction."""
    conn.executemany(
        "INSERT INTO state (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        list(values.items()),
    )
