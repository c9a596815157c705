"""Child processes for the UI benchmark.

``bare``: a bare PySide6 window, full screen; it says READY=1 on ``$NOTIFY_SOCKET`` once drawn,
as ``kiosk ui`` does once its home screen is drawn with its services.
``touch CONFIG N [speech]``: the totem's UI in this process (with speech mode on); prints the touch-to-ticket-screen times in
ms, one per line, then ``rss`` and its peak resident set in KiB.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pump(app: object) -> None:
    app.processEvents()  # type: ignore[attr-defined]


def bare() -> None:
    import socket

    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication([])
    window = QLabel("Totem")
    window.showFullScreen()
    pump(app)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
    app.exec()  # until the benchmark stops it


def morning_clock(zone: object) -> object:
    """The wall clock moved to ten in the morning of the totem's day, still running.

    Otherwise a hundred tickets asked for in the evening would be refused: their wait
    would run past the service's closing time.
    """
    from datetime import UTC, datetime

    start = datetime.now(UTC)
    local = start.astimezone(zone)  # type: ignore[arg-type]
    shift = local.replace(hour=10, minute=0, second=0, microsecond=0) - local
    return lambda: datetime.now(UTC) + shift


def touch(config_path: str, touches: int, speech: bool = False) -> None:
    from pathlib import Path

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from drivers.printer.device import Printer
    from drivers.printer.ticket import use_profile_cache
    from drivers.printer.transport.sim import SimTransport
    from drivers.sim.printer import SimPrinter
    from kiosk.config import load
    from kiosk.ui.app import TotemApp
    from kiosk.ui.worker import make_totem_factory

    app = QApplication([])
    config = load(Path(config_path))
    use_profile_cache(config.data_dir / "cache")  # as `kiosk ui` does through open_printer
    printer = Printer(SimTransport(SimPrinter()), "sim://")
    clock = morning_clock(config.timezone)
    totem_app = TotemApp(
        config,
        make_totem_factory(config, b"k" * 32, printer, clock=clock),
        clock,
        printer=printer,
        lockdown=False,
    )
    totem_app.window.resize(1080, 1920)
    totem_app.window.show()
    totem_app.start()
    while not totem_app.window.states:
        pump(app)
        time.sleep(0.001)
    window = totem_app.window
    if speech:  # speech mode, speaking for real (espeak-ng; no speaker: the sound is dropped)
        window.assist.on = True
        while not window.assist.watching:
            pump(app)
            time.sleep(0.001)
    for _ in range(touches):
        button = window.home.buttons[config.services[0].code]
        if speech:  # the first touch reads the button aloud; the second, timed, acts
            QTest.mouseClick(button, Qt.MouseButton.LeftButton)
            pump(app)
        start = time.perf_counter()
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        while window.stack.currentWidget() is not window.ticket:
            pump(app)
            if time.perf_counter() - start > 10:
                sys.exit(f"no ticket screen 10 s after a touch: {window.stack.currentWidget()}")
        print(f"{(time.perf_counter() - start) * 1000:.3f}", flush=True)
        window.go_home()
        window.busy = False
    for line in open("/proc/self/status").read().splitlines():  # noqa: SIM115
        if line.startswith("VmHWM:"):
            print("rss", line.split()[1], flush=True)
    window.setProperty("allowClose", True)
    totem_app.stop()
    # PySide6 6.12 can crash while Python finalises its objects after a QApplication; the
    # figures are out, so leave without finalising.
    os._exit(0)


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        bare()
    else:
        touch(sys.argv[2], int(sys.argv[3]), speech=sys.argv[4:] == ["speech"])
