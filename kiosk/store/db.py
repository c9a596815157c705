"""Opening the database, checking its safety settings, and write transactions."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from kiosk.store import marker, schema
from kiosk.store.errors import StorageError, translated

# What every connection must run with; checked after setting, because a pragma that cannot be
# applied (a file system without shared memory, an old SQLite) fails silently.
REQUIRED_PRAGMAS = {"journal_mode": "wal", "synchronous": 2, "secure_delete": 1}


class Store:
    """A connection to the totem database, migrated and checked against its marker.

    Args:
        path: the SQLite file; its folder is created when missing.
        timeout: seconds to wait for another process's write lock before failing as locked.
        readonly: open without write access (status and dry runs).
        fresh: start a new database where the marker names a lost one (``kiosk store reset``),
            continuing its numbers and seq.
        witness_dir: the folder of the marker's second copy (``kiosk.witness_dir``; None: the
            data folder's name with ``-witness``, beside it).
        start_from: with ``fresh``, the marks to continue (a reset's, from every witness).

    Raises:
        StorageError: besides the known SQLite conditions, ``lost`` (the marker names a
            database that is gone or empty), ``replaced`` (another database is in its place)
            or ``marker`` (the marker cannot be read).
    """

    def __init__(
        self,
        path: Path,
        *,
        timeout: float = 10.0,
        readonly: bool = False,
        fresh: bool = False,
        witness_dir: Path | None = None,
        start_from: marker.Marker | None = None,
    ) -> None:
        self.path = Path(path)
        self.witness_dir = witness_dir
        found = start_from if fresh and start_from else marker.read(self.path, witness_dir)
        if not fresh and not _holds_data(self.path):
            lost = marker.lost_day(self.path, witness_dir, found)
            if lost is not None:
                raise StorageError("lost", lost)
        # Opening races other processes' opens and last closes (which checkpoint and remove
        # the WAL); a "locked" then is a moment, not a failure: try again until the timeout.
        deadline, pause = time.monotonic() + timeout, 0.01
        while True:
            try:
                self._open(found, timeout, readonly, fresh)
                break
            except StorageError as exc:
                self.close()
                if exc.kind != "locked" or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.25)
        self._file = _file_id(self.path)

    def _open(
        self, found: marker.Marker | None, timeout: float, readonly: bool, fresh: bool
    ) -> None:
        with translated(self.path):
            if readonly:
                # No -wal beside it: no process has it open, and SQLite would make the -wal and
                # -shm files for this reader (as root, root's). Immutable, it creates nothing.
                idle = not Path(f"{self.path}-wal").exists()
                uri = f"file:{self.path}?mode=ro" + ("&immutable=1" if idle else "")
                conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
            else:
                try:
                    self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                except OSError as exc:
                    raise StorageError(
                        "cantopen", f"cannot create {self.path.parent}: {exc.strerror}"
                    ) from exc
                conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
                # The day's tickets are nobody else's business, whatever the umask; SQLite
                # gives the -wal and -shm files the database file's mode.
                with contextlib.suppress(OSError):
                    os.chmod(self.path, 0o600)
            self.conn = conn
            self._configure(readonly)
            if not readonly:
                schema.migrate(conn)
            self.identity = self._identify(found, readonly, fresh)

    def _identify(self, found: marker.Marker | None, readonly: bool, fresh: bool) -> str | None:
        """The database's identity, checked against the marker (written when missing)."""
        ident = marker.identity(self.conn)
        if found is not None and ident is not None and ident != found.identity and not fresh:
            raise StorageError("replaced", self._replaced())
        if readonly or (found is not None and ident == found.identity):
            if found is not None and ident != found.identity:
                raise StorageError("replaced", self._replaced())
            return ident  # the usual open: no write lock, no write
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            ident = marker.identity(self.conn)  # another process may have just given it one
            if ident is None and found is not None and not fresh:
                raise StorageError("replaced", self._replaced())
            if ident is None:
                ident = marker.new_identity(self.conn)
                if found is not None:
                    marker.continue_from(self.conn, found)
            marker.write(self.path, marker.of(self.conn, ident), self.witness_dir)
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        return ident

    def _replaced(self) -> str:
        return f"{self.path} is not the database its marker names; {marker.RESET_FIX}"

    def is_current(self) -> bool:
        """Whether the file this connection uses is still the one at its path."""
        return _file_id(self.path) == self._file

    def _check_file(self) -> None:
        """Stop using a file that was deleted or replaced under this process."""
        if not self.is_current():
            raise StorageError(
                "replaced",
                f"{self.path} was deleted or replaced while in use; this process stops using"
                f" it; {marker.RESET_FIX}",
            )

    def _configure(self, readonly: bool) -> None:
        conn = self.conn
        if not readonly and conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")  # once, for a new file
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA temp_store = MEMORY")  # sorts and temporary tables never on disk
        conn.execute("PRAGMA foreign_keys = ON")
        for name, wanted in REQUIRED_PRAGMAS.items():
            got = conn.execute(f"PRAGMA {name}").fetchone()[0]
            if readonly and name == "journal_mode" and got != "wal":
                continue  # a read-only open of a fresh file cannot switch modes
            if got != wanted:
                raise StorageError(
                    "settings", f"{self.path}: PRAGMA {name} is {got!r}, must be {wanted!r}"
                )

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken at once (BEGIN IMMEDIATE), so concurrent writers queue
        on the lock instead of failing when they upgrade from reading."""
        self._check_file()
        with translated(self.path):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                seq = marker.last_seq(self.conn)
                yield self.conn
                if self.identity is not None and marker.last_seq(self.conn) != seq:
                    # A number issued or an event queued: the marker moves first, so it is
                    # never behind the database.
                    marker.write(self.path, marker.of(self.conn, self.identity), self.witness_dir)
            except BaseException:
                # SQLite has already rolled back after some errors (disk full, I/O).
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def query(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> list[dict[str, Any]]:
        """Rows of a read query as dicts (column name -> value)."""
        self._check_file()
        with translated(self.path):
            cursor = self.conn.execute(sql, params)
            names = [d[0] for d in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def rows(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        """Rows of a read query as tuples."""
        self._check_file()
        with translated(self.path):
            return self.conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
        self._check_file()
        with translated(self.path):
            row = self.conn.execute(sql, params).fetchone()
            return None if row is None else row[0]

    def pragma(self, name: str) -> Any:
        return self.scalar(f"PRAGMA {name}")

    def health(self) -> tuple[str, str, int]:
        """``(integrity check result, journal mode, secure_delete)``, for the doctor."""
        return (
            str(self.pragma("integrity_check")),
            str(self.pragma("journal_mode")),
            int(self.pragma("secure_delete")),
        )

    def verify(self) -> None:
        """Read every page (``PRAGMA quick_check``): a damaged file fails here, with one line,
        rather than half-way through a command that writes.

        Raises:
            StorageError: ``corrupt``.
        """
        result = str(self.scalar("PRAGMA quick_check"))
        if result != "ok":
            raise StorageError(
                "corrupt", f"{self.path} is damaged ({result[:80]}); run `kiosk doctor`"
            )

    def data_version(self) -> int:
        """Changes whenever another connection commits: a cheap way to wait for work."""
        return int(self.pragma("data_version"))

    def close(self) -> None:
        conn: sqlite3.Connection | None = getattr(self, "conn", None)
        if conn is not None:
            conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _holds_data(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino
