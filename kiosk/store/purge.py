"""Retention: delete earlier days' data, then scrub it from the database file, its WAL and the
disk under them.

``secure_delete`` makes SQLite overwrite deleted content with zeros in the pages it rewrites;
those pages first land in the WAL, next to older frames that still hold the original rows.
A RESTART checkpoint copies every frame into the main file, where the pages are overwritten
in place. Cutting the WAL to zero bytes then would hand its blocks back to the file system
with the day's rows still in them, for anyone reading the raw disk (an attacker carved 64 of
67 ticket codes that way). So before the WAL is cut, SQLite itself writes over every old frame:
after the RESTART the next transaction starts the WAL again from its beginning, and the scrub's
own transaction (a blob of zeros as long as the WAL, then deleted) covers it to its end. Only
SQLite writes the WAL, under its own locks, whatever the other processes do meanwhile (a first
version zeroed the file itself, and a writer slipping in between lost its commit).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.store import marker, state
from kiosk.store.db import Store
from kiosk.store.errors import StorageError, translated
from kiosk.store.tickets import utc_text

log = logging.getLogger(__name__)
PARKED_RETENTION = timedelta(days=30)

_DAY_NOTES = (
    "(substr(key, 1, length(:now)) = :now AND substr(value, 1, 10) < :today)"
    " OR (substr(key, 1, length(:sealed)) = :sealed AND json_extract(value, '$.day') < :today)"
    " OR (substr(key, 1, length(:hours)) = :hours"
    " AND substr(key, length(:hours) + 1, 10) < :today)"
    " OR (substr(key, 1, length(:etag)) = :etag AND substr(key, length(:etag) + 1, 10) < :today)"
    " OR (substr(key, 1, length(:hash)) = :hash AND substr(key, length(:hash) + 1, 10) < :today)"
    " OR (substr(key, 1, length(:seal)) = :seal AND substr(key, length(:seal) + 1, 10) < :today)"
    " OR (substr(key, 1, length(:floor)) = :floor"
    " AND substr(key, length(:floor) + 1, 10) < :today)"
)

# What retention removes: name -> (count, delete), with ``:today`` and ``:parked_before`` bound.
_TARGETS = {
    "tickets": (
        "SELECT COUNT(*) FROM tickets WHERE day < :today",
        "DELETE FROM tickets WHERE day < :today",
    ),
    "calls": (
        "SELECT COUNT(*) FROM calls WHERE day < :today",
        "DELETE FROM calls WHERE day < :today",
    ),
    "requests": (
        "SELECT COUNT(*) FROM requests WHERE day < :today",
        "DELETE FROM requests WHERE day < :today",
    ),
    "appointments": (
        "SELECT COUNT(*) FROM appointments WHERE day < :today",
        "DELETE FROM appointments WHERE day < :today",
    ),
    # What the processes noted about a day: the number served now, the last sealing and the
    # hourly spans reported, the appointments' ETag and booking hash, the seals' day key.
    "day_notes": (
        "SELECT COUNT(*) FROM state WHERE " + _DAY_NOTES,  # noqa: S608 (constant text)
        "DELETE FROM state WHERE " + _DAY_NOTES,  # noqa: S608
    ),
    "outbox": (
        "SELECT COUNT(*) FROM outbox WHERE state = 'parked' AND parked_at < :parked_before",
        "DELETE FROM outbox WHERE state = 'parked' AND parked_at < :parked_before",
    ),
}


@dataclass(frozen=True)
class PurgeReport:
    tickets: int
    calls: int
    appointments: int
    day_notes: int
    parked_events: int
    unsent_events_kept: int  # events of earlier days the central server has not acked yet
    requests: int = 0  # what satellites' requests gave (their tickets go with the tickets)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _params(today: str, now: datetime) -> dict[str, str]:
    return {
        "today": today,
        "parked_before": utc_text(now - PARKED_RETENTION),
        "now": state.NOW_SERVING,
        "sealed": state.SEALED,
        "hours": state.REPORTED_HOURS,
        "etag": state.APPOINTMENTS_ETAG,
        "hash": state.APPOINTMENTS_HASH,
        "seal": state.SEAL_KEY,
        "floor": marker.FLOOR,
    }


def plan(store: Store, today: str, now: datetime) -> PurgeReport:
    """What a purge would delete (nothing is changed)."""
    params = _params(today, now)
    found = {
        name: int(store.scalar(count, params) or 0) for name, (count, _delete) in _TARGETS.items()
    }
    kept = store.scalar("SELECT COUNT(*) FROM outbox WHERE state = 'ready' AND day < ?", (today,))
    return PurgeReport(
        found["tickets"],
        found["calls"],
        found["appointments"],
        found["day_notes"],
        found["outbox"],
        int(kept or 0),
        found["requests"],
    )


def _write_over(store: Store, wal: Path) -> None:
    """Write the WAL over, from its start (a RESTART checkpoint just reset it) to its end,
    with a blob of zeros, then delete the blob (``secure_delete`` zeroes its pages)."""
    try:
        size = os.path.getsize(wal)
    except FileNotFoundError:
        return
    if size == 0:
        return
    with store.write() as conn:
        conn.execute("INSERT INTO scrub (blob) VALUES (zeroblob(?))", (size,))
    with store.write() as conn:
        conn.execute("DELETE FROM scrub")


SCRUB_PATIENCE = 3600.0  # seconds the scrub keeps retrying while a reader holds the WAL


def purge(
    store: Store, today: str, now: datetime, *, checkpoint_timeout: float = SCRUB_PATIENCE
) -> PurgeReport:
    """Delete every ticket, call and appointment of days before ``today``, what the processes
    noted about those days, and parked events older than 30 days, then checkpoint and truncate
    the WAL.

    Raises:
        StorageError: the WAL could not be truncated because another process kept reading
            for longer than ``checkpoint_timeout`` seconds (the deletion itself is committed).
    """
    params = _params(today, now)
    report = plan(store, today, now)
    with store.write() as conn:
        for _count, delete in _TARGETS.values():
            conn.execute(delete, params)
        if store.identity is not None:
            # The marker keeps the last number of the day it names: gone with that day, so no
            # count of yesterday's outlives the purge; its identity and seq stay.
            marker.write(store.path, marker.of(conn, store.identity), store.witness_dir)
    scrub_wal(store, checkpoint_timeout)
    return report


def scrub_wal(store: Store, timeout: float) -> None:
    """Checkpoint every WAL frame into the database, overwrite the frames with zeros and
    truncate the WAL to zero bytes.

    A reader in the middle of a transaction holds old frames; the scrub waits for it and tries
    again, for up to ``timeout`` seconds, rather than leave the deleted day on disk until the
    next night.
    """
    started = time.monotonic()
    pause, told = 0.05, started
    wal = store.path.with_name(store.path.name + "-wal")
    with translated(store.path):
        while True:
            busy, frames, done = store.conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
            if not busy and frames == done:
                _write_over(store, wal)
                busy = store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if not busy:
                return
            waited = time.monotonic() - started
            if waited > timeout:
                raise StorageError(
                    "locked",
                    f"deleted, but after {waited:.0f} s another process still kept the WAL busy;"
                    " the deleted rows may remain in it: run `kiosk purge` again",
                )
            if time.monotonic() - told > 60:
                log.warning("purge: a reader holds the WAL for %.0f s; still waiting", waited)
                told = time.monotonic()
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
