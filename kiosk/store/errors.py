"""Storage errors sorted by whose fault they are.

Known conditions of the machine (disk full, read-only file system, database locked by another
process, I/O error, a damaged file) become :class:`StorageError` with a message a technician
can act on. Anything else is a bug in our code and propagates unchanged.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from kiosk.permission import denied_line

_KNOWN = {
    "SQLITE_FULL": ("full", "the disk is full; free space in {dir}"),
    "SQLITE_READONLY": ("readonly", "the database is read-only; check the permissions of {dir}"),
    "SQLITE_BUSY": ("locked", "the database is locked by another process; try again"),
    "SQLITE_LOCKED": ("locked", "the database is locked by another process; try again"),
    "SQLITE_IOERR": ("io", "disk I/O error on {path}; check the disk (dmesg)"),
    "SQLITE_CANTOPEN": ("cantopen", "cannot open {path}; check that {dir} exists and is writable"),
    "SQLITE_CORRUPT": ("corrupt", "{path} is damaged; run `kiosk doctor`"),
    "SQLITE_NOTADB": ("corrupt", "{path} is not a Totem database"),
    "SQLITE_PERM": ("readonly", "permission denied on {path}"),
}


class StorageError(Exception):
    """A known storage condition; ``kind`` is
    full|readonly|locked|io|cantopen|corrupt|marker|denied."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def classify(exc: sqlite3.Error, path: Path) -> StorageError | None:
    """The known condition behind an SQLite error, or None when it is a bug."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.split("_")[:2] in (["SQLITE", "CANTOPEN"], ["SQLITE", "READONLY"], ["SQLITE", "PERM"]):
        blocked = not_mine(path)
        if blocked is not None:
            return StorageError("denied", denied_line(blocked))
    for prefix, (kind, template) in _KNOWN.items():
        if name == prefix or name.startswith(prefix + "_"):
            if kind in ("io", "cantopen") and disk_full(path):
                # A write that found no room shows as an I/O error (the WAL, the journal):
                # say what it is.
                kind, template = _KNOWN["SQLITE_FULL"]
            return StorageError(kind, template.format(path=path, dir=path.parent))
    return None


def not_mine(path: Path) -> Path | None:
    """The first of ``path``'s folders, or ``path`` itself, that this user may not use as the
    database needs (a folder: enter and write; the file: read and write), or None."""
    for folder in reversed(path.parents):
        if folder.exists() and not os.access(folder, os.X_OK):
            return folder
    if path.parent.exists() and not os.access(path.parent, os.W_OK | os.X_OK):
        return path.parent
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return path
    return None


FULL_BELOW = 256 * 1024  # bytes free under which a failed write is put down to a full disk


def disk_full(path: Path) -> bool:
    """Whether the file system holding ``path`` (or its nearest existing folder) is full."""
    where = path
    while not where.exists() and where != where.parent:
        where = where.parent
    try:
        info = os.statvfs(where)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < FULL_BELOW


@contextlib.contextmanager
def translated(path: Path) -> Iterator[None]:
    """Turn known SQLite failures inside the block into :class:`StorageError`."""
    try:
        yield
    except sqlite3.Error as exc:
        known = classify(exc, path)
        if known is None:
            raise
        raise known from exc
