"""A satellite's printer state reaches the central service through its host, as the
satellite's own ``kiosk.health``; a satellite the central does not know costs the host
nothing (its reports are parked, the host's own events still go)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from central import store as central_store
from central.server import CentralServer
from kiosk import secrets
from kiosk.config import Config, load
from kiosk.satellite import SatelliteTotem
from kiosk.server import satellites
from kiosk.server.app import make_app
from kiosk.serving import ThreadedServer
from kiosk.store import Store
from kiosk.store import state as shared
from kiosk.totem import Totem
from sync.agent import SyncAgent
from sync.client import CentralClient
from tests.conftest import Clock
from tests.integration.test_satellite import satellite_config

pytestmark = pytest.mark.integration


@pytest.fixture
def office(config: Config, store: Store, clock: Clock, tmp_path: Path):
    central = CentralServer(tmp_path / "central.sqlite3").start()
    secrets.ensure(config.central_token_file, b"host-token-0123456789")
    central.enrol("test-totem", "test-branch", "host-token-0123456789")
    key = secrets.ensure(config.ticket_key_file)
    host = ThreadedServer(make_app(config, clock, key=key), graceful_timeout=1).start()
    sat = satellite_config(tmp_path, host.url, satellites.add(store, "test-totem-2"))
    synced = replace(config, central_url=central.url)
    agent = SyncAgent(synced, store, CentralClient(central.url, config.central_token_file),
                      clock=clock)  # fmt: skip
    yield central, SatelliteTotem(load(sat)), agent
    host.stop()
    central.stop()


def test_a_satellites_printer_reaches_the_central_as_its_own_kiosk(office, clock: Clock) -> None:
    central, satellite, agent = office
    central.enrol("test-totem-2", "test-branch")  # as the technician registers every totem
    satellite.record_printer_state("paper_out")
    satellite.states()  # the screen's refresh tells the host
    agent.health_due()
    assert agent.drain() is True
    bodies = [json.loads(b) for b in central.bodies()]
    by_kiosk = {b["kiosk"]: [e for e in b["events"] if e["type"] == "kiosk.health"] for b in bodies}
    assert [e["printer"] for e in by_kiosk["test-totem-2"]] == ["paper_out"]
    assert by_kiosk["test-totem-2"][0]["backlog"] == 0  # a satellite keeps no outbox
    assert all(b["kiosk"] == "test-totem" for b in bodies if b["kiosk"] != "test-totem-2")
    held = central.db.run(
        lambda tx: tx.execute("SELECT kiosk, printer FROM events WHERE type = 'kiosk.health'")
    )
    assert ("test-totem-2", "paper_out") in held and ("test-totem", "unknown") in held
    # Silent for more than 5 minutes (switched off, cable pulled): its printer is unknown.
    clock.now += timedelta(minutes=6)
    agent.health_due()
    assert agent.drain() is True
    last = [json.loads(b) for b in central.bodies()][-1]
    assert last["kiosk"] == "test-totem-2" and last["events"][0]["printer"] == "unknown"
    # The host's token may carry its satellites' health, and nothing else for them.
    ticket = {"id": "3f1c2a9e-8b7d-4c6e-9a5b-1d2e3f4a5b6c", "seq": 999, "type": "ticket.issued",
              "branch": "test-branch", "day": "2026-11-23", "at": "2026-11-23T10:00:00+01:00",
              "ticket": "A001", "service": "A"}  # fmt: skip
    import requests

    answer = requests.post(f"{central.url}/v1/events",
                           json={"kiosk": "test-totem-2", "events": [ticket]},
                           headers={"Authorization": "Bearer host-token-0123456789"}, timeout=5)  # fmt: skip
    assert answer.status_code == 403


def test_a_satellite_unknown_to_the_central_does_not_stop_the_host(
    office, config: Config, store: Store, clock: Clock
) -> None:
    central, satellite, agent = office
    satellite.record_printer_state("ok")
    satellite.states()
    agent.health_due()
    Totem(config, store, b"k" * 32, clock=clock).issue_walkin("A")
    assert agent.drain() is True
    assert shared.get(store, "sync.paused_auth") is None  # sending did not pause
    parked = store.query("SELECT kiosk, error FROM outbox WHERE state = 'parked'")
    assert [p["kiosk"] for p in parked] == ["test-totem-2"]
    assert "kiosk central kiosk add test-totem-2 --branch test-branch" in parked[0]["error"]
    assert any(e["type"] == "ticket.issued" for e in central.events())
    assert central_store.counts(central.db)["events"] >= 2
