"""The marker beside the database: the day must never silently start over.

``kiosk.sqlite3.marker`` records the database's identity (a random id kept inside it), the
day of its last ticket, the last number of each service that day and the last outbox seq. It
is rewritten before every commit that issued a number or queued an event, so it is never
behind the database. A data folder whose marker names a database that is not there (deleted,
emptied, replaced by another file) is out of order until a technician runs ``kiosk store reset
--yes``; the new database then continues the marker's numbers and seq: no second A001, no seq
going back.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import sqlite3
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kiosk.permission import denied_line
from kiosk.store.errors import StorageError

log = logging.getLogger(__name__)

IDENTITY = "store.identity"  # the state key holding the database's identity
FLOOR = "numbers.floor."  # + "YYYY-MM-DD.SERVICE": numbers continue after this (a reset)
RESET_FIX = (
    "the day's numbers and events continue only after a technician runs `kiosk store reset"
    " --yes` (see docs/technician.md)"
)


@dataclass(frozen=True)
class Marker:
    identity: str
    day: str | None = None
    numbers: dict[str, int] = field(default_factory=dict)
    seq: int = 0


def path_of(database: Path) -> Path:
    return database.with_name(database.name + ".marker")


def read(database: Path) -> Marker | None:
    """The marker beside ``database``, or None when there is none.

    Raises:
        StorageError: the marker exists but cannot be read (out of order, as a lost database).
    """
    path = path_of(database)
    try:
        data = json.loads(path.read_text())
        return Marker(
            str(data["identity"]),
            data.get("day"),
            {str(k): int(v) for k, v in data.get("numbers", {}).items()},
            int(data.get("seq", 0)),
        )
    except (FileNotFoundError, NotADirectoryError):
        return None
    except PermissionError:
        raise StorageError("denied", denied_line(path)) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StorageError("marker", f"{path} cannot be read ({exc}); {RESET_FIX}") from exc


def write(database: Path, marker: Marker) -> None:
    """Replace the marker atomically and durably (a half-written marker is never seen), then
    overwrite the replaced one with zeros where it lies on the disk: a file replaced by a
    rename leaves its blocks to the file system as they were, and the raw disk kept one old
    marker (the day, its last numbers) per ticket issued."""
    path = path_of(database)
    temporary = path.with_name(path.name + ".tmp")
    old = None
    try:
        with open(temporary, "w") as out:
            out.write(json.dumps(asdict(marker), sort_keys=True))
            out.flush()
            _owned_by_folder(out.fileno(), path.parent)
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        try:
            old = os.open(path, os.O_WRONLY)
        except FileNotFoundError:
            pass  # the first marker
        except OSError as exc:  # written by another user: replaced, but not overwritten
            log.warning("marker: the replaced copy stays on the disk (%s)", exc.strerror)
        os.replace(temporary, path)
        if old is not None:
            _sync_folder(path.parent)  # the new marker is in place before the old one goes
            _zero(old)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise StorageError("full", f"the disk is full; free space in {path.parent}") from exc
        raise StorageError("io", f"cannot write {path}: {exc.strerror}") from exc
    finally:
        if old is not None:
            os.close(old)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _zero(fd: int) -> None:
    """Overwrite an unlinked file's content with zeros, in place, durably."""
    size = os.fstat(fd).st_size
    if size:
        os.pwrite(fd, bytes(size), 0)
        os.fsync(fd)


def _owned_by_folder(fd: int, folder: Path) -> None:
    """Written by root (a technician's command), the marker is the folder owner's from its
    first byte on disk: a chown after the rename is a second change, which a power cut within
    the file system's commit interval loses (found by booting: the UI then could not read it)."""
    if os.geteuid() != 0:
        return
    owner = folder.stat()
    if owner.st_uid != 0:
        os.fchown(fd, owner.st_uid, owner.st_gid)


def identity(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM state WHERE key = ?", (IDENTITY,)).fetchone()
    return None if row is None else str(row[0])


def new_identity(conn: sqlite3.Connection) -> str:
    """Give a database its identity (inside the caller's transaction)."""
    value = str(uuid.uuid4())
    conn.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (IDENTITY, value))
    return value


def last_seq(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
    return int(row[0]) if row else 0


def of(conn: sqlite3.Connection, ident: str) -> Marker:
    """What the marker must say for the database behind ``conn`` now."""
    row = conn.execute("SELECT day FROM tickets ORDER BY day DESC LIMIT 1").fetchone()
    day = None if row is None else str(row[0])
    numbers: dict[str, int] = {}
    if day is not None:
        numbers = {
            str(s): int(n)
            for s, n in conn.execute(
                "SELECT service, MAX(number) FROM tickets WHERE day = ? GROUP BY service", (day,)
            )
        }
        for key, value in conn.execute(
            "SELECT key, value FROM state WHERE substr(key, 1, ?) = ?",
            (len(FLOOR) + len(day) + 1, f"{FLOOR}{day}."),
        ):
            service = str(key).rsplit(".", 1)[1]
            numbers[service] = max(numbers.get(service, 0), int(value))
    return Marker(ident, day, numbers, last_seq(conn))


def floor(conn: sqlite3.Connection, day: str, service: str) -> int:
    """The number a reset left for the day's service to continue after (0: none)."""
    row = conn.execute(
        "SELECT value FROM state WHERE key = ?", (f"{FLOOR}{day}.{service}",)
    ).fetchone()
    return int(row[0]) if row else 0


def continue_from(conn: sqlite3.Connection, marker: Marker) -> None:
    """In a new database: numbers and seq go on after the marker's (inside a transaction)."""
    if marker.day is not None:
        conn.executemany(
            "INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)",
            [(f"{FLOOR}{marker.day}.{s}", str(n)) for s, n in marker.numbers.items()],
        )
    conn.execute("DELETE FROM sqlite_sequence WHERE name = 'outbox'")
    conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)", (marker.seq,))
