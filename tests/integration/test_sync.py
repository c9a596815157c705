"""The sync agent against `kiosk central` on 127.0.0.1: every answer of docs/central-api.md."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from central.server import CentralServer
from kiosk.core import events as contract
from kiosk.store import Store
from kiosk.store import state as shared
from kiosk.totem import Totem
from sync.agent import SyncAgent
from tests.conftest import Clock
from tests.helpers import run_kiosk

pytestmark = pytest.mark.integration


def ticket_events(central: CentralServer) -> list[dict]:
    return [e for e in central.events() if e["type"] == "ticket.issued"]


def outbox_count(store: Store, state: str = "ready") -> int:
    return int(store.scalar("SELECT COUNT(*) FROM outbox WHERE state = ?", (state,)))


def test_drain_delivers_in_order_with_only_allowed_keys(
    totem: Totem, agent: SyncAgent, central: CentralServer, sync_store: Store
) -> None:
    codes = [totem.issue_walkin("A").ticket.code for _ in range(5)]
    assert agent.drain() is True
    events = ticket_events(central)
    assert [e["ticket"] for e in events] == codes
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert outbox_count(sync_store) == 0
    for body in central.bodies():
        for event in json.loads(body)["events"]:
            assert set(event) <= {*contract.COMMON, *contract.KEYS[event["type"]]}
    assert shared.get(sync_store, "sync.last_success")


def test_422_parks_exactly_the_rejected_and_sends_the_rest(
    totem: Totem, agent: SyncAgent, central: CentralServer, sync_store: Store, capsys
) -> None:
    central.faults.reject_services = {"B"}
    a1 = totem.issue_walkin("A").ticket.code
    b1 = totem.issue_walkin("B").ticket.code
    a2 = totem.issue_walkin("A").ticket.code
    assert agent.drain() is True
    assert [e["ticket"] for e in ticket_events(central)] == [a1, a2]
    parked = sync_store.query(
        "SELECT type, json_extract(body, '$.ticket') AS ticket, error FROM outbox"
        " WHERE state = 'parked' ORDER BY seq"
    )
    # B's ticket, and B's sealed queue (the server refuses every event of service B)
    assert [(p["type"], p["ticket"]) for p in parked] == [
        ("ticket.issued", b1),
        ("service.sealed", None),
    ]
    assert all(p["error"].startswith("HTTP 422") for p in parked)
    code, out, _ = run_kiosk(
        capsys, "--config", str(agent.config.source), "sync", "status", "--json"
    )
    assert code == 0 and json.loads(out)["parked"] == 2


def test_401_pauses_until_the_token_file_changes(
    totem: Totem, agent: SyncAgent, central: CentralServer, sync_store: Store
) -> None:
    token_file = agent.config.central_token_file
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token_file.write_text("wrong-token\n")
    token_file.chmod(0o600)
    totem.issue_walkin("A")
    assert agent.drain() is False
    assert agent.step().kind == "paused"
    assert shared.get(sync_store, "sync.paused_auth") == "HTTP 401"
    assert sync_store.scalar("SELECT COUNT(*) FROM outbox WHERE type = 'ticket.issued'") == 1
    token_file.write_text("good-token-123\n")  # the technician fixes the file
    assert agent.drain() is True
    assert len(ticket_events(central)) == 1
    assert shared.get(sync_store, "sync.paused_auth") is None


def test_paused_clears_at_the_first_accepted_batch_even_after_a_restart(
    totem: Totem, agent: SyncAgent, central: CentralServer, sync_store: Store, capsys
) -> None:
    """The technician replaced the wrong token and restarted the agent: the new agent delivers,
    and `sync status` and doctor stop saying "paused" (they said it for ever)."""
    token_file = agent.config.central_token_file
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token_file.write_text("wrong-token\n")
    token_file.chmod(0o600)
    totem.issue_walkin("A")
    assert agent.step().kind == "paused"
    token_file.write_text("good-token-123\n")
    restarted = SyncAgent(agent.config, sync_store, agent.client, clock=agent.clock)
    assert restarted.drain() is True and len(ticket_events(central)) == 1
    assert shared.get(sync_store, "sync.paused_auth") is None
    code, out, _ = run_kiosk(
        capsys, "--config", str(agent.config.source), "sync", "status", "--json"
    )
    status = json.loads(out)
    assert code == 0 and status["paused_for_auth"] is False and not status["last_error"]


def test_missing_token_file_pauses_and_recovers(
    totem: Totem, agent: SyncAgent, central: CentralServer
) -> None:
    token_file = agent.config.central_token_file
    token_file.unlink(missing_ok=True)
    totem.issue_walkin("A")
    assert agent.step().kind == "paused"
    assert agent.step().kind == "paused"
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token_file.write_text("good-token-123")
    assert agent.drain() is True and len(ticket_events(central)) == 1


def test_413_splits_the_batch_and_parks_a_lone_oversized_event(
    totem: Totem, agent: SyncAgent, central: CentralServer, sync_store: Store
) -> None:
    for _ in range(20):
        totem.issue_walkin("A")
    central.faults.max_body = 1500  # about five events
    assert agent.drain() is True
    assert len(ticket_events(central)) == 20 and agent.limit < 20
    central.faults.max_body = 100  # no event fits
    totem.issue_walkin("A")
    assert agent.drain() is True
    parked = sync_store.query("SELECT type FROM outbox WHERE state = 'parked'")
    kinds = sorted(p["type"] for p in parked)
    # The ticket, and each service's sealed queue: a newer one replaces a refused one, so
    # refused sealed events never pile up, one a minute.
    assert kinds == ["service.sealed", "service.sealed", "ticket.issued"]


def test_429_honours_retry_after(totem: Totem, agent: SyncAgent, central: CentralServer) -> None:
    central.faults.throttle_rate, central.faults.retry_after = 1.0, 7
    totem.issue_walkin("A")
    step = agent.step()
    assert step.kind == "retry" and step.wait >= 7
    central.faults.throttle_rate = 0.0
    assert agent.drain() is True


def test_5xx_backs_off_exponentially_with_jitter(
    totem: Totem, agent: SyncAgent, central: CentralServer
) -> None:
    central.faults.error_rate = 1.0
    totem.issue_walkin("A")
    waits = [agent.step().wait for _ in range(6)]
    assert all(0 <= w <= 2**i for i, w in enumerate(waits))
    assert "HTTP 5" in (shared.get(agent.store, "sync.last_error") or "")
    central.faults.error_rate = 0.0
    assert agent.drain() is True and agent.attempt == 0


def test_timeout_is_retried(
    totem: Totem, synced, sync_store: Store, central: CentralServer, clock: Clock
) -> None:
    from sync.client import CentralClient

    client = CentralClient(synced.central_url, synced.central_token_file, timeouts=(2.0, 0.2))
    agent = SyncAgent(synced, sync_store, client, clock=clock)
    central.faults.slow_rate, central.faults.slow_seconds = 1.0, 1.0
    totem.issue_walkin("A")
    step = agent.step()
    assert step.kind == "retry" and "Timeout" in (shared.get(sync_store, "sync.last_error") or "")
    central.faults.slow_rate = 0.0
    assert agent.drain() is True
    assert len(ticket_events(central)) == 1  # stored once even though the slow answer stored it too


def test_dropped_connection_after_storing_is_resent_and_deduplicated(
    totem: Totem, agent: SyncAgent, central: CentralServer, sync_store: Store
) -> None:
    central.faults.drop_rate = 1.0
    totem.issue_walkin("A")
    assert agent.step().kind == "retry"
    assert len(ticket_events(central)) == 1 and outbox_count(sync_store) == 1  # ack lost
    central.faults.drop_rate = 0.0
    assert agent.step().kind == "sent"
    assert len(ticket_events(central)) == 1 and outbox_count(sync_store) == 0
    assert len(central.bodies()) == 2  # the same batch twice, with the same key
    keys = central.faults.keys
    assert len(keys) == 2 and keys[0] == keys[1] and len(keys[0]) == 36


def test_unreachable_server(totem: Totem, synced, sync_store: Store, clock: Clock) -> None:
    from dataclasses import replace

    from sync.client import CentralClient

    cfg = replace(synced, central_url="http://127.0.0.1:9")
    agent = SyncAgent(
        cfg, sync_store, CentralClient(cfg.central_url, cfg.central_token_file), clock=clock
    )
    totem.issue_walkin("A")
    assert agent.drain() is False
    assert "ConnectionError" in (shared.get(sync_store, "sync.last_error") or "")


def test_sync_once_exit_codes(
    synced, central: CentralServer, capsys, totem: Totem, caplog: pytest.LogCaptureFixture
) -> None:
    path = synced.source
    text = path.read_text().replace('url = "http://127.0.0.1:9"', f'url = "{central.url}"')
    path.write_text(text)
    totem.issue_walkin("A")
    code, out, _ = run_kiosk(capsys, "--config", str(path), "sync", "--once")
    assert (code, out.strip()) == (0, "sync: outbox drained")
    path.write_text(text.replace(central.url, "http://127.0.0.1:9"))
    totem.issue_walkin("A")
    caplog.clear()
    code, _, err = run_kiosk(capsys, "--config", str(path), "sync", "--once")
    assert code == 1 and "not reachable" in err
    # One short line per failure: no pool internals, no promise of a retry --once never makes.
    said = [r.getMessage() for r in caplog.records if r.name.startswith("sync")]
    assert (
        "sync: ConnectionError" in said and "appointments: not refreshed (ConnectionError)" in said
    )
    assert not any("HTTPConnectionPool" in line or "retry" in line for line in said)


def test_health_on_printer_change_and_every_15_minutes(
    agent: SyncAgent, sync_store: Store, clock: Clock, central: CentralServer
) -> None:
    shared.put(sync_store, {"printer.state": "ok"})
    agent.health_due()
    agent.health_due()  # nothing changed: no second event
    shared.put(sync_store, {"printer.state": "paper_out"})
    agent.health_due()
    clock.now += timedelta(minutes=16)
    agent.health_due()
    assert agent.drain() is True
    health = [e for e in central.events() if e["type"] == "kiosk.health"]
    assert [h["printer"] for h in health] == ["ok", "paper_out", "paper_out"]
    assert set(health[0]) == {"id", "seq", "type", "branch", "day", "at", "printer", "backlog"}


def test_appointments_downlink_and_checkin(
    agent: SyncAgent, totem: Totem, central: CentralServer, sync_store: Store, tmp_path: Path
) -> None:
    today = [
        {"ref": "apt-1", "code": "BOOK-111111", "service": "A", "slot": "10:10"},
        {"ref": "apt-2", "code": "BOOK-222222", "service": "A", "slot": "11:30"},
    ]
    central.book("test-branch", "2026-11-23", today)
    central.book("test-branch", "2026-11-24", [
        {"ref": "apt-3", "code": "BOOK-333333", "service": "A", "slot": "10:00"}
    ])  # fmt: skip
    assert agent.drain() is True
    assert sync_store.scalar("SELECT COUNT(*) FROM appointments") == 2
    assert totem.scan("BOOK-111111").result == "checkin"
    assert totem.scan("BOOK-222222").as_json()["come_back_at"] == "11:00"
    assert totem.scan("BOOK-333333").reason == "unknown_booking"  # tomorrow's
    # unchanged: 304, nothing rewritten; changed: replaced, the check-in kept
    from sync.appointments import refresh_appointments

    assert refresh_appointments(agent.config, sync_store, agent.client, agent.clock()) is False
    today[1]["slot"] = "10:20"
    central.book("test-branch", "2026-11-23", today)
    assert refresh_appointments(agent.config, sync_store, agent.client, agent.clock()) is True
    rows = sync_store.query("SELECT ref, slot, ticket FROM appointments ORDER BY ref")
    assert rows == [
        {"ref": "apt-1", "slot": "10:10", "ticket": "A001"},
        {"ref": "apt-2", "slot": "10:20", "ticket": None},
    ]
    assert b"BOOK-111111" not in agent.config.database.read_bytes()
    events = [e for e in central.events() if e["type"] == "appointment.checked_in"]
    assert not events  # not yet sent
    assert agent.drain() is True
    [checked] = [e for e in central.events() if e["type"] == "appointment.checked_in"]
    assert (checked["ticket"], checked["ref"]) == ("A001", "apt-1")


def test_403_pauses_like_401(
    totem: Totem, agent: SyncAgent, central: CentralServer, sync_store: Store
) -> None:
    central.faults.forbidden = True
    totem.issue_walkin("A")
    assert agent.step().kind == "paused"
    assert shared.get(sync_store, "sync.paused_auth") == "HTTP 403"


def test_tls_is_verified_and_a_ca_file_replaces_the_system_store(
    tmp_path: Path, synced, sync_store: Store, clock: Clock, totem: Totem
) -> None:
    import subprocess
    from dataclasses import replace

    from sync.client import CentralClient

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    server = CentralServer(tmp_path / "tls-central.sqlite3", tls=(cert, key)).start()
    server.enrol("test-totem", "test-branch", "good-token-123")
    try:
        assert server.url.startswith("https://")
        totem.issue_walkin("A")
        cfg = replace(synced, central_url=server.url)
        untrusting = SyncAgent(
            cfg, sync_store, CentralClient(cfg.central_url, cfg.central_token_file), clock=clock
        )
        assert untrusting.step().kind == "retry"
        assert "TLS" in (shared.get(sync_store, "sync.last_error") or "")
        trusting = SyncAgent(
            cfg,
            sync_store,
            CentralClient(cfg.central_url, cfg.central_token_file, ca_file=cert),
            clock=clock,
        )
        assert trusting.step().kind == "sent"
        assert len(server.events()) == 1
        untrusting.client.close()
        trusting.client.close()
    finally:
        server.stop()


def test_printer_state_seen_when_printing_reaches_the_health_event(
    synced, sync_store: Store, clock: Clock, agent: SyncAgent, central: CentralServer
) -> None:
    from drivers.printer.device import Printer
    from drivers.printer.transport.sim import SimTransport
    from drivers.sim.printer import SimPrinter

    sim = SimPrinter()
    printing = Totem(
        synced,
        sync_store,
        b"k" * 32,
        clock=clock,
        printer=Printer(SimTransport(sim), "sim://", status_timeout=0.05),
    )
    sim.set_mode("paper_low")
    assert printing.issue_walkin("A").printed
    assert shared.get(sync_store, "printer.state") == "paper_low"
    assert agent.drain()
    [health] = [e for e in central.events() if e["type"] == "kiosk.health"]
    assert health["printer"] == "paper_low"


def test_health_is_queued_on_the_tick_not_when_a_desk_wakes_the_agent(
    agent: SyncAgent, sync_store: Store, clock
) -> None:
    """A desk's commit wakes the agent at 10:00:37: a health event queued then would leave at
    that second and date the desk's action; it waits for the tick (found by review)."""
    from tests.conftest import rome
    from tests.helpers import outbox_events

    clock.now = rome(2026, 11, 23, 10, 0)
    agent.reports.next_check = clock.now + timedelta(minutes=1)  # 10:00 was looked at
    shared.put(sync_store, {"printer.state": "paper_low"})  # a change to report
    clock.now = rome(2026, 11, 23, 10, 0) + timedelta(seconds=37)
    agent.dues()
    assert outbox_events(sync_store, "kiosk.health") == []
    clock.now = rome(2026, 11, 23, 10, 1)
    agent.dues()
    [health] = outbox_events(sync_store, "kiosk.health")
    assert (health["printer"], health["at"]) == ("paper_low", "2026-11-23T10:01:00+01:00")
