"""``kiosk store reset``: a new database after one was lost, continuing the day where its
witnesses say it stood: the marker beside it, its copy in the witness folder, and (asked for)
the central service's high-water marks. The furthest of them wins, per service and for the
seq, so no number is issued twice and no seq goes back."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.store import marker
from kiosk.store.db import Store, _holds_data
from kiosk.store.errors import StorageError


@dataclass(frozen=True)
class Reset:
    """What a reset did: the marks it continued, and where the old files went (if any)."""

    continued: marker.Marker
    moved_aside: list[Path]


def needed(database: Path, witness_dir: Path | None = None) -> bool:
    """Whether the database is out of order for want of a reset (lost or replaced, or its
    witnesses disagree). Makes nothing."""
    if not _holds_data(database):
        try:
            found = marker.read(database, witness_dir)
        except StorageError as exc:
            return exc.kind == "witnesses"
        return marker.lost_day(database, witness_dir, found) is not None
    try:
        Store(database, witness_dir=witness_dir).close()
    except StorageError as exc:
        return exc.kind in ("lost", "replaced", "witnesses")
    return False


def reset(
    database: Path,
    now: datetime,
    witness_dir: Path | None = None,
    central: marker.Marker | None = None,
) -> Reset:
    """Start a new database whose numbers and seq continue the furthest of the markers and
    ``central`` (the central service's marks, when asked for).

    Whatever stands in the lost one's place (an empty file, another database, a damaged one)
    is moved aside, never deleted: it may hold events not yet sent.

    Raises:
        StorageError: ``in_order`` when nothing is lost (the database is its marker's) and the
            central holds no higher seq; ``unknown`` when no witness says where the day stood
            (both markers gone and the central not asked).
    """
    local = marker.merged(database, witness_dir)
    behind = central is not None and central.seq > (local.seq if local else 0)
    if not needed(database, witness_dir) and not behind:
        raise StorageError("in_order", f"{database} is in order; there is nothing to reset")
    base = marker.furthest(local, central)
    if base is None:
        raise StorageError(
            "unknown",
            f"no marker says where the day stood (both are gone); {marker.RESET_FROM_CENTRAL}",
        )
    stamp = now.strftime("%Y%m%dT%H%M%S")
    moved = []
    for suffix in ("", "-wal", "-shm"):
        old = database.with_name(database.name + suffix)
        if old.exists():
            aside = old.with_name(f"{old.name}.aside-{stamp}")
            os.replace(old, aside)
            moved.append(aside)
    Store(database, fresh=True, witness_dir=witness_dir, start_from=base).close()
    return Reset(base, moved)
