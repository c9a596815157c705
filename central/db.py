"""The central service's database: embedded SQLite (the default, built with sqlite-utils) or
PostgreSQL through psycopg 3 with a connection pool, behind one small interface.

The schema is written once (:data:`MIGRATIONS`) and rendered for each engine: sqlite-utils
creates the SQLite tables and indexes; the same columns become DDL for PostgreSQL. Queries are
written once with ``?`` placeholders, in the SQL both engines speak (``ON CONFLICT``,
``RETURNING``). Only :mod:`central.store` writes queries.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")
NOT_INSTALLED = (
    "the central service's packages are not installed here (a totem needs none):"
    " pip install 'kiosk[central]' on the central server"
)
Row = tuple[Any, ...]


class BadDatabase(ValueError):
    """The database URL is not one this service can use."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict[str, type]  # str -> TEXT, int -> BIGINT
    pk: tuple[str, ...]
    not_null: tuple[str, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    unique: tuple[tuple[str, ...], ...] = field(default=())


# Each step is applied once, in order; a database records the steps it has.
MIGRATIONS: tuple[tuple[Table, ...], ...] = (
    (
        Table("kiosks", {"id": str, "branch": str, "token_sha256": str, "added": str},
              pk=("id",), not_null=("branch", "token_sha256"), unique=(("token_sha256",),)),
        Table("staff", {"name": str, "role": str, "branch": str, "token_sha256": str,
                        "added": str},
              pk=("name",), not_null=("role", "token_sha256"), unique=(("token_sha256",),)),
        Table("branches", {"id": str, "name": str, "services": str}, pk=("id",)),
        # Per-ticket rows (ticket.issued, appointment.checked_in) and health reports: deleted
        # after the retention, once counted into ``issued``.
        Table("events", {"id": str, "kiosk": str, "branch": str, "day": str, "type": str,
                         "hour": int, "service": str, "ticket": str, "ref": str,
                         "printer": str, "backlog": int, "seq": int, "received": str},
              pk=("id",), not_null=("kiosk", "branch", "day", "type"),
              indexes=(("branch", "day"), ("received",))),
        # What the retention keeps of per-ticket rows: counts per branch, day, service, hour.
        Table("issued", {"branch": str, "day": str, "service": str, "hour": int,
                         "issued": int, "reentries": int, "checked_in": int},
              pk=("branch", "day", "service", "hour")),
        # service.hour as sent: counts and percentiles over at least five citizens. Kept.
        Table("hours", {"id": str, "kiosk": str, "branch": str, "day": str, "service": str,
                        "span": str, "issued": int, "served": int, "no_show": int,
                        "wait_p50": int, "wait_p90": int, "service_p50": int},
              pk=("id",), not_null=("branch", "day", "service", "span"),
              indexes=(("branch", "day"),)),
        # Contract version 2's latest service.status: no longer kept (emptied by the retention).
        Table("statuses", {"branch": str, "service": str, "kiosk": str, "seq": int,
                           "day": str, "at": str, "now": str, "waiting": str,
                           "wait_low": int, "wait_high": int},
              pk=("branch", "service")),
        Table("appointments", {"branch": str, "day": str, "ref": str, "code_sha256": str,
                               "service": str, "slot": str},
              pk=("branch", "day", "ref"), not_null=("code_sha256", "service", "slot")),
    ),
    (  # a manager's sign-in: the cookie holds a session, never the manager's token
        Table("sessions", {"id_sha256": str, "staff": str, "expires": str},
              pk=("id_sha256",), not_null=("staff", "expires"), indexes=(("staff",),)),
    ),
    (  # contract version 3: each service's latest sealed statuses, for the phone page
        Table("sealed", {"branch": str, "service": str, "kiosk": str, "seq": int, "day": str,
                         "tick": str, "boxes": str},
              pk=("branch", "service"), not_null=("kiosk", "seq", "day", "tick", "boxes")),
    ),
    (  # contract version 3: booking codes only as a salted, slow hash (kiosk/core/bookings.py);
       # the plain SHA-256 of ``appointments`` is kept no more (emptied by the retention)
        Table("salts", {"branch": str, "day": str, "salt": str, "n": int, "r": int, "p": int},
              pk=("branch", "day"), not_null=("salt", "n", "r", "p")),
        Table("bookings", {"branch": str, "day": str, "ref": str, "code_hash": str,
                           "service": str, "slot": str},
              pk=("branch", "day", "ref"), not_null=("code_hash", "service", "slot")),
    ),
    (  # the third witness of a kiosk's day: the highest seq it ever sent, kept for ever, past
       # the retention (a seq going back is refused: 409 seq_went_back)
        Table("kiosk_seq", {"kiosk": str, "last_seq": int}, pk=("kiosk",),
              not_null=("last_seq",)),
    ),
)  # fmt: skip


class Tx(Protocol):
    """One transaction: every call inside commits together or not at all."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...
    def insert_ignore(self, table: str, rows: Sequence[dict[str, Any]]) -> None: ...


class Database(Protocol):
    url: str
    engine: str

    def run(self, work: Callable[[Tx], T]) -> T: ...
    def scrub(self) -> None: ...
    def close(self) -> None: ...


def connect(url: str, *, pool: int = 8) -> Database:
    """Open (creating and migrating) the database at ``url``.

    Raises:
        BadDatabase: the URL's scheme is neither sqlite nor postgresql, or it cannot be opened.
    """
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return SqliteDatabase(url)
    if scheme in ("postgresql", "postgres"):
        return PostgresDatabase(url, pool)
    raise BadDatabase(
        f"--database: {url!r} is not a database URL (sqlite:///PATH or postgresql://...)"
    )


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///PATH`` URL (``sqlite:////var/x`` is ``/var/x``)."""
    path = urlsplit(url).path
    return Path("/" + path.lstrip("/") if path.startswith("//") else path)


# --- SQLite ------------------------------------------------------------------------------


class _SqliteTx:
    def __init__(self, db: Any) -> None:
        self.db, self.conn = db, db.conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return [tuple(r) for r in self.conn.execute(sql, tuple(params)).fetchall()]

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(sql, [tuple(r) for r in rows])

    def insert_ignore(self, table: str, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.db[table].insert_all(rows, ignore=True, batch_size=500)


class SqliteDatabase:
    """One file, shared by every process on the host (WAL; writers wait for each other)."""

    engine = "sqlite"

    def __init__(self, url: str) -> None:
        try:
            import sqlite_utils  # the central's embedded store; never on the totem's UI path
        except ImportError:
            raise BadDatabase(NOT_INSTALLED) from None

        self.url = url
        path = sqlite_path(url)
        if not path.parent.is_dir():
            raise BadDatabase(f"--database: folder {path.parent} does not exist")
        try:
            conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA secure_delete = ON")  # deleted rows are zeroed in the file
            # ... and in the log: once checkpointed (every 100 pages), the WAL is cut to nothing,
            # so a status replaced or a row deleted does not live on in old frames.
            conn.execute("PRAGMA journal_size_limit = 0")
            conn.execute("PRAGMA wal_autocheckpoint = 100")
        except sqlite3.Error as exc:
            raise BadDatabase(f"--database: cannot open {path}: {exc}") from None
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        self.run(self._migrate)

    def run(self, work: Callable[[Tx], T]) -> T:
        with self._lock:
            conn = self.db.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                out = work(_SqliteTx(self.db))
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return out

    def scrub(self) -> None:
        """Deleted rows gone from the WAL too (after the retention)."""
        with self._lock:
            self.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _migrate(self, tx: Tx) -> None:
        tx.execute("CREATE TABLE IF NOT EXISTS schema_steps (step INTEGER PRIMARY KEY)")
        done = {r[0] for r in tx.execute("SELECT step FROM schema_steps")}
        for step, tables in enumerate(MIGRATIONS, start=1):
            if step in done:
                continue
            for table in tables:
                created = self.db.table(table.name).create(
                    dict(table.columns),
                    pk=table.pk if len(table.pk) > 1 else table.pk[0],
                    not_null=set(table.not_null),
                    if_not_exists=True,
                )
                for columns in table.indexes:
                    created.create_index(list(columns), if_not_exists=True)
                for columns in table.unique:
                    created.create_index(list(columns), unique=True, if_not_exists=True)
            tx.execute("INSERT INTO schema_steps (step) VALUES (?)", (step,))

    def close(self) -> None:
        with self._lock:
            self.db.conn.close()


# --- PostgreSQL --------------------------------------------------------------------------


_STAGED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


class _PostgresTx:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cur = self.conn.execute(_pg(sql), tuple(params))
        return [tuple(r) for r in cur.fetchall()] if cur.description else []

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self.conn.cursor() as cur:
                cur.executemany(_pg(sql), [tuple(r) for r in rows])

    def insert_ignore(self, table: str, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        # COPY into this connection's staging table, then one INSERT ... SELECT that skips
        # the ids already held: PostgreSQL's fastest way in, and still idempotent.
        columns = ", ".join(rows[0])
        staging = f"staging_{table}"
        made = _STAGED.setdefault(self.conn, set())
        if staging not in made:
            self.conn.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {table}) ON COMMIT DELETE ROWS"
            )
            made.add(staging)
        with self.conn.cursor() as cur, cur.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(row.values()))
        self.conn.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging}"  # noqa: S608
            " ON CONFLICT DO NOTHING"
        )


