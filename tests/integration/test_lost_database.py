"""The database is the day: deleted, emptied or replaced, it is refused until a technician's
`kiosk store reset --yes`, after which the day's numbers and the event seq go on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import requests

from kiosk.config import load
from kiosk.server import desks as desk_tokens
from kiosk.server.app import make_app
from kiosk.serving import ThreadedServer
from kiosk.store import StorageError, Store, marker
from tests.conftest import Clock
from tests.helpers import outbox_events, run_kiosk

pytestmark = pytest.mark.integration


def database_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + s) for s in ("", "-wal", "-shm")]


@pytest.fixture
def day(write_config, capsys) -> tuple[Path, Path]:
    """A totem that issued A001-A004 today (service A is open all week: the real clock runs
    these commands); returns (config path, database)."""
    path = write_config()
    for service in "AAAA":
        assert run_kiosk(capsys, "--config", str(path), "issue", service)[0] == 0
    return path, load(path).database


def last_seq(database: Path) -> int:
    with Store(database) as store:
        return max(e["seq"] for e in outbox_events(store))


@pytest.mark.parametrize("how", ["deleted", "emptied", "replaced"])
def test_a_lost_database_is_refused_until_reset_then_the_day_goes_on(
    day: tuple[Path, Path], capsys, tmp_path: Path, how: str
) -> None:
    config, database = day
    seq = last_seq(database)
    if how == "deleted":
        for f in database_files(database):
            f.unlink(missing_ok=True)
    elif how == "emptied":
        database.write_bytes(b"")
    else:  # another totem's database put in its place
        other = tmp_path / "other" / "kiosk.sqlite3"
        Store(other).close()
        for f in database_files(database):
            f.unlink(missing_ok=True)
        shutil.copy(other, database)

    code, out, err = run_kiosk(capsys, "--config", str(config), "issue", "A")
    assert code == 1 and out == "" and "store reset --yes" in err
    assert err.count("\n") == 1  # one line
    if how == "deleted":
        assert not database.exists()  # refusing did not quietly create a new one
    code, out, _ = run_kiosk(capsys, "--config", str(config), "doctor", "--json")
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    assert code == 1 and checks["database"]["status"] == "failed"
    assert "store reset --yes" in checks["database"]["fix"]

    assert run_kiosk(capsys, "--config", str(config), "store", "reset")[0] == 2  # no --yes
    code, out, err = run_kiosk(capsys, "--config", str(config), "store", "reset", "--yes", "--json")
    assert code == 0, err
    done = json.loads(out)
    assert done["numbers"] == {"A": 4} and done["seq"] == seq
    aside = [Path(p) for p in done["moved_aside"]]
    assert all(p.exists() for p in aside) and (aside == []) == (how == "deleted")

    code, out, _ = run_kiosk(capsys, "--config", str(config), "issue", "A", "--json")
    assert code == 0 and json.loads(out)["ticket"] == "A005"  # never a second A001
    assert last_seq(database) > seq  # the seq never goes back
    code, out, _ = run_kiosk(capsys, "--config", str(config), "doctor", "--json")
    assert {c["name"]: c for c in json.loads(out)["checks"]}["database"]["status"] == "ok"
    # A second reset has nothing to do.
    code, _, err = run_kiosk(capsys, "--config", str(config), "store", "reset", "--yes")
    assert code == 1 and "nothing to reset" in err


def test_the_marker_is_never_behind_the_database(day: tuple[Path, Path]) -> None:
    _config, database = day
    found = marker.read(database)
    assert found is not None
    with Store(database) as store:
        assert found.identity == store.identity
        assert found.numbers == {"A": 4}
        assert found.seq == max(e["seq"] for e in outbox_events(store))
    assert oct(marker.path_of(database).stat().st_mode & 0o777) == "0o600"


def test_a_database_from_before_markers_is_adopted(tmp_path: Path) -> None:
    database = tmp_path / "kiosk.sqlite3"
    with Store(database) as store:
        ident = store.identity
    marker.path_of(database).unlink()  # as a totem upgraded from a version without markers
    with Store(database) as store:
        assert store.identity == ident
    found = marker.read(database)
    assert found is not None and found.identity == ident


def test_a_running_process_stops_using_a_deleted_file(day: tuple[Path, Path]) -> None:
    _config, database = day
    store = Store(database)
    try:
        for f in database_files(database):
            f.unlink(missing_ok=True)
        with pytest.raises(StorageError) as info:
            store.scalar("SELECT COUNT(*) FROM tickets")
        assert info.value.kind == "replaced"
        with pytest.raises(StorageError), store.write():
            pass
    finally:
        store.close()


def test_the_branch_server_stops_calling_from_a_deleted_file(
    day: tuple[Path, Path], clock: Clock
) -> None:
    config_path, database = day
    config = load(config_path)
    with Store(database) as store:
        token = desk_tokens.add(store, "1")
    server = ThreadedServer(make_app(config, clock), graceful_timeout=1).start()
    try:
        url = f"{server.url}/api/v1/desks/1/next"
        auth = {"Authorization": f"Bearer {token}"}
        assert requests.post(url, json={"services": ["A"]}, headers=auth, timeout=5).ok
        for f in database_files(database):
            f.unlink(missing_ok=True)
        answer = requests.post(url, json={"services": ["A"]}, headers=auth, timeout=5)
        assert answer.status_code == 503 and "store reset" in answer.json()["error"]
        assert requests.get(f"{server.url}/api/v1/calls", timeout=5).status_code == 503
        assert not database.exists()  # nothing quietly made a new one
    finally:
        server.stop()
