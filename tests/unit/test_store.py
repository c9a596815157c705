"""The store on real SQLite files: settings, migrations, atomic issue with its outbox event,
gapless numbering, and storage errors sorted into known conditions."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.store import StorageError, Store, schema
from kiosk.store import tickets as store_tickets
from kiosk.store.tickets import Issue, IssueRefused
from tests.conftest import ROME
from tests.helpers import outbox_events

NOW = datetime(2026, 11, 23, 9, 15, 2, 123456, tzinfo=UTC)


def req(service: str = "A", day: date = date(2026, 11, 23), now: datetime = NOW, **kw) -> Issue:
    return Issue(branch="test-branch", tz=ROME, day=day, service=service, now=now, **kw)


def test_open_sets_and_checks_safety_settings(tmp_path: Path) -> None:
    with Store(tmp_path / "k.db") as s:
        assert s.pragma("journal_mode") == "wal"
        assert s.pragma("synchronous") == 2  # FULL
        assert s.pragma("secure_delete") == 1
        assert s.pragma("user_version") == schema.VERSION


def test_migrations_run_once_and_refuse_a_newer_file(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    Store(path).close()
    with Store(path) as s:  # a second open migrates nothing and keeps data
        store_tickets.issue(s, req())
    with Store(path) as s:
        assert s.scalar("SELECT COUNT(*) FROM tickets") == 1
        s.conn.execute(f"PRAGMA user_version = {schema.VERSION + 1}")
    with pytest.raises(StorageError, match="newer than this program"):
        Store(path)


def test_issue_writes_ticket_and_event_together(store: Store) -> None:
    ticket = store_tickets.issue(store, req())
    assert ticket.code == "A001"
    events = outbox_events(store)
    assert len(events) == 1
    event = events[0]
    assert (event["type"], event["ticket"], event["service"], event["branch"], event["day"]) == (
        "ticket.issued",
        "A001",
        "A",
        "test-branch",
        "2026-11-23",
    )
    assert event["at"] == "2026-11-23T10:15:00+01:00"  # branch-local, whole minutes, offset
    assert len(event["id"]) == 36 and event["seq"] == 1


def test_failed_event_write_rolls_back_the_ticket(store: Store) -> None:
    store.conn.execute(
        "CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    with pytest.raises(sqlite3.IntegrityError):
        store_tickets.issue(store, req())
    store.conn.execute("DROP TRIGGER fail_outbox")
    assert store.scalar("SELECT COUNT(*) FROM tickets") == 0
    assert store_tickets.issue(store, req()).code == "A001"  # the number was not consumed


def test_walkin_cap_is_checked_inside_the_transaction(store: Store) -> None:
    for _ in range(3):
        store_tickets.issue(store, req(walkin_cap=3))
    with pytest.raises(IssueRefused, match="cap_reached"):
        store_tickets.issue(store, req(walkin_cap=3))


def test_numbers_run_out_at_999(store: Store) -> None:
    store.conn.execute(
        "INSERT INTO tickets (day, service, number, code, kind, issued_at)"
        " VALUES ('2026-11-23', 'A', 999, 'A999', 'walkin', '2026-11-23T09:00:00+00:00')"
    )
    with pytest.raises(IssueRefused, match="cap_reached"):
        store_tickets.issue(store, req())


def test_seq_keeps_growing_after_rows_are_deleted(store: Store) -> None:
    store_tickets.issue(store, req())
    store.conn.execute("DELETE FROM outbox")
    store_tickets.issue(store, req())
    assert store.scalar("SELECT seq FROM outbox") == 2


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "AB"]), st.sampled_from([0, 1]), st.sampled_from([0, 1, 2])
        ),
        min_size=1,
        max_size=60,
    )
)
def test_numbering_is_gapless_and_unique_per_service_and_day(ops) -> None:
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "k.db") as s:
        for service, day_offset, kind in ops:
            day = date(2026, 11, 23) + timedelta(days=day_offset)
            kinds = [
                store_tickets.Kind.WALKIN,
                store_tickets.Kind.REENTRY,
                store_tickets.Kind.WALKIN,
            ]
            store_tickets.issue(s, req(service, day, kind=kinds[kind]))
        rows = s.query("SELECT day, service, number, code FROM tickets ORDER BY id")
        groups: dict[tuple[str, str], list[int]] = {}
        for row in rows:
            groups.setdefault((row["day"], row["service"]), []).append(row["number"])
            assert row["code"] == f"{row['service']}{row['number']:03d}"
        for numbers in groups.values():
            assert numbers == list(range(1, len(numbers) + 1))
        assert s.scalar("SELECT COUNT(*) FROM outbox") == len(ops)


# -- storage errors ---------------------------------------------------------------------------


def test_disk_full_is_a_known_error(store: Store) -> None:
    pages = store.pragma("page_count")
    store.conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StorageError) as info:
        for _ in range(2000):
            store_tickets.issue(store, req())
    assert info.value.kind == "full"
    assert "disk is full" in str(info.value)


def test_read_only_database_is_a_known_error(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    Store(path).close()
    with Store(path, readonly=True) as ro, pytest.raises(StorageError) as info:
        store_tickets.issue(ro, req())
    assert info.value.kind == "readonly"


def test_locked_database_is_a_known_error(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    holder = Store(path)
    holder.conn.execute("BEGIN IMMEDIATE")
    try:
        with Store(path, timeout=0.05) as other, pytest.raises(StorageError) as info:
            store_tickets.issue(other, req())
        assert info.value.kind == "locked"
    finally:
        holder.conn.execute("ROLLBACK")
        holder.close()


def test_not_a_database_is_a_known_error(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError) as info:
        Store(path)
    assert info.value.kind == "corrupt"


def test_unwritable_folder_is_a_known_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError) as info:
        Store(blocker / "sub" / "k.db")
    assert info.value.kind == "cantopen"


def test_a_bug_is_not_disguised_as_a_storage_error(store: Store) -> None:
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        store.query("SELECT * FROM no_such_table")


def test_data_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    import os

    old = os.umask(0o022)  # as a technician's root shell before make install
    try:
        folder = tmp_path / "fresh" / "data"
        with Store(folder / "kiosk.sqlite3") as s:
            store_tickets.issue(s, req())
            modes = {p.name: p.stat().st_mode & 0o777 for p in folder.iterdir()}
    finally:
        os.umask(old)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert modes == {name: 0o600 for name in modes} and "kiosk.sqlite3-wal" in modes


_ENTRY = st.fixed_dictionaries(
    {
        "service": st.sampled_from(["A", "B"]),
        "queue": st.sampled_from([None, None, "A", "B"]),
        "kind": st.sampled_from(["walkin", "walkin", "walkin", "reentry", "appointment"]),
        "issued": st.integers(0, 120),  # minutes after opening (ties included)
        "slot": st.integers(0, 180),
        "returned": st.one_of(st.none(), st.integers(0, 120)),
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_ENTRY, max_size=25), st.sampled_from([["A"], ["B"], ["A", "B"], ["B", "A"]]))
def test_the_next_in_line_is_the_first_of_the_whole_call_order(entries, services) -> None:
    """A desk reads only the rows that can be first; it must pick what the whole order says."""
    opening = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
    now = opening + timedelta(minutes=90)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "k.db") as s:
        for n, e in enumerate(entries, start=1):
            at = lambda m: (opening + timedelta(minutes=m)).isoformat()  # noqa: E731
            s.conn.execute(
                "INSERT INTO tickets (day, service, number, code, kind, issued_at, slot_at,"
                " returned_at, queue, transferred_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                ("2026-11-23", e["service"], n, f"{e['service']}{n:03d}", e["kind"],
                 at(e["issued"]), at(e["slot"]) if e["kind"] == "appointment" else None,
                 None if e["returned"] is None else at(e["returned"]), e["queue"],
                 at(e["issued"] + 5) if e["queue"] else None),
            )  # fmt: skip
        rows = s.rows(
            store_tickets.WAITING_FOR, store_tickets.waiting_params("2026-11-23", services)
        )
        whole = store_tickets.in_call_order(rows, services, now)
        first = store_tickets.next_in_line(s.conn, "2026-11-23", services, now)
        assert first == (whole[0] if whole else None)


def test_a_marker_root_writes_is_the_folders_owners_from_the_start(tmp_path: Path) -> None:
    """A technician's command (root) rewrites the marker in the kiosk user's folder: the file is
    the kiosk user's before it is renamed into place, not after (a power cut seconds after
    `kiosk issue` once left a root-owned marker the UI could not read: found by booting)."""
    import os

    from kiosk.store import marker

    assert os.geteuid() == 0, "make test runs as root, as the technician's commands do"
    folder = tmp_path / "data"
    folder.mkdir()
    os.chown(folder, 4321, 4321)
    database = folder / "kiosk.sqlite3"
    marker.write(database, marker.Marker("ident", "2026-11-23", {"A": 3}, 7))
    st = marker.path_of(database).stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (4321, 4321, 0o600)
    assert marker.read(database) == marker.Marker("ident", "2026-11-23", {"A": 3}, 7)
