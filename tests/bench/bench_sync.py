"""Draining 100,000 events to `kiosk central`, beside the rate the server ingests the same
batches posted directly; the agent's memory with 10,000 and with 100,000 events waiting."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

from kiosk.store import Store
from kiosk.store.outbox import add_event
from sync import allowlist
from tests.bench.report import machine, write_section

KIOSK = Path(sys.executable).with_name("kiosk")
CONFIG = """
[kiosk]
id = "bench-totem"
branch = "bench-branch"
branch_name = "Bench"
timezone = "Europe/Rome"
data_dir = "data"
[central]
url = "http://127.0.0.1:{port}"
token_file = "token"
[[services]]
code = "A"
name = {{ it = "A", en = "A" }}
hours = {{ mon = ["08:00-12:00"] }}
minutes = 5
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fill(db: Path, count: int) -> None:
    with Store(db) as store, store.write() as conn:
        for i in range(count):
            add_event(conn, type="ticket.issued", branch="bench-branch", day="2026-11-23",
                      at="2026-11-23T10:00:00+01:00", ticket=f"A{i % 999 + 1:03d}", service="A")  # fmt: skip


def start_central(folder: Path, port: int, config: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [KIOSK, "--config", str(config), "central", "--listen", f"127.0.0.1:{port}", "--db", str(folder / f"central-{time.monotonic_ns()}.db")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(600):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.05)
    raise RuntimeError("central did not start")


def drain(folder: Path, count: int) -> tuple[float, int]:
    """Seconds `kiosk sync --once` takes for ``count`` events, and its max RSS in KiB."""
    port = free_port()
    config = folder / f"kiosk-{count}.toml"
    config.write_text(CONFIG.format(port=port).replace('"data"', f'"data-{count}"'))
    (folder / "token").write_text("bench-token")
    (folder / "token").chmod(0o600)
    fill(folder / f"data-{count}" / "kiosk.sqlite3", count)
    server = start_central(folder, port, config)
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [KIOSK, "--config", str(config), "sync", "--once"], stdout=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        assert os.waitstatus_to_exitcode(status) == 0
        return elapsed, usage.ru_maxrss
    finally:
        server.terminate()
        server.wait()


def drain_in_process(folder: Path, count: int) -> float:
    """Seconds the agent's drain takes for ``count`` events, process start-up excluded."""
    from kiosk.config import load
    from sync.agent import SyncAgent
    from sync.client import CentralClient

    port = free_port()
    config = folder / "inproc.toml"
    config.write_text(CONFIG.format(port=port).replace('"data"', '"data-inproc"'))
    fill(folder / "data-inproc" / "kiosk.sqlite3", count)
    server = start_central(folder, port, config)
    try:
        cfg = load(config)
        with Store(cfg.database) as store:
            agent = SyncAgent(cfg, store, CentralClient(cfg.central_url, cfg.central_token_file))
            start = time.perf_counter()
            assert agent.drain()
            return time.perf_counter() - start
    finally:
        server.terminate()
        server.wait()


def direct(folder: Path, count: int) -> float:
    """Seconds the server takes to ingest the same batches (500 events with random uuid4 ids,
    as the outbox makes them) posted directly, pre-encoded."""
    port = free_port()
    config = folder / "direct.toml"
    config.write_text(CONFIG.format(port=port))
    server = start_central(folder, port, config)
    events = [
        {"id": str(uuid.uuid4()), "seq": i + 1, "type": "ticket.issued", "branch": "bench-branch",
         "day": "2026-11-23", "at": "2026-11-23T10:00:00+01:00", "ticket": f"A{i % 999 + 1:03d}", "service": "A"}
        for i in range(count)
    ]  # fmt: skip
    bodies = [
        allowlist.encode_checked("bench-totem", map(allowlist.check, events[i : i + 500]))
        for i in range(0, count, 500)
    ]
    session = requests.Session()
    headers = {"Authorization": "Bearer bench-token", "Content-Type": "application/json"}
    try:
        start = time.perf_counter()
        for n, body in enumerate(bodies):
            response = session.post(
                f"http://127.0.0.1:{port}/v1/events",
                data=body,
                headers={**headers, "Idempotency-Key": str(n)},
            )
            assert response.status_code == 200
        return time.perf_counter() - start
    finally:
        server.terminate()
        server.wait()


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "token").write_text("bench-token")
        (folder / "token").chmod(0o600)
        small_time, small_rss = drain(folder, 10_000)
        big_time, big_rss = drain(folder, 100_000)
        agent_time = drain_in_process(folder, 100_000)
        limit = direct(folder, 100_000)
    agent_rate, server_rate = 100_000 / agent_time, 100_000 / limit
    body = f"""## Sync agent: draining the outbox

Machine: {machine()}; `kiosk sync --once` and `kiosk central` as separate processes on 127.0.0.1.

| what | result | goal |
|---|---|---|
| 100,000 waiting events drained by the agent | {agent_time:.1f} s, {agent_rate:,.0f} events/s | >= 80% of the server's limit |
| the same as `kiosk sync --once`, process start-up included | {big_time:.1f} s | |
| the same 200 batches posted directly (pre-encoded) | {limit:.1f} s, {server_rate:,.0f} events/s | the limit |
| agent / limit | {agent_rate / server_rate:.0%} | >= 80% |
| agent max RSS, 10,000 waiting | {small_rss / 1024:.0f} MiB ({small_time:.1f} s) | |
| agent max RSS, 100,000 waiting | {big_rss / 1024:.0f} MiB | within 20% of the above |
"""
    write_section("sync", body)
    print(body)
