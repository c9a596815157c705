"""Small named values shared between the totem's processes through the ``state`` table:
what the sync agent last did, and the printer state the UI last saw."""

from __future__ import annotations

import sqlite3

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
