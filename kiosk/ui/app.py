"""``kiosk ui``: wire the window to the worker thread, the printer monitor and the scanner."""

from __future__ import annotations

import functools
import logging
import signal
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QMetaObject,
    QObject,
    QSocketNotifier,
    Qt,
    QThread,
    QTimer,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication

from drivers.printer.device import Printer
from drivers.printer.monitor import PrinterMonitor
from drivers.scanner.connect import RECONNECT_EVERY, Scanner
from kiosk.config import Config
from kiosk.core.speech import phrases
from kiosk.notify import Notifier
from kiosk.ui.assist import KeypadWatch
from kiosk.ui.window import KioskWindow
from kiosk.ui.worker import TotemWorker

log = logging.getLogger(__name__)


class PrinterBridge(QObject):
    """Carries printer state changes from the monitor's thread to the Qt threads."""

    changed = Signal(str)


class ScannerWatch(QObject):
    """Watches the scanner's file descriptor from the event loop; reconnects when unplugged.

    The first attempt is :meth:`connect_device` (the app calls it once home is on screen, so
    the driver's import does not delay the first picture); then every few seconds until it is
    there, and again after an unplug.
    """

    scanned = Signal(str)

    def __init__(self, scanner: Scanner) -> None:
        super().__init__()
        self.scanner = scanner
        self.notifier: QSocketNotifier | None = None
        self.retry = QTimer(self, interval=int(RECONNECT_EVERY * 1000))
        self.retry.timeout.connect(self.connect_device)  # started by the first attempt

    def connect_device(self) -> None:
        if not self.retry.isActive():  # not before the first attempt, once home is drawn
            self.retry.start()
        if self.notifier is not None or not self.scanner.connect():
            return
        fd = self.scanner.fileno()
        assert fd is not None
        self.notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read, self)
        self.notifier.activated.connect(self.readable)

    def close(self) -> None:
        """Stop watching, then close the device (never the other way round: the event loop
        would poll a closed descriptor)."""
        self.retry.stop()
        self._unwatch()
        self.scanner.close()

    def _unwatch(self) -> None:
        if self.notifier is not None:
            self.notifier.setEnabled(False)
            self.notifier.deleteLater()
            self.notifier = None

    def readable(self) -> None:
        for result in self.scanner.on_readable():
            if result.text is not None:
                self.scanned.emit(result.text)
            else:
                log.info("scan refused: %s", result.refused)
        if self.scanner.fileno() is None:
            self._unwatch()


class TotemApp:
    """Everything the UI process runs. ``start()`` and the Qt event loop do the rest."""

    def __init__(
        self,
        config: Config,
        make_totem: Callable[[], Any],
        clock: Callable[[], datetime],
        printer: Printer | None = None,
        scanner: Scanner | None = None,
        lockdown: bool = True,
        keypad: Any = None,
    ) -> None:
        self.config = config
        self.window = KioskWindow(config, clock, lockdown=lockdown)
        self.voice = Speech(config)
        self.window.assist.say = self.voice.say
        self.window.assist.volume_changed.connect(self.voice.set_volume)
        self.keypad = KeypadWatch(keypad) if keypad else None
        if self.keypad:
            self.keypad.pressed.connect(self.window.assist.key)
        self.worker = TotemWorker(config, make_totem)
        self.thread = QThread()
        self.thread.setObjectName("totem-worker")
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.start)
        w, k = self.window, self.worker
        w.request_issue.connect(k.issue)
        w.request_scan.connect(k.scan)
        w.request_refresh.connect(k.refresh)
        k.states.connect(w.update_states)
        k.issued.connect(w.show_ticket)
        k.refused.connect(w.refused)
        k.scanned.connect(w.show_scan)
        k.failed.connect(w.fail)
        k.away.connect(w.host_away)
        k.back.connect(w.host_back)
        self.bridge = PrinterBridge()
        self.bridge.changed.connect(w.set_printer)
        self.bridge.changed.connect(k.record_printer)
        self.monitor = (
            PrinterMonitor(printer, lambda _old, new: self.bridge.changed.emit(new.value))
            if printer
            else None
        )
        self.scanner = ScannerWatch(scanner) if scanner else None
        if self.scanner:
            self.scanner.scanned.connect(lambda raw: w.request_scan.emit(raw, w.lang))
        # Once home is drawn, and after systemd has heard READY (a zero timer runs once every
        # slot of `shown` has): the slower loads, the scanner's driver (evdev brings asyncio),
        # the printer's command library and the screens besides home.
        w.shown.connect(lambda: QTimer.singleShot(0, self.after_shown))
        w.request_refresh.emit()  # states sent before the window was connected are not lost

    def after_shown(self) -> None:
        if self.scanner:
            self.scanner.connect_device()
        if self.keypad:
            self.keypad.connect_device()
        QMetaObject.invokeMethod(self.worker, "warm_up", Qt.ConnectionType.QueuedConnection)
        self.window.make_screens()  # the ticket's, a scan's, the notice's: before any touch

    def start(self) -> None:
        # The worker loads the store and the totem's rules on its own thread while this one
        # draws the window: Qt paints without holding Python's lock, so the two overlap.
        self.thread.start()
        if self.monitor:
            self.monitor.start()

    def stop(self) -> None:
        if self.monitor:
            self.monitor.stop()
        if self.thread.isRunning():
            QMetaObject.invokeMethod(
                self.worker, "shutdown", Qt.ConnectionType.BlockingQueuedConnection
            )
        self.thread.quit()
        self.thread.wait(5000)
        if self.scanner:
            self.scanner.close()
        if self.keypad:
            self.keypad.close()
        self.voice.close()


