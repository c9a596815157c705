"""A full disk is named as a full disk, by the commands and by the doctor, on a real small file
system filled up (a tmpfs: CI runs as root)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
KIOSK = Path(sys.executable).with_name("kiosk")


@pytest.fixture
def small_disk(tmp_path: Path):
    assert os.geteuid() == 0, "mounting a small file system needs root (as make test runs)"
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_is_called_full(write_config, small_disk: Path) -> None:
    text = write_config().read_text().replace('data_dir = "data"', f'data_dir = "{small_disk}"')
    path = small_disk.parent / "full.toml"
    path.write_text(text)

    def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(KIOSK), "--config", str(path), *args],
                              capture_output=True, text=True, timeout=60, check=False)  # fmt: skip

    assert kiosk("issue", "A").returncode == 0
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    (small_disk / "filler").write_bytes(b"\0" * (free - 2048))
    issued = kiosk("issue", "A")
    assert issued.returncode == 1
    assert issued.stderr.strip() == f"database: the disk is full; free space in {small_disk}"
    done = kiosk("doctor", "--json")
    report = json.loads(done.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert (
        "disk is full" in checks["database"]["detail"] and "free space" in checks["database"]["fix"]
    )
    assert checks["disk"]["status"] == "failed" and "MiB free" in checks["disk"]["detail"]
    (small_disk / "filler").unlink()  # room again: the day goes on where it was
    again = json.loads(kiosk("issue", "A", "--json").stdout)
    assert again["ticket"] == "A002"


def test_the_sync_agent_rides_out_a_full_disk_and_loses_nothing(
    write_config, small_disk: Path, central, clock, caplog: pytest.LogCaptureFixture
) -> None:
    """The agent seals the queue every minute (a write): on a full disk it says so once, keeps
    running (no restart loop), and delivers every ticket once there is room again."""
    import threading
    from dataclasses import replace
    from datetime import timedelta

    from kiosk.config import load
    from kiosk.store import Store
    from kiosk.totem import Totem
    from sync.agent import SyncAgent
    from sync.client import CentralClient

    text = write_config().read_text().replace('data_dir = "data"', f'data_dir = "{small_disk}"')
    path = small_disk.parent / "full.toml"
    path.write_text(text)
    config = replace(load(path), central_url=central.url)
    store = Store(config.database)
    totem = Totem(config, store, b"k" * 32, clock=clock)
    client = CentralClient(config.central_url, config.central_token_file, timeouts=(2.0, 5.0))
    agents: list[SyncAgent] = []
    stop = threading.Event()

    def serve() -> None:  # the agent's own connection, in its own thread, as in its process
        agent_store = Store(config.database)
        agents.append(SyncAgent(config, agent_store, client, clock=clock, key=b"k" * 32))
        agents[0].storage_wait = 0.1
        try:
            agents[0].run(stop)
        finally:
            agent_store.close()

    codes = [totem.issue_walkin("A").ticket.code for _ in range(3)]
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    (small_disk / "filler").write_bytes(b"\0" * free)  # not a byte left
    clock.now += timedelta(minutes=1)  # the tick: the agent must seal, which writes
    runner = threading.Thread(target=serve, daemon=True)
    try:
        with caplog.at_level("WARNING", logger="sync.agent"):
            runner.start()
            while not agents:
                time.sleep(0.01)
            agent = agents[0]
            deadline = time.monotonic() + 30
            while agent.storage_trouble is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert agent.storage_trouble is not None and "disk is full" in agent.storage_trouble
            time.sleep(1.0)  # many turns on the full disk
            assert runner.is_alive()
            said = [r.getMessage() for r in caplog.records if "disk is full" in r.getMessage()]
            assert len(said) == 1 and "nothing is lost" in said[0]
            (small_disk / "filler").unlink()  # room again
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and central_tickets(central) != codes:
                time.sleep(0.1)
        assert central_tickets(central) == codes
        assert agent.storage_trouble is None
        assert any("can be written again" in r.getMessage() for r in caplog.records)
    finally:
        stop.set()
        runner.join(10)
        store.close()
    assert not runner.is_alive()


def central_tickets(central) -> list[str]:
    return [e["ticket"] for e in central.events() if e["type"] == "ticket.issued"]
