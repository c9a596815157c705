"""The UI's start: the home screen comes from the configuration at once, its figures from the
worker a moment later; ready (systemd's READY=1) only once both are drawn; the scanner's driver
after that."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from drivers.scanner.connect import RECONNECT_EVERY
from drivers.scanner.evdev_scanner import EvdevScanner
from drivers.sim.scanner import KeyboardScannerSim
from kiosk.store import Store
from kiosk.ui.app import TotemApp
from kiosk.ui.worker import make_totem_factory

pytestmark = pytest.mark.gui


@pytest.fixture
def unstarted(qtbot, config, clock):
    """A built app whose worker has not started yet, with a simulated evdev scanner."""
    sim = KeyboardScannerSim("it")
    opened: list[int] = []

    def opener():
        opened.append(1)
        return sim.opener()

    app = TotemApp(
        config,
        make_totem_factory(config, b"k" * 32, None, clock),
        clock,
        scanner=EvdevScanner(opener, "it"),
        lockdown=False,
    )
    qtbot.addWidget(app.window)
    app.window.resize(1080, 1920)
    yield app, opened
    app.window.setProperty("allowClose", True)
    app.stop()


def test_home_is_drawn_from_the_configuration_then_the_figures_fill_in(qtbot, unstarted) -> None:
    app, opened = unstarted
    w = app.window
    app.window.show()
    # The event loop runs, longer than the scanner's retry period: the worker has not started
    # (no figures yet) and nothing has tried the scanner (its retries start with the first try,
    # once home is drawn; under load a retry once opened it before).
    qtbot.wait(int(RECONNECT_EVERY * 1000) + 300)
    assert [b.name.text() for b in w.home.buttons.values()] == ["Anagrafe", "Carta d'identità"]
    assert all(b.detail.text() == "" for b in w.home.buttons.values())
    assert all(b.isEnabled() for b in w.home.buttons.values())  # a touch now waits in the queue
    assert not w.shown_once and opened == []  # not ready, and no scanner driver loaded
    with qtbot.waitSignal(w.shown, timeout=10_000):
        app.start()
    assert w.home.buttons["A"].detail.text() == "Nessuna attesa"
    assert w.home.buttons["B"].detail.text() == "Nessuna attesa"
    qtbot.waitUntil(lambda: app.scanner.notifier is not None, timeout=5000)
    assert opened == [1]


def test_only_home_is_made_before_ready_the_other_screens_once_it_is_drawn(
    qtbot, unstarted
) -> None:
    """The start styles and lays out home alone; the ticket's, a scan's, the privacy notice's
    and the out-of-order screens are made once home is drawn, before any touch, in the words
    of the moment."""
    app, _ = unstarted
    w = app.window
    at_ready: list[list[str]] = []
    w.shown.connect(lambda: at_ready.append([type(s).__name__ for s in w.made_screens()]))
    w.show()
    with qtbot.waitSignal(w.shown, timeout=10_000):
        app.start()
    assert at_ready == [["HomeScreen"]]
    qtbot.waitUntil(lambda: len(w.made_screens()) == 5, timeout=5000)
    assert w.showing() == "home"
    assert w.privacy.title.text() == "Informativa sul trattamento dei dati" and w.ticket.back.text()
    assert w.broken_screen.message.text() and not w.broken_screen.back.isVisibleTo(w)


def test_a_screen_made_after_a_change_of_language_speaks_it(qtbot, unstarted) -> None:
    app, _ = unstarted
    w = app.window
    w.show()
    w.set_language("en")  # before the privacy notice exists
    assert len(w.made_screens()) == 1
    w.show_privacy()
    assert w.showing() == "privacy" and w.privacy.title.text() == "How we process data"
    assert w.privacy.back.text() == "Back"


def test_ready_is_said_once(qtbot, unstarted) -> None:
    app, _ = unstarted
    seen: list[int] = []
    app.window.shown.connect(lambda: seen.append(1))
    app.window.show()
    app.start()
    qtbot.waitUntil(lambda: seen == [1], timeout=10_000)
    app.window.request_refresh.emit()  # more figures: no second READY
    qtbot.wait(200)
    assert seen == [1]


def test_a_broken_database_is_ready_too_showing_out_of_order(qtbot, config, clock) -> None:
    """systemd must not restart a totem forever because its disk is full: out of order is a
    state it is ready in, and says so."""
    config.database.parent.mkdir(parents=True, exist_ok=True)
    config.database.write_bytes(b"this is not a database" * 100)
    app = TotemApp(config, make_totem_factory(config, b"k" * 32, None, clock), clock,
                   lockdown=False)  # fmt: skip
    qtbot.addWidget(app.window)
    try:
        app.window.show()
        with qtbot.waitSignal(app.window.shown, timeout=10_000):
            app.start()
        assert app.window.stack.currentWidget() is app.window.broken_screen
    finally:
        app.window.setProperty("allowClose", True)
        app.stop()


def test_turning_the_screen_moves_the_buttons_without_rebuilding_them(qtbot, make_ui) -> None:
    ui = make_ui()
    w = ui.window
    before = dict(w.home.buttons)
    position = lambda b: w.home.grid.getItemPosition(w.home.grid.indexOf(b))[:2]  # noqa: E731
    assert [position(b) for b in before.values()] == [(0, 0), (1, 0)]
    w.resize(1920, 1080)
    qtbot.waitUntil(lambda: w.home.columns == 2, timeout=5000)
    assert w.home.buttons == before  # the same widgets, side by side
    assert [position(b) for b in before.values()] == [(0, 0), (0, 1)]
    assert w.home.buttons["A"].detail.text() == "Nessuna attesa"
    w.resize(1080, 1920)
    qtbot.waitUntil(lambda: w.home.columns == 1, timeout=5000)
    assert [position(b) for b in before.values()] == [(0, 0), (1, 0)]


def test_touching_before_the_figures_still_issues_one_ticket(qtbot, unstarted, config) -> None:
    app, _ = unstarted
    w = app.window
    w.show()
    qtbot.mouseClick(w.home.buttons["A"], Qt.MouseButton.LeftButton)
    app.start()
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.ticket, timeout=10_000)
    assert w.ticket.code.text() == "A001"
    with Store(config.database) as store:
        assert store.scalar("SELECT count(*) FROM tickets") == 1


def run_until_shown(config, clock, lockdown: bool, on_shown) -> int:
    """``kiosk ui``'s run() in this process, calling ``on_shown(app)`` once home is drawn;
    the signal handlers run() installs are put back afterwards."""
    import signal

    from kiosk.ui.app import run

    def build() -> TotemApp:
        app = TotemApp(config, make_totem_factory(config, b"k" * 32, None, clock), clock,
                       lockdown=lockdown)  # fmt: skip
        app.window.shown.connect(lambda: on_shown(app))
        return app

    handlers = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        return run(build)
    finally:
        signal.signal(signal.SIGTERM, handlers[0])
        signal.signal(signal.SIGINT, handlers[1])


def test_windowed_is_a_portrait_window_that_closes_like_any_other(qtbot, config, clock) -> None:
    """``kiosk ui --windowed`` (the demo, a desktop): not full screen, and closing it ends the
    UI with exit code 0 instead of being refused as on a totem."""
    seen: dict[str, object] = {}

    def shown(app: TotemApp) -> None:
        seen["full screen"] = app.window.isFullScreen()
        seen["size"] = app.window.size().toTuple()
        app.window.close()

    assert run_until_shown(config, clock, False, shown) == 0
    width, height = seen["size"]
    assert seen["full screen"] is False
    assert height > width  # portrait, like the totem


def test_on_a_totem_it_is_full_screen_and_refuses_to_close(qtbot, config, clock) -> None:
    from PySide6.QtWidgets import QApplication

    seen: dict[str, object] = {}

    def shown(app: TotemApp) -> None:
        seen["full screen"] = app.window.isFullScreen()
        app.window.close()  # refused
        seen["visible after close"] = app.window.isVisible()
        QApplication.exit(0)  # what SIGTERM does

    assert run_until_shown(config, clock, True, shown) == 0
    assert seen == {"full screen": True, "visible after close": True}


def test_the_printer_library_loads_on_the_worker_once_home_is_drawn(
    qtbot, unstarted, monkeypatch
) -> None:
    """python-escpos takes a quarter of a second to load: not before home is drawn, not on
    the UI thread, and not at the first citizen's touch."""
    from PySide6.QtCore import QThread

    import drivers.printer.ticket as ticket

    app, _ = unstarted
    loaded: list[object] = []
    monkeypatch.setattr(ticket, "Dummy", lambda: loaded.append(QThread.currentThread()))
    app.window.show()
    qtbot.wait(50)
    assert loaded == []
    with qtbot.waitSignal(app.window.shown, timeout=10_000):
        app.start()
    qtbot.waitUntil(lambda: bool(loaded), timeout=5000)
    assert loaded == [app.thread]
