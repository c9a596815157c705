"""Small named values shared between the totem's processes through the ``state`` table:
what the sync agent last did, and the printer state the UI last saw."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from kiosk.store import Store


def get(store: Store, key: str) -> str | None:
    value = store.scalar("SELECT value FROM state WHERE key = ?", (key,))
    return None if value is None else str(value)


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


def sync_status(store: Store, now: datetime) -> dict[str, Any]:
    """Backlog, oldest waiting event's age, last success and error, parked, paused."""
    waiting, parked, oldest = store.query(
        "SELECT SUM(state = 'ready') AS waiting, SUM(state = 'parked') AS parked,"
        " MIN(CASE WHEN state = 'ready' THEN at END) AS oldest FROM outbox"
    )[0].values()
    age = None
    if oldest:
        age = max(0, int((now - datetime.fromisoformat(oldest)).total_seconds()))
    paused = get(store, "sync.paused_auth")
    return {
        "backlog": int(waiting or 0),
        "oldest_waiting_s": age,
        "parked": int(parked or 0),
        "last_success": get(store, "sync.last_success"),
        "last_error": get(store, "sync.last_error"),
        "paused_for_auth": bool(paused),
        "paused_reason": paused or None,
    }
