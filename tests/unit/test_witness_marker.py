"""The marker and its copy outside the data folder: written together, either alone enough, the
one further on believed, two that name different databases refused until a reset, which then
continues the furthest of both."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load
from kiosk.store import StorageError, Store, marker, recovery
from kiosk.store.outbox import add_event

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def issue(store: Store, service: str, number: int, day: str = "2026-11-23") -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT INTO tickets (day, service, number, code, kind, issued_at)"
            " VALUES (?, ?, ?, ?, 'walkin', '2026-11-23T09:00:00+00:00')",
            (day, service, number, f"{service}{number:03d}"),
        )
        add_event(conn, type="ticket.issued", branch="b", day=day,
                  at="2026-11-23T10:00:00+01:00", ticket=f"{service}{number:03d}",
                  service=service)  # fmt: skip


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "kiosk.sqlite3"
    with Store(path) as store:
        for n in (1, 2, 3):
            issue(store, "A", n)
    return path


def test_both_witnesses_are_written_and_the_copy_lives_beside_the_data_folder(
    database: Path,
) -> None:
    copy = database.parent.parent / "data-witness" / "kiosk.sqlite3.marker"
    assert marker.witness_of(database) == copy
    beside = json.loads(marker.path_of(database).read_text())
    assert json.loads(copy.read_text()) == beside and beside["numbers"] == {"A": 3}


def test_a_cut_between_the_two_writes_leaves_one_behind_and_the_further_one_counts(
    database: Path,
) -> None:
    behind = marker.witness_of(database).read_text()
    with Store(database) as store:
        issue(store, "A", 4)
    marker.witness_of(database).write_text(behind)  # the copy did not get the last write
    found = marker.read(database)
    assert found is not None and found.numbers == {"A": 4}
    marker.path_of(database).write_text(behind)  # or the marker beside did not
    marker.witness_of(database).unlink()
    found = marker.read(database)
    assert found is not None and found.numbers == {"A": 3}  # alone, it is enough


def test_two_witnesses_naming_different_databases_are_refused_then_reset_goes_past_both(
    database: Path,
) -> None:
    other = json.loads(marker.witness_of(database).read_text())
    other.update(identity="another-totems-database", seq=40, numbers={"A": 9, "B": 2})
    marker.witness_of(database).write_text(json.dumps(other))
    with pytest.raises(StorageError) as refused:
        Store(database)
    assert refused.value.kind == "witnesses" and "different databases" in str(refused.value)
    assert recovery.needed(database)
    done = recovery.reset(database, NOW)
    assert (done.continued.numbers, done.continued.seq) == ({"A": 9, "B": 2}, 40)
    with Store(database) as store:
        issue(store, "A", 10)
        assert int(store.scalar("SELECT MAX(seq) FROM outbox")) == 41


def test_an_empty_witness_folder_is_a_totem_that_had_a_day(tmp_path: Path) -> None:
    database = tmp_path / "data" / "kiosk.sqlite3"
    assert marker.never_had_a_day(database)  # no folder: a checkout, a test
    folder = marker.witness_of(database).parent
    folder.mkdir()
    assert not marker.never_had_a_day(database)
    with pytest.raises(StorageError) as refused:
        Store(database)
    assert refused.value.kind == "lost" and "--from-central" in str(refused.value)
    assert not database.exists()
    (folder / marker.BORN).touch()  # a fresh install's
    with Store(database) as store:
        issue(store, "A", 1)
    assert not (folder / marker.BORN).exists()  # born once: from now on its marker speaks


def test_the_witness_folder_is_configurable_and_never_inside_the_data_folder(
    write_config,
) -> None:
    path = write_config()
    text = path.read_text().replace('data_dir = "data"', 'data_dir = "data"\nwitness_dir = "w"')
    path.write_text(text)
    assert load(path).witness_dir == path.parent / "w"
    for inside in ("data/w", f"{path.parent}/../{path.parent.name}/data/x", "./data/../data/y"):
        path.write_text(text.replace('witness_dir = "w"', f'witness_dir = "{inside}"'))
        with pytest.raises(ConfigError, match=r"kiosk\.witness_dir: must not be inside"):
            load(path)
    path.write_text(text.replace('witness_dir = "w"', 'witness_dir = ""'))
    with pytest.raises(ConfigError, match=r"kiosk\.witness_dir: is empty"):
        load(path)


def test_a_reader_that_catches_the_replaced_marker_zeroed_reads_the_new_one(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer replaces the marker, then writes the old file over with zeros; a reader that
    had the old one open reads zeros (seen once under load, as `status` failing): it looks
    again and finds the new marker. A marker of zeros that stays is still refused.

    The writer's move lands while the reader waits to look again (its pause is where the
    swap is made): a timer racing the reader failed under a loaded CI machine."""
    path = marker.path_of(database)
    good = path.read_bytes()
    path.write_bytes(bytes(len(good)))
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:  # not at once: the reader reads zeros twice before the new one
            path.write_bytes(good)

    monkeypatch.setattr(marker.time, "sleep", pause)
    found = marker._read(path)
    assert found is not None and found.numbers == {"A": 3} and len(pauses) == 2
    monkeypatch.undo()
    path.write_bytes(bytes(len(good)))
    with pytest.raises(StorageError, match="cannot be read"):
        marker._read(path)


