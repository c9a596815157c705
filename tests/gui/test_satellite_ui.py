"""A satellite totem's screen: the host's figures and tickets; the host gone, the screen says
so within 3 s and points to the other totem; the host back, the screen follows by itself."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kiosk import secrets
from kiosk.config import Config, load
from kiosk.server import satellites
from kiosk.server.app import make_app
from kiosk.serving import ThreadedServer
from kiosk.store import Store
from tests.conftest import Clock
from tests.integration.test_satellite import satellite_config

pytestmark = pytest.mark.gui


def test_the_satellite_screen_follows_its_host(
    qtbot, make_ui, config: Config, store: Store, clock: Clock, tmp_path: Path
) -> None:
    key = secrets.ensure(config.ticket_key_file)
    host = ThreadedServer(make_app(config, clock, key=key), graceful_timeout=1).start()
    port = int(host.url.rsplit(":", 1)[1])
    sat = load(satellite_config(tmp_path, host.url, satellites.add(store, "test-totem-2")))
    try:
        ui = make_ui(cfg=sat)
        w = ui.window
        qtbot.mouseClick(w.home.buttons["A"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: ui.screen() is w.ticket, timeout=10_000)
        assert w.ticket.code.text() == "A001"  # numbered by the host...
        assert len(ui.sim.complete_jobs()) == 1  # ...printed here
        assert [r["code"] for r in store.query("SELECT code FROM tickets")] == ["A001"]
        w.go_home()

        host.stop()
        gone = time.monotonic()
        qtbot.waitUntil(lambda: ui.screen() is w.broken_screen, timeout=5000)
        assert time.monotonic() - gone < 3.0
        assert w.broken_screen.message.text() == "Questo totem non raggiunge la coda dell'ufficio"
        assert "altro totem" in w.broken_screen.detail.text()
        w.set_language("en")
        assert w.broken_screen.message.text() == "This totem cannot reach the office's queue"

        host = ThreadedServer(make_app(config, clock, key=key), port=port, graceful_timeout=1)
        host.start()
        qtbot.waitUntil(lambda: ui.screen() is w.home, timeout=5000)  # back by itself
        assert w.home.buttons["A"].detail.text().startswith("1 person")
    finally:
        host.stop()
