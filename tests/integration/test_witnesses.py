"""Two witnesses of the day outside the database, and the central service as the third
(DESIGN 10): the whole data folder deleted, both folders lost, a database made anew behind
the totem's back. No number is issued twice in a day, no seq goes back, each fault is one
clear line, and the day goes on after `kiosk store reset`."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from central.server import CentralServer
from kiosk import secrets
from tests.helpers import run_kiosk

pytestmark = pytest.mark.integration


class Day:
    """A totem that issued A001-A004 today and sent them to a real central service."""

    def __init__(self, config: Path, central: CentralServer, capsys) -> None:
        self.config, self.central, self.capsys = config, central, capsys
        self.data = config.parent / "data"
        self.witness = config.parent / "data-witness"

    def kiosk(self, *args: str) -> tuple[int, str, str]:
        return run_kiosk(self.capsys, "--config", str(self.config), *args)

    def issue(self) -> str:
        code, out, err = self.kiosk("issue", "A", "--json")
        assert code == 0, err
        return json.loads(out)["ticket"]

    def held(self) -> list[tuple[str, int]]:
        """The tickets the central holds, with their seq."""
        rows = self.central.db.run(
            lambda tx: tx.execute(
                "SELECT ticket, seq FROM events WHERE type = 'ticket.issued' ORDER BY seq"
            )
        )
        return [(str(t), int(s)) for t, s in rows]

    def last_seq(self) -> int:
        """The highest seq the central holds (tickets, health, sealed statuses)."""
        rows = self.central.db.run(lambda tx: tx.execute("SELECT last_seq FROM kiosk_seq"))
        return int(rows[0][0])


@pytest.fixture
def day(write_config, tmp_path: Path, capsys) -> Iterator[Day]:
    central = CentralServer(f"sqlite:///{tmp_path / 'central.sqlite3'}").start()
    secrets.ensure(tmp_path / "secrets" / "central-token", b"good-token-123")
    central.enrol("test-totem", "test-branch", "good-token-123")
    config = write_config()
    config.write_text(config.read_text().replace("http://127.0.0.1:9", central.url))
    today = Day(config, central, capsys)
    try:
        assert [today.issue() for _ in range(4)] == ["A001", "A002", "A003", "A004"]
        assert today.kiosk("sync", "--once")[0] == 0
        yield today
    finally:
        central.stop()


def test_the_witness_outside_the_data_folder_keeps_the_day(day: Day) -> None:
    marker = day.witness / "kiosk.sqlite3.marker"
    assert json.loads(marker.read_text())["numbers"] == {"A": 4}  # written with the first
    shutil.rmtree(day.data)  # the whole data folder, marker and all
    code, _, err = day.kiosk("issue", "A")
    assert code == 1 and err.count("\n") == 1 and "kiosk store reset --yes`" in err
    assert not day.data.exists()  # refusing made nothing
    code, _, err = day.kiosk("status")
    assert code == 1 and "gone or empty" in err and "does not exist yet" not in err
    doctor = json.loads(day.kiosk("doctor", "--json")[1])
    checks = {c["name"]: c for c in doctor["checks"]}
    assert checks["database"]["status"] == "failed"
    assert "`kiosk store reset --yes`" in checks["database"]["fix"]
    assert day.kiosk("store", "reset", "--yes")[0] == 0
    assert day.issue() == "A005"  # never a second A001
    assert day.kiosk("sync", "--once")[0] == 0  # the seq went on: the central takes it
    assert [t for t, _ in day.held()] == ["A001", "A002", "A003", "A004", "A005"]


def test_with_both_witnesses_lost_the_central_says_where_the_day_stood(day: Day) -> None:
    last = day.last_seq()
    shutil.rmtree(day.data)
    for path in day.witness.iterdir():  # what systemd makes again: an empty folder
        path.unlink()
    code, _, err = day.kiosk("issue", "A")
    assert code == 1 and err.count("\n") == 1 and "--from-central" in err
    doctor = json.loads(day.kiosk("doctor", "--json")[1])
    fix = {c["name"]: c for c in doctor["checks"]}["database"]["fix"]
    assert "--from-central" in fix
    code, _, err = day.kiosk("store", "reset", "--yes")
    assert code == 1 and "no marker says where the day stood" in err
    assert not (day.data / "kiosk.sqlite3").exists()
    code, out, err = day.kiosk("store", "reset", "--yes", "--from-central", "--json")
    assert code == 0, err
    continued = json.loads(out)
    assert (continued["numbers"], continued["seq"]) == ({"A": 4}, last)
    assert day.issue() == "A005"
    assert day.kiosk("sync", "--once")[0] == 0
    assert [t for t, _ in day.held()] == ["A001", "A002", "A003", "A004", "A005"]


def test_the_central_refuses_a_database_made_anew_until_it_is_reset(day: Day) -> None:
    shutil.rmtree(day.data)
    shutil.rmtree(day.witness)  # nothing local is left to tell: a new totem, as far as it knows
    assert day.issue() == "A001"  # the one case the totem cannot see for itself
    code, _, err = day.kiosk("sync", "--once")
    assert code == 1
    status = json.loads(day.kiosk("sync", "status", "--json")[1])
    assert status["seq_went_back"] == day.last_seq()
    human = day.kiosk("sync", "status")[1]
    assert "SENDING STOPPED" in human and "--from-central" in human
    checks = {c["name"]: c for c in json.loads(day.kiosk("doctor", "--json")[1])["checks"]}
    assert checks["sync"]["status"] == "failed" and "--from-central" in checks["sync"]["fix"]
    assert [t for t, _ in day.held()] == ["A001", "A002", "A003", "A004"]  # no second A001
    code, _, err = day.kiosk("store", "reset", "--yes")  # in order, as far as it knows
    assert code == 1 and err.count("\n") == 1 and "add --from-central" in err
    code, out, err = day.kiosk("store", "reset", "--yes", "--from-central", "--json")
    assert code == 0, err
    assert json.loads(out)["moved_aside"]  # the new database, kept aside, not deleted
    assert day.issue() == "A005"
    assert day.kiosk("sync", "--once")[0] == 0
    assert [t for t, _ in day.held()][-1] == "A005"


def test_a_reset_with_the_central_away_changes_nothing(day: Day) -> None:
    shutil.rmtree(day.data)
    for path in day.witness.iterdir():
        path.unlink()
    day.central.stop()
    code, _, err = day.kiosk("store", "reset", "--yes", "--from-central")
    assert code == 1 and err.count("\n") == 1 and "not reachable" in err
    assert not day.data.exists() or not (day.data / "kiosk.sqlite3").exists()
    day.central.start()  # for the fixture's stop


def test_a_central_that_knows_no_ticket_of_today_is_said(day: Day) -> None:
    """Tickets issued and never sent, then both witnesses lost: the central's marks have no
    number of today, and the reset says that numbers may repeat the unsent ones."""
    assert day.issue() == "A005"  # not sent
    shutil.rmtree(day.data)
    for path in day.witness.iterdir():
        path.unlink()
    day.central.db.run(lambda tx: tx.execute("DELETE FROM events"))  # as after the retention
    code, out, err = day.kiosk("store", "reset", "--yes", "--from-central")
    assert code == 0, err
    assert "holds no ticket of today" in out and "may repeat" in out