def test_one_damaged_witness_is_mended_by_the_other(database: Path) -> None:
    marker.path_of(database).write_text("")  # emptied by a crash of the disk, say
    with Store(database) as store:  # the copy is enough to go on
        issue(store, "A", 4)
    assert json.loads(marker.path_of(database).read_text())["numbers"] == {"A": 4}


def test_both_witnesses_damaged_the_reset_keeps_the_whole_database(database: Path) -> None:
    with Store(database) as store:
        waiting = int(store.scalar("SELECT COUNT(*) FROM outbox"))
    marker.path_of(database).write_text("{not json")
    marker.witness_of(database).write_bytes(b"\x00" * 40)
    with pytest.raises(StorageError):
        Store(database)
    assert recovery.needed(database)
    done = recovery.reset(database, NOW)
    assert done.moved_aside == [] and done.continued.numbers == {"A": 3}
    with Store(database) as store:  # the same database: its unsent events are still there
        assert int(store.scalar("SELECT COUNT(*) FROM outbox")) == waiting
        issue(store, "A", 4)


def test_a_foreign_marker_never_takes_the_day_below_the_database_in_place(
    database: Path, tmp_path: Path
) -> None:
    with Store(database) as store:
        for n in (4, 5, 6):
            issue(store, "A", n)
    other = tmp_path / "other" / "kiosk.sqlite3"
    Store(other).close()  # another totem's fresh database, and its marker
    marker.path_of(database).write_bytes(marker.path_of(other).read_bytes())
    marker.witness_of(database).unlink()
    done = recovery.reset(database, NOW)
    assert done.continued.numbers == {"A": 6} and done.continued.seq >= 6
    assert done.moved_aside  # a database its marker does not name: kept aside, not deleted


def test_a_named_witness_folder_that_is_gone_is_a_lost_day(tmp_path: Path) -> None:
    """The package's configuration names /var/lib/kiosk-witness: both folders deleted while the
    units ran, a unit that opens the database again must not start at 001."""
    database = tmp_path / "data" / "kiosk.sqlite3"
    named = tmp_path / "witness"
    with pytest.raises(StorageError) as refused:
        Store(database, witness_dir=named)
    assert refused.value.kind == "lost" and not database.exists()
    named.mkdir()
    (named / marker.BORN).touch()  # what the package's postinst leaves on a fresh install
    with Store(database, witness_dir=named) as store:
        issue(store, "A", 1)
    assert (named / "kiosk.sqlite3.marker").exists()
