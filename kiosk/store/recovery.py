"""``kiosk store reset``: a new database after one was lost, continuing the marker's day."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.store import marker
from kiosk.store.db import Store
from kiosk.store.errors import StorageError


@dataclass(frozen=True)
class Reset:
    """What a reset did: the marker it continued, and where the old files went (if any)."""

    continued: marker.Marker
    moved_aside: list[Path]


def needed(database: Path) -> bool:
    """Whether the database is out of order for want of a reset (lost or replaced)."""
    try:
        Store(database).close()
    except StorageError as exc:
        return exc.kind in ("lost", "replaced")
    return False


def reset(database: Path, now: datetime) -> Reset:
    """Start a new database whose numbers and seq continue the marker's.

    Whatever stands in the lost one's place (an empty file, another database, a damaged one)
    is moved aside, never deleted: it may hold events not yet sent.

    Raises:
        StorageError: ``in_order`` when nothing is lost (the database is its marker's), or
            the marker cannot be read.
    """
    found = marker.read(database)
    if found is None or not needed(database):
        raise StorageError("in_order", f"{database} is in order; there is nothing to reset")
    stamp = now.strftime("%Y%m%dT%H%M%S")
    moved = []
    for suffix in ("", "-wal", "-shm"):
        old = database.with_name(database.name + suffix)
        if old.exists():
            aside = old.with_name(f"{old.name}.aside-{stamp}")
            os.replace(old, aside)
            moved.append(aside)
    Store(database, fresh=True).close()
    return Reset(found, moved)
