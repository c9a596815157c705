"""Crash tests: the agent killed with SIGKILL 50 times mid-drain, the server killed and
restarted mid-drain. Every event arrives exactly once, in order."""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.store import Store
from kiosk.store.outbox import add_event
from tests.helpers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]
KIOSK = Path(sys.executable).with_name("kiosk")


def fill_outbox(db: Path, count: int) -> None:
    with Store(db) as store, store.write() as conn:
        for i in range(count):
            add_event(
                conn, type="ticket.issued", branch="test-branch", day="2026-11-23",
                at="2026-11-23T10:00:00+01:00", ticket=f"A{i % 999 + 1:03d}", service="A",
            )  # fmt: skip


def config_for(write_config, url: str) -> Path:
    text = write_config().read_text().replace('url = "http://127.0.0.1:9"', f'url = "{url}"')
    return write_config(text)


def assert_exactly_once_in_order(events: list[dict], count: int, db: Path) -> None:
    tickets = [e for e in events if e["type"] == "ticket.issued"]
    assert len(tickets) == count
    assert len({e["id"] for e in events}) == len(events)
    seqs = [e["seq"] for e in events]  # in order of first arrival at the server
    assert seqs == sorted(seqs), "per-kiosk order was not preserved"
    with Store(db) as store:
        assert store.scalar("SELECT COUNT(*) FROM outbox") == 0


def test_agent_killed_50_times_while_5000_events_drain(
    write_config, central, tmp_path: Path
) -> None:
    central.faults.max_body = 6000  # small batches, so the kills land mid-drain
    central.faults.slow_rate, central.faults.slow_seconds = 1.0, 0.01
    path = config_for(write_config, central.url)
    db = tmp_path / "data" / "kiosk.sqlite3"
    fill_outbox(db, 5000)
    rng = random.Random(50)
    env = {**os.environ, "KIOSK_LOG_LEVEL": "ERROR"}
    for _ in range(50):
        agent = subprocess.Popen(
            [KIOSK, "--config", str(path), "sync"], env=env, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.8, 1.3))  # the process needs ~0.8 s to start
        os.kill(agent.pid, signal.SIGKILL)
        assert agent.wait() == -signal.SIGKILL
    with Store(db) as store:
        assert store.scalar("SELECT COUNT(*) FROM outbox") < 5000  # the kills did land mid-drain
    central.faults.slow_rate = 0.0
    done = subprocess.run(
        [KIOSK, "--config", str(path), "sync", "--once"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert_exactly_once_in_order(central.events(), 5000, db)


def test_server_killed_and_restarted_mid_drain(write_config, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    path = config_for(write_config, url)
    token = tmp_path / "secrets" / "central-token"
    token.parent.mkdir(mode=0o700, exist_ok=True)
    token.write_text("shared-token")
    token.chmod(0o600)
    central_db = tmp_path / "central.sqlite3"
    db = tmp_path / "data" / "kiosk.sqlite3"
    fill_outbox(db, 3000)

    database = f"sqlite:///{central_db}"
    enrolled = subprocess.run(
        [KIOSK, "--config", str(path), "central", "kiosk", "add", "test-totem", "--branch", "test-branch",
         "--database", database], check=True, capture_output=True, text=True,
    )  # fmt: skip
    token.write_text(enrolled.stdout.strip())

    def start_central() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [KIOSK, "--config", str(path), "central", "serve", "--listen", f"127.0.0.1:{port}",
             "--database", database, "--max-body", "8000", "--slow-rate", "1", "--slow-seconds", "0.02"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return proc
            time.sleep(0.05)
        raise AssertionError("central did not start")

    server = start_central()
    agent_env = {**os.environ, "KIOSK_LOG_LEVEL": "ERROR"}
    agent = subprocess.Popen(
        [KIOSK, "--config", str(path), "sync"], env=agent_env, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(3):
            time.sleep(1.5)
            os.kill(server.pid, signal.SIGKILL)
            server.wait()
            time.sleep(0.5)
            server = start_central()
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            with Store(db) as store:
                if store.scalar("SELECT COUNT(*) FROM outbox") == 0:
                    break
            time.sleep(0.5)
    finally:
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=30)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    with sqlite3.connect(central_db) as conn:  # the central's own table, in arrival order
        rows = conn.execute("SELECT id, seq, type FROM events ORDER BY rowid").fetchall()
    events = [{"id": i, "seq": seq, "type": kind} for i, seq, kind in rows]
    assert_exactly_once_in_order(events, 3000, db)
