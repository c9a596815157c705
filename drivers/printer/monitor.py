"""Polls the printer while idle and reports each change of state.

The totem UI runs one; every change is handed to the listeners (the screen, and the store,
from which the sync agent makes ``kiosk.health`` events). It runs in its own thread so the UI
never waits on a slow or silent printer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from drivers.printer.device import Printer
from drivers.printer.status import PrinterState

log = logging.getLogger(__name__)
POLL_EVERY = 3.0  # seconds: paper-out is known well within 5 s


class PrinterMonitor:
    """Asks the printer for its state every ``interval`` seconds and on :meth:`poke`.

    Args:
        printer: the printer to watch.
        on_change: called with (old, new) from the monitor thread whenever the state changes.
        interval: seconds between polls while idle.
    """

    def __init__(
        self,
        printer: Printer,
        on_change: Callable[[PrinterState, PrinterState], None],
        interval: float = POLL_EVERY,
    ) -> None:
        self.printer = printer
        self.on_change = on_change
        self.interval = interval
        self.state = PrinterState.UNKNOWN
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="printer-monitor", daemon=True)

    def start(self) -> PrinterMonitor:
        self._thread.start()
        return self

    def poke(self) -> None:
        """Poll now (after a job, or when a technician asks)."""
        self._wake.set()

    def poll_once(self) -> PrinterState:
        new = self.printer.status()
        old, self.state = self.state, new
        if new is not old:
            log.info("printer: %s -> %s", old.value, new.value)
            try:
                self.on_change(old, new)
            except Exception:  # a listener's bug must not stop the monitoring
                log.exception("printer: a state listener failed")
        return new

    def _run(self) -> None:
        while not self._stop.is_set():
            self.poll_once()
            self._wake.wait(self.interval)
            self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)
