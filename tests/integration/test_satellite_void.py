"""The host commits a satellite's ticket and its answer never arrives (the host is cut off
before answering): nothing is printed, and once the host is back the satellite has that ticket
taken out of the queue, so no desk calls a number nobody holds. Half-issued: never."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from drivers.printer.device import Printer
from drivers.printer.transport.sim import SimTransport
from drivers.sim.printer import SimPrinter
from kiosk import secrets
from kiosk.config import Config, load
from kiosk.satellite import HostAway, SatelliteTotem
from kiosk.server import satellites
from kiosk.server.app import make_app
from kiosk.serving import ThreadedServer
from kiosk.store import Store
from kiosk.store import tickets as store_tickets
from tests.conftest import Clock
from tests.integration.test_satellite import satellite_config

pytestmark = pytest.mark.integration


class Cutter:
    """A TCP relay to the host that, while ``cut`` is set, passes each request on and then
    hangs up instead of passing the answer back: the host commits, the satellite never hears."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.cut = target, False
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        host = socket.create_connection(self.target)

        def up() -> None:  # the satellite's requests always reach the host
            try:
                while data := client.recv(65536):
                    host.sendall(data)
            except OSError:
                pass

        threading.Thread(target=up, daemon=True).start()
        try:
            while data := host.recv(65536):
                if self.cut:
                    break  # the host did its work; its answer is lost
                client.sendall(data)
        except OSError:
            pass
        finally:
            client.close()
            host.close()

    def close(self) -> None:
        self.listener.close()


def test_an_unanswered_touch_leaves_no_ticket_in_the_queue(
    config: Config, store: Store, clock: Clock, tmp_path: Path
) -> None:
    key = secrets.ensure(config.ticket_key_file)
    host = ThreadedServer(make_app(config, clock, key=key), graceful_timeout=1).start()
    address = host.url.removeprefix("http://").split(":")
    cutter = Cutter((address[0], int(address[1])))
    sat = satellite_config(tmp_path, cutter.url, satellites.add(store, "test-totem-2"))
    paper = SimPrinter()
    satellite = SatelliteTotem(load(sat), printer=Printer(SimTransport(paper), "sim://"))
    try:
        assert satellite.issue_walkin("A").ticket.code == "A001"
        cutter.cut = True
        with pytest.raises(HostAway):
            satellite.issue_walkin("A")
        assert len(paper.jobs) == 1  # only A001: nothing was printed for the lost answer
        day = clock.now.astimezone(config.timezone).date().isoformat()
        # The host did issue A002, once, however often the touch was retried.
        assert [r["code"] for r in store.query("SELECT code FROM tickets ORDER BY id")] == [
            "A001",
            "A002",
        ]
        assert store_tickets.call_queue(store, day, "A", clock.now) == ["A001", "A002"]
        cutter.cut = False
        satellite.states()  # the screen's next refresh, with the host back
        assert satellite.unanswered == []
        assert store_tickets.call_queue(store, day, "A", clock.now) == ["A001"]
        ghost = store_tickets.find(store, day, "A002")
        assert ghost is not None
        assert ghost.status.value == "no_show" and ghost.no_show_at is None  # counted nowhere
        assert satellite.issue_walkin("A").ticket.code == "A003"  # numbers go on, no gap reused
    finally:
        satellite.close()
        cutter.close()
        host.stop()