class Speech:
    """The configured voice and player, made on the first utterance (a totem whose citizens
    never ask for speech never loads them)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.player: Any = None
        self.voice: Any = None
        self.volume = config.access.volume

    def say(self, words: str, lang: str) -> None:
        if self.player is None:
            from kiosk.devices import configured_player, configured_voice

            self.voice, self.player = configured_voice(self.config), configured_player(self.config)
            self.player.volume = self.volume
        if not words:
            self.player.hush()
            return
        voice = self.voice
        self.player.say(*(functools.partial(voice.wav, part, lang) for part in phrases(words)))

    def set_volume(self, percent: int) -> None:
        self.volume = percent
        if self.player is not None:
            self.player.volume = percent

    def close(self) -> None:
        if self.player is not None:
            self.player.close()


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
# Harmless notes of the offscreen and nested platforms: kept out of the journal's warnings.
_QT_NOISE = ("This plugin does not support",)


def _qt_message(kind: QtMsgType, _context: object, message: str) -> None:
    """Qt's own messages as log lines (one line each, with a level) instead of raw stderr."""
    level = _QT_LEVELS.get(kind, logging.WARNING)
    if message.startswith(_QT_NOISE):
        level = logging.DEBUG
    logging.getLogger("qt").log(level, "%s", message)


def install_qt_logging() -> None:
    """Qt's messages go through logging (one line, a level) instead of raw to stderr."""
    qInstallMessageHandler(_qt_message)


def run(app_builder: Callable[[], TotemApp]) -> int:
    """Run the UI until SIGTERM (systemd) or SIGINT."""
    install_qt_logging()
    qt = QApplication.instance() or QApplication([])
    totem = app_builder()
    window = totem.window
    if window.lockdown:
        window.showFullScreen()
    else:  # --windowed, on a desktop: a portrait window that fits, and closes like any other
        screen = QApplication.primaryScreen()
        height = round((screen.availableGeometry().height() if screen else 1000) * 0.9)
        window.resize(height * 9 // 16, height)
        window.setProperty("allowClose", True)
        window.show()
    totem.start()
    # exit(), not quit(): quit() asks the windows first, and the totem's window refuses to close.
    signal.signal(signal.SIGTERM, lambda *_: qt.exit(0))
    signal.signal(signal.SIGINT, lambda *_: qt.exit(0))
    # Python handles signals only between bytecodes; wake it regularly. The same timer feeds
    # systemd's watchdog from the event loop: a frozen UI stops pinging and is restarted.
    notifier = Notifier()
    keepalive = QTimer(interval=250)
    keepalive.timeout.connect(notifier.ping)
    keepalive.start()
    # Ready once the home screen is on the display with its services (or out of order).
    window.shown.connect(lambda: notifier.ready("home screen shown"))
    log.info("touch UI started")
    code = qt.exec()
    notifier.stopping()
    log.info("touch UI stopped")
    window.setProperty("allowClose", True)
    totem.stop()
    return int(code)
