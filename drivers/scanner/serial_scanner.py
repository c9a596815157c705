"""Serial barcode scanners (RS-232 or USB CDC-ACM): a code ends with CR or LF."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable

import serial

from drivers.scanner import INTER_KEY_TIMEOUT, MAX_CODE_LENGTH, ScanResult, check_code

log = logging.getLogger(__name__)


class SerialScanner:
    """Reads a serial scanner from its file descriptor, without blocking.

    Args:
        path: the device (/dev/ttyACM0, /dev/serial/by-id/...).
        baudrate: the line speed.
        clock: monotonic seconds; a gap longer than ``timeout`` drops a partial read.
    """

    def __init__(
        self,
        path: str,
        baudrate: int = 9600,
        timeout: float = INTER_KEY_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path, self.baudrate, self.timeout, self.clock = path, baudrate, timeout, clock
        self.port: serial.Serial | None = None
        self._buffer = bytearray()
        self._last = 0.0
        self._overflow = False

    def connect(self) -> bool:
        if self.port is not None:
            return True
        try:
            self.port = serial.Serial(self.path, self.baudrate, timeout=0)
        except (serial.SerialException, OSError):
            return False
        self._buffer.clear()
        log.info("scanner: connected")
        return True

    def fileno(self) -> int | None:
        return None if self.port is None else int(self.port.fileno())

    def on_readable(self) -> list[ScanResult]:
        if self.port is None:
            return []
        try:
            data = self.port.read(4096)
        except (serial.SerialException, OSError):
            self.disconnect()
            return []
        return self.feed(data)

    def feed(self, data: bytes) -> list[ScanResult]:
        """Frame bytes into codes (CR, LF or CRLF ends one)."""
        now = self.clock()
        if self._buffer and now - self._last > self.timeout:
            self._buffer.clear()  # a partial read went stale
            self._overflow = False
        self._last = now
        results = []
        for byte in data:
            if byte in (0x0D, 0x0A):
                if self._buffer or self._overflow:
                    results.append(self._finish())
                continue
            if len(self._buffer) > MAX_CODE_LENGTH:
                self._overflow = True
            else:
                self._buffer.append(byte)
        return results

    def _finish(self) -> ScanResult:
        raw, overflow = bytes(self._buffer), self._overflow
        self._buffer.clear()
        self._overflow = False
        if overflow:
            return ScanResult(None, "too_long")
        try:
            return check_code(raw.decode("utf-8"))
        except UnicodeDecodeError:
            return ScanResult(None, "not_text")

    def disconnect(self) -> None:
        """The device went away (unplugged); the event loop will reconnect."""
        if self.port is not None:
            log.warning("scanner: disconnected")
            self.close()

    def close(self) -> None:
        if self.port is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                self.port.close()
            self.port = None
