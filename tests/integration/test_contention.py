"""Not one writer fails with "database is locked": 160 `kiosk issue` processes from four
shells at once, while a desk calls through the branch server, the sync agent writes its
reports, technicians' commands read and write, and the CPU is busy."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from kiosk.config import load
from kiosk.server import desks as desk_tokens
from kiosk.server.app import make_app
from kiosk.serving import ThreadedServer
from kiosk.store import Store
from sync.agent import SyncAgent
from sync.client import CentralClient

pytestmark = [pytest.mark.integration, pytest.mark.slow]
KIOSK = Path(sys.executable).with_name("kiosk")


def test_160_issues_with_other_writers_and_load_none_fails(write_config) -> None:
    path = write_config(cap_a=999)
    # A short service time and many desks: 160 waiting never push the predicted start past
    # closing time, whatever hour the test runs at (the commands use the real clock).
    path.write_text(path.read_text().replace("minutes = 8\ndesks = 2", "minutes = 0.5\ndesks = 50"))
    assert "desks = 50" in path.read_text()
    config = load(path)
    with Store(config.database) as store:
        token = desk_tokens.add(store, "1")
    stop = threading.Event()
    failures: list[str] = []

    def desk() -> None:  # a desk calling and finishing through the branch server
        server = ThreadedServer(make_app(config), graceful_timeout=1).start()
        auth = {"Authorization": f"Bearer {token}"}
        with requests.Session() as http:
            while not stop.is_set():
                for action in ("next", "done"):
                    r = http.post(f"{server.url}/api/v1/desks/1/{action}", headers=auth, timeout=30)
                    if r.status_code not in (200, 204, 409):
                        failures.append(f"desk {action}: {r.status_code} {r.text}")
        server.stop()

    def agent() -> None:  # the sync agent: no central server, but health and reports
        with Store(config.database) as store:
            client = CentralClient("http://127.0.0.1:9", config.central_token_file)
            SyncAgent(config, store, client).run(stop)

    def technician() -> None:  # commands that read and write beside it all
        while not stop.is_set():
            for args in (
                ["status", "--json"],
                ["desk", "add", "2", "--replace"],
                ["purge", "--dry-run"],
            ):
                done = subprocess.run([str(KIOSK), "--config", str(path), *args],
                                      capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
                if done.returncode != 0:
                    failures.append(f"{args}: exit {done.returncode}: {done.stderr.strip()}")

    def shell(count: int) -> list[str]:
        issued = []
        for _ in range(count):
            done = subprocess.run([str(KIOSK), "--config", str(path), "issue", "A", "--json"],
                                  capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
            if done.returncode != 0:
                failures.append(f"issue: exit {done.returncode}: {done.stderr.strip()}")
            else:
                issued.append(json.loads(done.stdout)["ticket"])
        return issued

    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    helpers = [threading.Thread(target=f) for f in (desk, agent, technician)]
    for t in helpers:
        t.start()
    try:
        with ThreadPoolExecutor(4) as pool:
            issued = [t for batch in pool.map(shell, [40] * 4) for t in batch]
    finally:
        stop.set()
        for t in helpers:
            t.join(timeout=60)
        for b in burners:
            b.kill()
            b.wait()
    assert failures == []
    assert sorted(issued) == [f"A{n:03d}" for n in range(1, 161)]  # all of them, gapless
