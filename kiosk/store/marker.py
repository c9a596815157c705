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

import contextlib
import errno
import json
import logging
import os
import sqlite3
import time
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
RESET_FROM_CENTRAL = (
    "the day's numbers and events continue only after a technician runs `kiosk store reset"
    " --yes --from-central` (the central service knows where they stood; docs/technician.md)"
)


@dataclass(frozen=True)
class Marker:
    identity: str
    day: str | None = None
    numbers: dict[str, int] = field(default_factory=dict)
    seq: int = 0


def path_of(database: Path) -> Path:
    return database.with_name(database.name + ".marker")


def witness_dir_of(database: Path) -> Path:
    """Where the marker's second copy lives by default: a folder beside the data folder,
    never inside it (``/var/lib/kiosk`` -> ``/var/lib/kiosk-witness``), so that deleting the
    whole data folder leaves a witness of the day."""
    folder = database.parent
    return folder.with_name(folder.name + "-witness")


def witness_of(database: Path, witness_dir: Path | None = None) -> Path:
    return (witness_dir or witness_dir_of(database)) / path_of(database).name


BORN = "born"  # a file in the witness folder: this totem never had a day (a fresh install)


def read(database: Path, witness_dir: Path | None = None) -> Marker | None:
    """Where the day stands, as its two witnesses tell it: the marker beside ``database`` and
    its copy in the witness folder. Either alone is enough; with both, the one further on
    (they are written one after the other: a cut between the two leaves one behind).

    Raises:
        StorageError: a marker exists but cannot be read, or the two name different
            databases (out of order, as a lost database).
    """
    found, damaged = [], []
    for path in (path_of(database), witness_of(database, witness_dir)):
        try:
            one = _read(path)
        except StorageError as exc:
            if exc.kind != "marker":
                raise
            damaged.append((path, exc))
            continue
        if one is not None:
            found.append(one)
    if damaged and not found:
        raise damaged[0][1]  # neither can be read: out of order until a reset
    if damaged:  # one witness is enough; the next write makes the damaged one again
        log.warning("marker: %s cannot be read; the other says where the day stands", damaged[0][0])
    if len({m.identity for m in found}) > 1:
        raise StorageError(
            "witnesses",
            f"{path_of(database)} and {witness_of(database, witness_dir)} name different"
            f" databases; {RESET_FIX}",
        )
    return max(found, key=lambda m: m.seq, default=None)


def merged(database: Path, witness_dir: Path | None = None) -> Marker | None:
    """The furthest of both witnesses, even when they disagree, and skipping one that cannot
    be read (a damaged marker): what a reset continues."""
    found = []
    for path in (path_of(database), witness_of(database, witness_dir)):
        try:
            found.append(_read(path))
        except StorageError as exc:
            if exc.kind != "marker":
                raise
    return furthest(*found)


def furthest(*found: Marker | None) -> Marker | None:
    """The marks that no number and no seq of any of ``found`` is above."""
    given = [m for m in found if m is not None]
    if not given:
        return None
    day = max((m.day for m in given if m.day), default=None)
    numbers: dict[str, int] = {}
    for m in given:
        if m.day == day:
            for service, n in m.numbers.items():
                numbers[service] = max(numbers.get(service, 0), n)
    return Marker(given[0].identity, day, numbers, max(m.seq for m in given))


def never_had_a_day(database: Path, witness_dir: Path | None = None) -> bool:
    """Whether a database may be made where none is and no marker says anything. Not where the
    witness folder exists and is empty: the witness it held was deleted (``rm -rf`` of both
    folders leaves an empty one, which systemd makes again for the units), and the day starts
    over only when a technician says where it stood. A fresh install's folder holds a ``born``
    file (the package's postinst), another database's folder holds that one's marker: each may
    begin. A folder that is not there at all is a lost day too where the configuration names it
    (``kiosk.witness_dir``, as the package's does: both folders deleted while the units ran),
    and a new one where it does not (a checkout, the tests, the demo)."""
    folder = witness_of(database, witness_dir).parent
    try:
        if not folder.is_dir():
            return witness_dir is None
        return any(folder.iterdir())
    except PermissionError:
        raise StorageError("denied", denied_line(folder)) from None


def lost_day(database: Path, witness_dir: Path | None, found: Marker | None) -> str | None:
    """Why a missing or empty ``database`` is a lost day, not a new one (None: a new one)."""
    if found is not None:
        return (
            f"{database} is gone or empty, but its marker says it held the day"
            f" {found.day or '(none yet)'}; {RESET_FIX}"
        )
    if not never_had_a_day(database, witness_dir):
        return (
            f"{database} is gone or empty and so are both markers, but"
            f" {witness_of(database, witness_dir).parent} shows this totem had a day;"
            f" {RESET_FROM_CENTRAL}"
        )
    return None


def _read(path: Path) -> Marker | None:
    """One marker file. A reader that opened the file just before a writer replaced it and
    wrote the old one over with zeros (:func:`_write`) reads zeros: it opens the path again,
    which names the new marker by then."""
    for attempt in range(5):
        try:
            raw = path.read_bytes()
            if raw.strip(b"\0") == b"" and attempt < 4:
                time.sleep(0.01)  # the replaced file, zeroed under us: the new one is there
                continue
            data = json.loads(raw)
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
    raise StorageError("marker", f"{path} holds only zeros; {RESET_FIX}")


def write(database: Path, marker: Marker, witness_dir: Path | None = None) -> None:
    """Write both witnesses: the marker beside ``database``, then its copy in the witness
    folder (made when missing, its owner the data folder's), which from then on no longer
    holds a ``born`` file."""
    _write(path_of(database), marker)
    copy = witness_of(database, witness_dir)
    if not copy.parent.exists():
        _make_folder(copy.parent, database.parent)
    _write(copy, marker)
    with contextlib.suppress(FileNotFoundError):
        (copy.parent / BORN).unlink()


def _make_folder(folder: Path, like: Path) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.geteuid() == 0:
            owner = like.stat()
            os.chown(folder, owner.st_uid, owner.st_gid)
    except PermissionError:
        raise StorageError("denied", denied_line(folder)) from None
    except OSError as exc:
        raise StorageError("io", f"cannot create {folder}: {exc.strerror}") from exc


def _write(path: Path, marker: Marker) -> None:
    """Replace a marker atomically and durably (a half-written marker is never seen), then
    overwrite the replaced one with zeros where it lies on the disk: a file replaced by a
    rename leaves its blocks to the file system as they were, and the raw disk kept one old
    marker (the day, its last numbers) per ticket issued."""
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
    except PermissionError:
        raise StorageError("denied", denied_line(path)) from None
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
