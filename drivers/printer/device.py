"""A printer: one transport, real-time status, and print jobs retried once on a lost line."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from drivers.printer.status import (
    QUERY_OFFLINE_CAUSE,
    QUERY_PAPER,
    QUERY_PRINTER,
    PrinterState,
    state_from,
)
from drivers.printer.transport import Transport, TransportError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintResult:
    printed: bool
    state: PrinterState
    retried: bool = False


SLOWEST_LINE = 11_520  # bytes a second: 115,200 baud, the slowest line pictures are sent over


class Printer:
    """An ESC/POS printer behind one transport. Thread-safe: one job or query at a time.

    Args:
        transport: the connection.
        uri: shown to technicians.
        status_timeout: seconds to wait for each status byte; a printer that does not answer
            within it is ``unknown``.
    """

    def __init__(self, transport: Transport, uri: str, status_timeout: float = 0.5) -> None:
        self.transport = transport
        self.uri = uri
        self.status_timeout = status_timeout
        self._lock = threading.Lock()
        self.last_state = PrinterState.UNKNOWN

    def _ask(self, query: bytes, wait: float = 0.0) -> int | None:
        self.transport.write(query)
        deadline = time.monotonic() + self.status_timeout + wait
        while (left := deadline - time.monotonic()) > 0:
            data = self.transport.read(1, left)
            if data:
                return data[-1]
        return None

    def _status(self, wait: float = 0.0) -> PrinterState:
        """The state; ``wait`` more seconds for the first answer (a job still on its way)."""
        printer = self._ask(QUERY_PRINTER, wait)
        cause = self._ask(QUERY_OFFLINE_CAUSE) if printer is not None and printer & 0x08 else None
        paper = self._ask(QUERY_PAPER) if printer is not None and not printer & 0x08 else None
        return state_from(printer, cause, paper)

    def status(self) -> PrinterState:
        """Ask the printer now (DLE EOT). A refused or lost connection is ``offline``."""
        with self._lock:
            try:
                state = self._status()
            except TransportError as exc:
                # Said once when it goes, not at every poll: a totem without its printer
                # for a day would fill the journal (the monitor logs each change of state).
                if self.last_state != PrinterState.OFFLINE:
                    log.info("printer: %s", exc)
                self.transport.close()
                state = PrinterState.OFFLINE
            self.last_state = state
            return state

    def print_job(self, job: bytes) -> PrintResult:
        """Check the status, send the job, and confirm the printer is still answering.

        A connection lost while sending or confirming is reopened and the whole job sent
        once more. ``printed`` is true only when the printer answered after the job.
        """
        with self._lock:
            for attempt in (0, 1):
                try:
                    before = self._status()
                    if not before.can_print:
                        self.last_state = before
                        return PrintResult(False, before, retried=attempt == 1)
                    self.transport.write(job)
                    # The job may still be on its way when it is written (a printed number is a
                    # picture: 16 KB, 1.4 s at 115,200 baud): the answer comes after it.
                    after = self._status(wait=len(job) / SLOWEST_LINE)
                    self.last_state = after
                    return PrintResult(
                        after is not PrinterState.UNKNOWN, after, retried=attempt == 1
                    )
                except TransportError as exc:
                    log.warning("printer: %s; %s", exc, "retrying" if attempt == 0 else "giving up")
                    self.transport.close()
            self.last_state = PrinterState.OFFLINE
            return PrintResult(False, PrinterState.OFFLINE, retried=True)

    def close(self) -> None:
        with self._lock:
            self.transport.close()
