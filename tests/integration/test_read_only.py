"""Commands meant to read never create or change a file (DESIGN 14; issue 22): `status`,
`desk list`, `totem list`, `doctor`, `config show|check`, run on a day's database that no unit
holds open, leave the data folder and the secrets byte for byte as they were (no -wal, no
-shm, no new key); with no database yet they say so in one line and make none."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
KIOSK = Path(sys.executable).with_name("kiosk")
READERS = (
    ["status", "--json"],
    ["status"],
    ["desk", "list"],
    ["totem", "list", "--json"],
    ["doctor", "--json"],
    ["config", "show"],
    ["config", "check"],
)


def kiosk(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KIOSK), "--config", str(config), *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def snapshot(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under ``folder``: its mode, its modification time and its contents' hash."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[str(path.relative_to(folder))] = (st.st_mode, st.st_mtime_ns, digest)
    return found


@pytest.fixture
def a_day(write_config: Callable[..., Path]) -> Path:
    """A configured totem with a morning behind it: tickets, a desk, a satellite."""
    config = write_config()
    for args in (["issue", "A"], ["issue", "A"], ["desk", "add", "1"], ["totem", "add", "t-2"]):
        done = kiosk(config, *args)
        assert done.returncode == 0, done.stderr
    database = config.parent / "data" / "kiosk.sqlite3"
    assert database.exists() and not Path(f"{database}-wal").exists()  # no unit holds it
    return config


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_a_reading_command_changes_no_file(a_day: Path, command: list[str]) -> None:
    before = snapshot(a_day.parent)
    done = kiosk(a_day, *command)
    assert "Traceback" not in done.stderr
    assert snapshot(a_day.parent) == before, f"kiosk {' '.join(command)} changed a file"
    if command[0] == "status":
        assert done.returncode == 0, done.stderr
        assert "2" in done.stdout  # A's two tickets, read from the untouched file


def test_status_reads_what_the_units_are_writing(a_day: Path) -> None:
    """With a unit holding the database open (its -wal beside it), status reads the live day."""
    from kiosk.store import Store

    database = a_day.parent / "data" / "kiosk.sqlite3"
    holder = Store(database)
    try:
        holder.conn.execute("SELECT 1").fetchone()
        assert Path(f"{database}-wal").exists()
        assert kiosk(a_day, "issue", "A").returncode == 0
        done = kiosk(a_day, "status", "--json")
        assert done.returncode == 0, done.stderr
        assert '"issued": 3' in done.stdout
    finally:
        holder.close()


def test_status_with_no_database_makes_none(
    write_config: Callable[..., Path], tmp_path: Path
) -> None:
    config = write_config()
    shutil.rmtree(tmp_path / "data", ignore_errors=True)
    before = snapshot(tmp_path)
    done = kiosk(config, "status")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"database: {tmp_path / 'data' / 'kiosk.sqlite3'} does not exist yet: the units make it"
        " when they start (systemctl start kiosk-ui kiosk-serve); nothing was created"
    ]
    assert not (tmp_path / "data").exists()
    assert snapshot(tmp_path) == before  # no secret made either


@pytest.mark.parametrize(
    "command",
    [["kiosk", "list"], ["stats", "--branch", "roma-m1"], ["purge"], ["manager", "remove", "bob"],
     ["kiosk", "remove", "t-1"]],
    ids=" ".join,
)  # fmt: skip
def test_the_centrals_reading_commands_make_no_database(
    write_config: Callable[..., Path], tmp_path: Path, command: list[str]
) -> None:
    config = write_config()
    shutil.rmtree(tmp_path / "data", ignore_errors=True)
    before = snapshot(tmp_path)
    done = kiosk(config, "central", *command)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"database: no central database at {(tmp_path / 'data' / 'central.sqlite3').resolve()}"
        " (give --database URL; the first `kiosk central kiosk add` makes it)"
    ]
    assert snapshot(tmp_path) == before and not (tmp_path / "data").exists()
    added = kiosk(config, "central", "kiosk", "add", "t-1", "--branch", "roma-m1")
    assert added.returncode == 0, added.stderr  # adding makes it
    listed = kiosk(config, "central", "kiosk", "list")
    assert listed.returncode == 0 and "t-1" in listed.stdout


@pytest.mark.parametrize(
    "command",
    [["sync", "status"], ["sync", "status", "--json"], ["purge", "--dry-run"],
     ["desk", "remove", "1"], ["totem", "remove", "t-2"], ["display", "remove", "hall"],
     ["status"], ["desk", "list"], ["totem", "list"], ["display", "list"]],
    ids=" ".join,
)  # fmt: skip
def test_on_a_fresh_install_reading_and_removing_make_nothing(
    write_config: Callable[..., Path], tmp_path: Path, command: list[str]
) -> None:
    config = write_config()
    before = snapshot(tmp_path)
    done = kiosk(config, *command)
    said = done.stdout if "--json" in command else done.stderr
    assert done.returncode in (1, 2) and said.count("\n") == 1, done
    assert "Traceback" not in done.stderr
    assert snapshot(tmp_path) == before and not (tmp_path / "data").exists()
    assert not (tmp_path / "data-witness").exists()
