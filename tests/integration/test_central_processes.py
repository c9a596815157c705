"""The central service as its own processes (``kiosk central serve``), on PostgreSQL and on
the embedded SQLite: two processes on one database, a kill -9 in the middle of a batch with the
real sync agent sending, and the technician's commands with their one-line errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.config import load
from kiosk.store import Store
from kiosk.totem import Totem
from tests.conftest import Clock, quick_waits, rome
from tests.helpers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]
KIOSK = Path(sys.executable).with_name("kiosk")


def central(url: str, *args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KIOSK, "--config", str(config or "/nonexistent/kiosk.toml"), "central", *args,
         "--database", url],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def serve(url: str, port: int, *faults: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [KIOSK, "--config", "/nonexistent/kiosk.toml", "central", "serve", "--listen",
         f"127.0.0.1:{port}", "--database", url, *faults],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"kiosk central serve exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.05)
    raise AssertionError("central did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def issued_total(url: str, day: str) -> int:
    done = central(url, "stats", "--branch", "test-branch", "--from", day, "--to", day, "--json")
    assert done.returncode == 0, done.stderr
    return sum(d["issued"] or 0 for d in json.loads(done.stdout)["days"])


def test_two_processes_on_one_database_hold_each_event_once(central_url: str) -> None:
    """Eight kiosks' batches, each sent twice to both processes at once. (One kiosk's batches
    go one after the other, in seq order, as its sync agent sends them: a batch below one
    already held would be a seq going back, refused with 409.)"""
    tokens = [
        central(central_url, "kiosk", "add", f"k{b}", "--branch", "test-branch").stdout.strip()
        for b in range(8)
    ]
    ports = [free_port(), free_port()]
    procs = [serve(central_url, port) for port in ports]
    try:
        batches = [
            [{"id": str(uuid4()), "seq": i + 1, "type": "ticket.issued",
              "branch": "test-branch", "day": "2026-11-23", "at": "2026-11-23T10:00:00+01:00",
              "ticket": f"A{b * 50 + i + 1:03d}", "service": "A"} for i in range(50)]
            for b in range(8)
        ]  # fmt: skip
        answers: list[int] = []

        def send(port: int, b: int) -> None:
            answer = requests.post(
                f"http://127.0.0.1:{port}/v1/events",
                json={"kiosk": f"k{b}", "events": batches[b]},
                headers={"Authorization": f"Bearer {tokens[b]}"},
                timeout=30,
            )
            answers.append(answer.status_code)
            assert sorted(answer.json()["acked"]) == sorted(e["id"] for e in batches[b])

        # Every batch goes to both processes at once, twice: 32 posts of 8 batches.
        threads = [threading.Thread(target=send, args=(port, b))
                   for b in range(8) for port in ports for _ in range(2)]  # fmt: skip
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert answers == [200] * 32
        assert issued_total(central_url, "2026-11-23") == 400
    finally:
        for proc in procs:
            stop(proc)


def test_40_tickets_through_a_kill_9_of_the_central_are_counted_once(
    central_url: str, write_config, tmp_path: Path
) -> None:
    port = free_port()
    text = write_config().read_text().replace("http://127.0.0.1:9", f"http://127.0.0.1:{port}")
    path = write_config(text)
    token = central(central_url, "kiosk", "add", "test-totem", "--branch", "test-branch")
    secrets = tmp_path / "secrets"
    secrets.mkdir(mode=0o700, exist_ok=True)
    (secrets / "central-token").write_text(token.stdout.strip())
    (secrets / "central-token").chmod(0o600)
    config = load(path)
    with Store(config.database) as store:
        totem = Totem(config, store, b"k" * 32, clock=Clock(rome(2026, 11, 23, 10, 0)))
        for _ in range(40):
            totem.issue_walkin("A")
    # Small batches, answered slowly, half of them dropped after being stored.
    server = serve(central_url, port, "--max-body", "3000", "--slow-rate", "1",
                   "--slow-seconds", "0.4", "--drop-rate", "0.5")  # fmt: skip
    agent = subprocess.Popen([KIOSK, "--config", str(path), "sync"], stderr=subprocess.DEVNULL,
                             env={**os.environ, "KIOSK_LOG_LEVEL": "ERROR"})  # fmt: skip
    try:
        # Early in the draining: at 2 s a lucky run (few drops, short backoffs) had sometimes
        # sent all forty already.
        time.sleep(1.2)
        server.send_signal(signal.SIGKILL)  # in the middle of a batch
        server.wait()
        with Store(config.database) as store:
            left = store.scalar("SELECT COUNT(*) FROM outbox")
        assert left > 0, "the kill came after the drain"
        server = serve(central_url, port)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with Store(config.database) as store:
                if store.scalar("SELECT COUNT(*) FROM outbox") == 0:
                    break
            time.sleep(0.3)
    finally:
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=30)
        stop(server)
    with Store(config.database) as store:
        assert store.scalar("SELECT COUNT(*) FROM outbox") == 0
    assert issued_total(central_url, "2026-11-23") == 40


def test_technicians_commands_and_their_errors(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    token = central(url, "kiosk", "add", "roma-m1-totem-1", "--branch", "roma-m1")
    assert token.returncode == 0 and len(token.stdout.strip()) >= 32
    again = central(url, "kiosk", "add", "roma-m1-totem-1", "--branch", "roma-m1")
    assert again.returncode == 2
    assert again.stderr.strip().endswith(
        "kiosk roma-m1-totem-1 is already registered; remove it first"
    )
    listed = central(url, "kiosk", "list", "--json")
    assert json.loads(listed.stdout) == {
        "kiosks": [{"kiosk": "roma-m1-totem-1", "branch": "roma-m1"}]
    }
    assert token.stdout.strip() not in (tmp_path / "central.sqlite3").read_text("latin-1")
    cases = [
        (("kiosk", "add", "Bad Id", "--branch", "b"), "KIOSK: 'Bad Id' is not allowed"),
        (("kiosk", "remove", "nobody"), "KIOSK: 'nobody' is not registered"),
        (("stats", "--branch", "roma-m1", "--from", "2026-02-30"), "--from: '2026-02-30' is not a day"),
        (("stats", "--branch", "roma-m9"),
         "--branch: roma-m9 is not a branch of this service (known: roma-m1)"),
        (("appointments", "import", str(tmp_path / "missing.csv"), "--branch", "roma-m1",
          "--day", "2026-11-23"), "FILE: cannot read"),
        (("branch", "roma-m1", "--service", "A:Anagrafe"), "--service: 'A:Anagrafe' is not CODE=NAME"),
    ]  # fmt: skip
    for args, message in cases:
        done = central(url, *args)
        assert done.returncode == 2, (args, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (args, done.stderr)
        assert "Traceback" not in done.stderr
    bad_url = central("mysql://x", "kiosk", "list")
    assert (
        bad_url.returncode == 2
        and "--database: 'mysql://x' is not a database URL" in bad_url.stderr
    )
    unreachable = central("postgresql://nobody@127.0.0.1:9/none", "kiosk", "list")
    assert unreachable.returncode == 1 and "cannot reach PostgreSQL" in unreachable.stderr
    assert len(unreachable.stderr.strip().splitlines()) == 1
    as_json = central(url, "kiosk", "remove", "nobody", "--json")
    assert as_json.returncode == 2 and json.loads(as_json.stdout)["error"].startswith("KIOSK:")


def test_ten_tickets_through_the_embedded_default(write_config, tmp_path: Path) -> None:
    """No --database: the central keeps its SQLite file in the configuration's data_dir."""
    port = free_port()
    text = write_config().read_text().replace("http://127.0.0.1:9", f"http://127.0.0.1:{port}")
    path = write_config(quick_waits(text))  # ten tickets on the wall clock, at any hour
    added = subprocess.run(
        [KIOSK, "--config", str(path), "central", "kiosk", "add", "test-totem", "--branch",
         "test-branch"], capture_output=True, text=True, check=True,
    )  # fmt: skip
    (tmp_path / "secrets").mkdir(mode=0o700, exist_ok=True)
    (tmp_path / "secrets" / "central-token").write_text(added.stdout.strip())
    (tmp_path / "secrets" / "central-token").chmod(0o600)
    assert (tmp_path / "data" / "central.sqlite3").exists()
    proc = subprocess.Popen(
        [KIOSK, "--config", str(path), "central", "serve", "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(300):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        for _ in range(10):
            subprocess.run([KIOSK, "--config", str(path), "issue", "A"], check=True,
                           capture_output=True)  # fmt: skip
        sent = subprocess.run([KIOSK, "--config", str(path), "sync", "--once"],
                              capture_output=True, text=True)  # fmt: skip
        assert sent.returncode == 0, sent.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    day = datetime.now(ZoneInfo("Europe/Rome")).date().isoformat()  # the tickets' day
    stats = subprocess.run(
        [KIOSK, "--config", str(path), "central", "stats", "--branch", "test-branch", "--from",
         day, "--to", day, "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert sum(d["issued"] or 0 for d in json.loads(stats.stdout)["days"]) == 10
