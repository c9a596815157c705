"""The real UI process pieces (window, worker thread, printer simulator) on Qt offscreen."""

from __future__ import annotations

import dataclasses

import pytest

from drivers.printer.device import Printer
from drivers.printer.transport.sim import SimTransport
from drivers.sim.printer import SimPrinter
from kiosk.config import Config
from kiosk.ui.app import TotemApp
from kiosk.ui.worker import make_totem_factory
from tests.conftest import Clock


class Running:
    def __init__(self, app: TotemApp, sim: SimPrinter, config: Config) -> None:
        self.app, self.sim, self.config = app, sim, config
        self.window = app.window

    def screen(self):
        return self.window.stack.currentWidget()

    def tickets(self) -> list[str]:
        from kiosk.store import Store

        with Store(self.config.database) as store:
            return [r["code"] for r in store.query("SELECT code FROM tickets ORDER BY id")]


@pytest.fixture
def make_ui(qtbot, config: Config, clock: Clock):
    started: list[TotemApp] = []

    def make(on_fault: str = "screen", mode: str = "ok", cfg: Config | None = None) -> Running:
        cfg = dataclasses.replace(cfg or config, on_fault=on_fault)
        sim = SimPrinter()
        sim.set_mode(mode)
        printer = Printer(SimTransport(sim), "sim://", status_timeout=0.05)
        app = TotemApp(
            cfg,
            make_totem_factory(cfg, b"k" * 32, printer, clock),
            clock,
            printer=printer,
            lockdown=False,
        )
        qtbot.addWidget(app.window)
        app.window.resize(1080, 1920)
        app.window.show()
        app.start()
        started.append(app)
        # The worker opens the store on its own thread; on a loaded two-core machine, late in a
        # long run, that has taken more than ten seconds. Wait for figures or a fault, then say
        # which, so a failure here names its cause.
        w = app.window
        qtbot.waitUntil(lambda: bool(w.states or w.broken), timeout=30_000)
        assert w.states and not w.broken, f"the totem did not start: {w.broken!r}"
        return Running(app, sim, cfg)

    yield make
    for app in started:
        app.window.setProperty("allowClose", True)
        app.stop()


# The three screen shapes a totem ships with: portrait 1080x1920 and 800x1280, landscape.
SCREEN_SIZES = [(1080, 1920), (800, 1280), (1920, 1080)]


def laid_out(qtbot, window) -> None:
    """Wait until the window's widgets stop moving: a change of language (of direction, for
    Arabic) or of text size is laid out over several turns of the event loop, and a loaded
    machine takes longer than a fixed wait (50 ms once left a tile half-placed)."""
    from PySide6.QtWidgets import QWidget

    def places() -> list[object]:
        return [w.geometry() for w in window.findChildren(QWidget) if w.isVisible()]

    before = places()
    for _ in range(100):
        qtbot.wait(25)
        now = places()
        if now == before:
            return
        before = now
    raise AssertionError("the window's layout never settled")


def window_in_every_language(qtbot, config: Config, size: tuple[int, int]):
    """A bare window (no worker) offering all six languages, shown at ``size``."""
    from kiosk.i18n import LANGUAGES
    from kiosk.ui.window import KioskWindow, now_utc

    window = KioskWindow(dataclasses.replace(config, languages=LANGUAGES), now_utc, lockdown=False)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    return window
