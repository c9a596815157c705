"""Nothing of a desk's calls on any disk: which desk serves a called ticket is a per-ticket mark
made with a day key the branch server holds in memory only, and the call log is its memory.
A restart of the service keeps the key (its runtime folder is tmpfs); a reboot loses it, and
the citizens who were at a desk then are counted as served, said once in the log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.config import Config
from kiosk.server import deskbook
from kiosk.store import Store
from kiosk.totem import Totem
from tests.conftest import Clock
from tests.integration.test_branch_server import Branch

pytestmark = pytest.mark.integration


@pytest.fixture
def office(config: Config, clock: Clock, store: Store):
    totem = Totem(config, store, b"k" * 32, clock=clock)
    for _ in range(6):
        totem.issue_walkin("A")
    branch = Branch(config, clock)
    yield branch
    branch.stop()


def marks(store: Store) -> list[str]:
    return [r["desk"] for r in store.query("SELECT desk FROM tickets WHERE desk IS NOT NULL")]


def test_the_database_holds_no_desk_and_no_call_log(
    office: Branch, config: Config, store: Store
) -> None:
    assert office.next("12") == "A001"
    assert office.next("3") == "A002"
    # One mark per called ticket, each different, none naming its desk.
    found = marks(store)
    assert len(found) == len(set(found)) == 2
    assert all(len(m) == 32 and m not in ("12", "3") for m in found)
    assert store.scalar("SELECT COUNT(*) FROM calls") == 0
    raw = config.database.read_bytes()
    wal = config.database.with_name(config.database.name + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    assert b'"12"' not in raw and b"desk 12" not in raw
    # The displays still get the calls, and each desk still knows its citizen.
    calls = office.http.get(f"{office.url}/api/v1/calls", timeout=5).json()["calls"]
    assert [(c["ticket"], c["desk"]) for c in calls] == [("A002", "3"), ("A001", "12")]
    state = office.http.get(
        f"{office.url}/api/v1/desks/12", headers={"Authorization": f"Bearer {office.tokens['12']}"},
        timeout=5,
    ).json()  # fmt: skip
    assert state == {"desk": "12", "ticket": "A001"}
    refused = office.post("3", "done", {"ticket": "A001"})
    assert refused.status_code == 403 and "another desk" in refused.text
    assert office.post("12", "done", {"ticket": "A001"}).status_code in (200, 204)
    assert len(marks(store)) == 1  # a finished ticket keeps no mark


def test_a_restart_of_the_service_keeps_the_desks_and_a_reboot_releases_them(
    office: Branch, config: Config, clock: Clock, store: Store, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    runtime = tmp_path / "run"  # the service's runtime folder (tmpfs under systemd)
    runtime.mkdir()
    monkeypatch.setenv("RUNTIME_DIRECTORY", str(runtime))
    office.stop()
    deskbook._KEYS.clear()  # a new process
    first = Branch(config, clock)
    try:
        assert first.next("1") == "A001"
    finally:
        first.stop()
    assert [p.name.startswith("desk-key-") for p in runtime.iterdir()] == [True]
    deskbook._KEYS.clear()  # the service restarted: a new process, the same runtime folder
    again = Branch(config, clock)
    try:
        assert again.post("1", "done").status_code in (200, 204)  # it still holds A001
        assert again.next("1") == "A002"
    finally:
        again.stop()
    for left in runtime.iterdir():  # a reboot: tmpfs and the process's memory are gone
        left.unlink()
    deskbook._KEYS.clear()
    rebooted = Branch(config, clock)
    try:
        with caplog.at_level(logging.WARNING):
            refused = rebooted.post("1", "done")
        assert refused.status_code == 409  # nobody can say desk 1 holds anyone now
        row = store.query("SELECT status, desk FROM tickets WHERE code = 'A002'")[0]
        assert row == {"status": "done", "desk": None}  # counted as served, mark gone
        assert "1 citizen(s) at a desk" in caplog.text
        assert rebooted.next("1") == "A003"
    finally:
        rebooted.stop()
