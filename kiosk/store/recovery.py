"""``kiosk store reset``: a new database after one was lost, continuing the day where its
witnesses say it stood: the marker beside it, its copy in the witness folder, and (asked for)
the central service's high-water marks. The furthest of them wins, per service and for the
seq, so no number is issued twice and no seq goes back."""

from __future__ import annotations

import os
import sqlite3
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
    kept: bool = False  # the database was whole: only its markers were written again


OUT_OF_ORDER = ("lost", "replaced", "witnesses", "marker")  # what only a reset mends


def needed(database: Path, witness_dir: Path | None = None) -> bool:
    """Whether the database is out of order for want of a reset (lost or replaced, its
    witnesses disagree or one cannot be read). Makes nothing."""
    if not _holds_data(database):
        try:
            found = marker.read(database, witness_dir)
        except StorageError as exc:
            return exc.kind in OUT_OF_ORDER
        return marker.lost_day(database, witness_dir, found) is not None
    try:
        Store(database, witness_dir=witness_dir).close()
    except StorageError as exc:
        return exc.kind in OUT_OF_ORDER
    return False


def own_marks(database: Path) -> marker.Marker | None:
    """What the database in place says of itself (its day's numbers, its seq), read without
    writing, when it can be read at all: a reset never continues below it, whatever marker
    stood beside it (one from another totem, say)."""
    if not _holds_data(database):
        return None
    try:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            return marker.of(conn, marker.identity(conn) or "")
        finally:
            conn.close()
    except sqlite3.Error:
        return None  # damaged, or not a database: the witnesses say where the day stood


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
    witnessed = marker.merged(database, witness_dir)
    own = own_marks(database)
    local = marker.furthest(witnessed, own)
    behind = central is not None and central.seq > (local.seq if local else 0)
    if not needed(database, witness_dir) and not behind:
        raise StorageError("in_order", f"{database} is in order; there is nothing to reset")
    base = marker.furthest(local, central)
    if base is None:
        raise StorageError(
            "unknown",
            f"no marker says where the day stood (both are gone); {marker.RESET_FROM_CENTRAL}",
        )
    if (
        not behind
        and own is not None
        and own.identity
        and _only_markers_lost(database, witness_dir, own)
    ):
        # The database is whole and its own: only its witnesses were damaged or lost. It
        # stays (its events not yet sent with it), and both witnesses are written again.
        _continue_in_place(database, witness_dir, base, own.identity)
        return Reset(base, [], kept=True)
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


def _only_markers_lost(database: Path, witness_dir: Path | None, own: marker.Marker) -> bool:
    """Whether every marker that can still be read names this database (none naming another),
    and the database passes its quick check: then nothing but the markers needs mending."""
    for path in (marker.path_of(database), marker.witness_of(database, witness_dir)):
        try:
            found = marker._read(path)
        except StorageError:
            continue
        if found is not None and found.identity != own.identity:
            return False
    try:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            return bool(conn.execute("PRAGMA quick_check").fetchone()[0] == "ok")
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def _continue_in_place(
    database: Path, witness_dir: Path | None, base: marker.Marker, identity: str
) -> None:
    conn = sqlite3.connect(database, isolation_level=None, timeout=10.0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        marker.continue_from(conn, base)
        marker.write(database, marker.of(conn, identity), witness_dir)
        conn.execute("COMMIT")
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
