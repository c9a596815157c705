"""The host killed with SIGKILL in the middle of a satellite's touch: one ticket or none, never
two. Back within the satellite's patience, the touch gets its ticket (the same request, asked
again); gone for good, the satellite prints nothing and says so."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from drivers.printer.device import Printer
from drivers.printer.transport.sim import SimTransport
from drivers.sim.printer import SimPrinter
from kiosk.config import Config, load
from kiosk.satellite import HostAway, SatelliteTotem
from kiosk.server import satellites
from kiosk.store import Store
from tests.conftest import ALL_WEEK, CONFIG_TEMPLATE, quick_waits
from tests.helpers import free_port
from tests.integration.test_satellite import satellite_config

pytestmark = [pytest.mark.integration, pytest.mark.slow]
KIOSK = Path(sys.executable).with_name("kiosk")


class Host:
    """`kiosk serve` as its own process, on a fixed port, killed and started at will."""

    def __init__(self, path: Path, port: int) -> None:
        self.path, self.port, self.proc = path, port, None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [str(KIOSK), "--config", str(self.path), "serve"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(200):
            try:
                requests.get(f"{self.url}/api/v1/info", timeout=0.5)
                return
            except requests.ConnectionError:
                time.sleep(0.02)
        raise AssertionError("the host did not start")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)


@pytest.fixture
def branch(tmp_path: Path):
    port = free_port()
    path = tmp_path / "host.toml"
    text = quick_waits(CONFIG_TEMPLATE.format(hours_a=ALL_WEEK, cap_a=999))  # the wall clock
    path.write_text(text + f'\n[server]\nlisten = "127.0.0.1:{port}"\n')
    config = load(path)
    with Store(config.database) as store:
        token = satellites.add(store, "test-totem-2")
    host = Host(path, port)
    host.start()
    sat = load(satellite_config(tmp_path, host.url, token))
    yield host, config, sat
    if host.proc and host.proc.poll() is None:
        host.kill()


def satellite(sat: Config) -> tuple[SatelliteTotem, SimPrinter]:
    sim = SimPrinter()
    return SatelliteTotem(sat, printer=Printer(SimTransport(sim), "sim://")), sim


def tickets(config: Config) -> list[str]:
    with Store(config.database) as store:
        return [r["code"] for r in store.query("SELECT code FROM tickets ORDER BY number")]


def test_killed_and_back_within_the_patience_one_ticket_per_touch(branch) -> None:
    host, config, sat = branch
    totem, sim = satellite(sat)
    rng = random.Random(7)
    got: list[str] = []
    for _ in range(6):
        result: list[object] = []
        touch = threading.Thread(target=lambda: result.append(totem.issue_walkin("A")))
        touch.start()
        time.sleep(rng.uniform(0.0, 0.03))  # somewhere in the touch
        host.kill()
        host.start()  # back within the satellite's 3 s
        touch.join(10)
        assert len(result) == 1, "the touch got its ticket"
        got.append(result[0].ticket.code)  # type: ignore[attr-defined]
    assert got == tickets(config)  # each touch one ticket, printed; none issued twice
    assert got == [f"A{n:03d}" for n in range(1, 7)]
    assert len(sim.complete_jobs()) == 6


def test_killed_for_good_nothing_is_printed_and_the_touch_fails(branch) -> None:
    host, config, sat = branch
    totem, sim = satellite(sat)
    failures: list[BaseException] = []

    def touch() -> None:
        try:
            totem.issue_walkin("A")
        except HostAway as exc:
            failures.append(exc)

    thread = threading.Thread(target=touch)
    thread.start()
    time.sleep(0.01)
    host.kill()
    started = time.monotonic()
    thread.join(10)
    assert time.monotonic() - started < 5
    assert len(tickets(config)) <= 1  # committed before the kill, or not at all: never two
    if failures:
        assert sim.complete_jobs() == []  # nothing printed for a touch that failed
    else:
        assert len(sim.complete_jobs()) == 1 and len(tickets(config)) == 1
