"""Opening the database, checking its safety settings, and write transactions."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from kiosk.store import schema
from kiosk.store.errors import StorageError, translated

# What every connection must run with; checked after setting, because a pragma that cannot be
# applied (a file system without shared memory, an old SQLite) fails silently.
REQUIRED_PRAGMAS = {"journal_mode": "wal", "synchronous": 2, "secure_delete": 1}


class Store:
    """A connection to the totem database, migrated and checked.

    Args:
        path: the SQLite file; its folder is created when missing.
        timeout: seconds to wait for another process's write lock before failing as locked.
        readonly: open without write access (status and dry runs).
    """

    def __init__(self, path: Path, *, timeout: float = 10.0, readonly: bool = False) -> None:
        self.path = Path(path)
        with translated(self.path):
            if readonly:
                uri = f"file:{self.path}?mode=ro"
                conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
            else:
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StorageError(
                        "cantopen", f"cannot create {self.path.parent}: {exc.strerror}"
                    ) from exc
                conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self.conn = conn
            self._configure(readonly)
            if not readonly:
                schema.migrate(conn)

    def _configure(self, readonly: bool) -> None:
        conn = self.conn
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA secure_delete = ON")
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
        with translated(self.path):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
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
        with translated(self.path):
            cursor = self.conn.execute(sql, params)
            names = [d[0] for d in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def rows(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        """Rows of a read query as tuples."""
        with translated(self.path):
            return self.conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
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

    def data_version(self) -> int:
        """Changes whenever another connection commits: a cheap way to wait for work."""
        return int(self.pragma("data_version"))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
