"""Today's appointments, as the central server sent them: an opaque ref, the salted slow hash
of the booking code (:mod:`kiosk.core.bookings`), the service and the slot; and the day's hash
(salt and parameters) in the state table. Never a raw booking code, nor its plain SHA-256."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from kiosk.core.bookings import CodeHash
from kiosk.store.db import Store
from kiosk.store.state import APPOINTMENTS_HASH, get, put_in


def day_hash(store: Store, day: str) -> CodeHash | None:
    """The hash the day's codes were made with (None: no appointments fetched for it)."""
    text = get(store, APPOINTMENTS_HASH + day)
    if text is None:
        return None
    try:
        return CodeHash.parse(json.loads(text))
    except ValueError:
        return None


def find(store: Store, day: str, code_hash: str) -> dict[str, Any] | None:
    """The day's appointment with this booking code hash: ref, service, slot and ticket."""
    rows = store.query(
        "SELECT ref, service, slot, ticket FROM appointments WHERE day = ? AND code_hash = ?",
        (day, code_hash),
    )
    return rows[0] if rows else None


def replace_day(
    store: Store, day: str, hashed: CodeHash, items: Sequence[Mapping[str, str]]
) -> None:
    """Make ``items`` (ref, code_hash, service, slot) the day's appointments, hashed with
    ``hashed``, in one transaction; check-ins already made survive."""
    with store.write() as conn:
        checked = dict(
            conn.execute(
                "SELECT ref, ticket FROM appointments WHERE day = ? AND ticket IS NOT NULL", (day,)
            ).fetchall()
        )
        conn.execute("DELETE FROM appointments WHERE day = ?", (day,))
        conn.executemany(
            "INSERT OR REPLACE INTO appointments (day, ref, code_hash, service, slot, ticket)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (day, i["ref"], i["code_hash"], i["service"], i["slot"], checked.get(i["ref"]))
                for i in items
            ],
        )
        put_in(conn, {APPOINTMENTS_HASH + day: json.dumps(hashed.as_json(), sort_keys=True)})


def add(store: Store, day: str, ref: str, code: str, service: str, slot: str) -> None:
    """Add one appointment for booking ``code`` (the screenshots' example, the tests), with the
    day's hash (made when the day has none)."""
    import os

    hashed = day_hash(store, day) or CodeHash(os.urandom(16))
    with store.write() as conn:
        conn.execute(
            "INSERT INTO appointments (day, ref, code_hash, service, slot) VALUES (?, ?, ?, ?, ?)",
            (day, ref, hashed.of(code), service, slot),
        )
        put_in(conn, {APPOINTMENTS_HASH + day: json.dumps(hashed.as_json(), sort_keys=True)})


def count(store: Store) -> int:
    """Appointments held, every day."""
    return int(store.scalar("SELECT COUNT(*) FROM appointments") or 0)
