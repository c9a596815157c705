"""Today's appointments, as the central server sent them: an opaque ref, the SHA-256 of the
booking code, the service and the slot. Never a raw booking code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kiosk.store.db import Store


def find(store: Store, day: str, code_sha256: str) -> dict[str, Any] | None:
    """The day's appointment with this booking code hash: ref, service, slot and ticket."""
    rows = store.query(
        "SELECT ref, service, slot, ticket FROM appointments WHERE day = ? AND code_sha256 = ?",
        (day, code_sha256),
    )
    return rows[0] if rows else None


def replace_day(store: Store, day: str, items: Sequence[Mapping[str, str]]) -> None:
    """Make ``items`` (ref, code_sha256, service, slot) the day's appointments in one
    transaction; check-ins already made survive."""
    with store.write() as conn:
        checked = dict(
            conn.execute(
                "SELECT ref, ticket FROM appointments WHERE day = ? AND ticket IS NOT NULL", (day,)
            ).fetchall()
        )
        conn.execute("DELETE FROM appointments WHERE day = ?", (day,))
        conn.executemany(
            "INSERT OR REPLACE INTO appointments (day, ref, code_sha256, service, slot, ticket)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (day, i["ref"], i["code_sha256"], i["service"], i["slot"], checked.get(i["ref"]))
                for i in items
            ],
        )


def add(store: Store, day: str, ref: str, code_sha256: str, service: str, slot: str) -> None:
    """Add one appointment (the screenshots' example booking)."""
    with store.write() as conn:
        conn.execute(
            "INSERT INTO appointments (day, ref, code_sha256, service, slot)"
            " VALUES (?, ?, ?, ?, ?)",
            (day, ref, code_sha256, service, slot),
        )


def count(store: Store) -> int:
    """Appointments held, every day."""
    return int(store.scalar("SELECT COUNT(*) FROM appointments") or 0)