def _ddl(table: Table) -> list[str]:
    kinds = {str: "TEXT", int: "BIGINT"}
    cols = [
        f"{name} {kinds[kind]}{' NOT NULL' if name in table.not_null + table.pk else ''}"
        for name, kind in table.columns.items()
    ]
    out = [
        f"CREATE TABLE IF NOT EXISTS {table.name} ({', '.join(cols)},"
        f" PRIMARY KEY ({', '.join(table.pk)}))"
    ]
    for unique, groups in ((False, table.indexes), (True, table.unique)):
        for columns in groups:
            name = f"idx_{table.name}_{'_'.join(columns)}"
            out.append(
                f"CREATE {'UNIQUE ' if unique else ''}INDEX IF NOT EXISTS {name}"
                f" ON {table.name} ({', '.join(columns)})"
            )
    return out


class PostgresDatabase:
    """A pool of connections to one PostgreSQL; any number of processes may share it."""

    engine = "postgresql"
    MIGRATION_LOCK = 7_310_016  # pg_advisory_xact_lock key: one process migrates at a time

    def __init__(self, url: str, size: int) -> None:
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError:
            raise BadDatabase(NOT_INSTALLED) from None

        self.url = url
        self._errors = (psycopg.Error,)
        try:  # one plain connection first: a clear error at once, not the pool's retries
            psycopg.connect(url, connect_timeout=5).close()
        except psycopg.Error as exc:
            raise BadDatabase(f"--database: cannot reach PostgreSQL: {_first_line(exc)}") from None
        try:
            self.pool = ConnectionPool(
                url, min_size=1, max_size=size, open=True, timeout=15, kwargs={"connect_timeout": 5}
            )
            self.pool.wait(timeout=15)
        except Exception as exc:  # psycopg's and the pool's own errors alike
            raise BadDatabase(f"--database: cannot reach PostgreSQL: {_first_line(exc)}") from None
        self.run(self._migrate)

    def run(self, work: Callable[[Tx], T]) -> T:
        with self.pool.connection() as conn:
            try:
                with conn.transaction():
                    return work(_PostgresTx(conn))
            except BaseException:
                _STAGED.pop(conn, None)  # a staging table made in it was rolled back too
                raise

    def _migrate(self, tx: Tx) -> None:
        tx.execute("SELECT pg_advisory_xact_lock(?)", (self.MIGRATION_LOCK,))
        tx.execute("CREATE TABLE IF NOT EXISTS schema_steps (step INTEGER PRIMARY KEY)")
        done = {r[0] for r in tx.execute("SELECT step FROM schema_steps")}
        for step, tables in enumerate(MIGRATIONS, start=1):
            if step in done:
                continue
            for table in tables:
                for statement in _ddl(table):
                    tx.execute(statement)
            tx.execute("INSERT INTO schema_steps (step) VALUES (?)", (step,))

    SCRUBBED = ("events", "appointments", "bookings", "statuses", "sealed", "sessions")

    def scrub(self) -> None:
        """Deleted and replaced rows gone from the tables' files: PostgreSQL keeps them as dead
        tuples until a vacuum (the attacker read 67 of 67 booking codes in them), and a plain
        vacuum frees their space without rewriting it; VACUUM FULL writes each table anew.
        Its WAL and backups are the database administrator's, under the same retention
        (docs/central.md)."""
        with self.pool.connection() as conn:
            conn.autocommit = True  # VACUUM cannot run inside a transaction
            try:
                conn.execute(f"VACUUM FULL {', '.join(self.SCRUBBED)}")
            finally:
                conn.autocommit = False

    def close(self) -> None:
        self.pool.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@contextmanager
def opened(url: str) -> Iterator[Database]:
    db = connect(url)
    try:
        yield db
    finally:
        db.close()
