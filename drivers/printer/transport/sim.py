"""``sim://``: the simulated printer inside this process, for the demo and for tests."""

from __future__ import annotations

import time

from drivers.printer.transport import TransportError
from drivers.sim.printer import DropConnection, SimPrinter


class SimTransport:
    def __init__(self, printer: SimPrinter) -> None:
        self.printer = printer
        self._replies = bytearray()
        self._open = False

    def open(self) -> None:
        self._open = True

    def write(self, data: bytes) -> None:
        self.open()
        try:
            self._replies += self.printer.receive(data)
        except DropConnection:
            self.close()
            raise TransportError("sim://: connection dropped") from None

    def read(self, size: int, timeout: float) -> bytes:
        if not self._replies:  # a silent printer: nothing comes, however long one waits
            time.sleep(timeout)
            return b""
        out = bytes(self._replies[:size])
        del self._replies[:size]
        return out

    def close(self) -> None:
        if self._open:
            self.printer.disconnected()
        self._open = False
        self._replies.clear()
