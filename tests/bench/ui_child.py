"""Child process for the UI benchmark: ``python -m tests.bench.ui_child bare|totem|touch CONFIG``.

Prints ``ready <max RSS KiB>`` once the window is drawn (the home screen with its services for
``totem``); ``touch`` prints the touch-to-ticket-screen times in ms, one per line.
"""

from __future__ import annotations

import os
import resource
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def rss() -> int:
    """Peak RSS of this process in KiB. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    from the parent across fork and exec, so a big benchmark runner would inflate it."""
    for line in open("/proc/self/status").read().splitlines():  # noqa: SIM115
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def bare() -> None:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication([])
    window = QLabel("Totem")
    window.resize(1080, 1920)
    window.show()
    app.processEvents()
    print("ready", rss(), flush=True)


def totem(config_path: str, touches: int = 0) -> None:
    from pathlib import Path

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    import kiosk.cli  # everything `kiosk ui` imports before it builds the window
    import kiosk.cli.ui_cmds  # noqa: F401
    from drivers.printer.device import Printer
    from drivers.printer.transport.sim import SimTransport
    from drivers.sim.printer import SimPrinter
    from kiosk.config import load
    from kiosk.ui.app import TotemApp
    from kiosk.ui.window import now_utc
    from kiosk.ui.worker import make_totem_factory

    app = QApplication([])
    config = load(Path(config_path))
    printer = Printer(SimTransport(SimPrinter()), "sim://")
    totem_app = TotemApp(
        config,
        make_totem_factory(config, b"k" * 32, printer),
        now_utc,
        printer=printer,
        lockdown=False,
    )
    totem_app.window.resize(1080, 1920)
    totem_app.window.show()
    totem_app.start()
    while not totem_app.window.home.buttons:
        app.processEvents()
    print("ready", rss(), flush=True)
    window = totem_app.window
    if touches:
        from PySide6.QtTest import QTest  # the touch benchmark's, not the start's
    for _ in range(touches):
        button = window.home.buttons[config.services[0].code]
        start = time.perf_counter()
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        while window.stack.currentWidget() is not window.ticket:
            app.processEvents()
        print(f"{(time.perf_counter() - start) * 1000:.3f}", flush=True)
        window.go_home()
        window.busy = False
    window.setProperty("allowClose", True)
    totem_app.stop()


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "bare":
        bare()
    else:
        totem(sys.argv[2], touches=int(sys.argv[3]) if mode == "touch" else 0)
