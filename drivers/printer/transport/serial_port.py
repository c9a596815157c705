"""ESC/POS over a serial line (RS-232 or USB-serial), through pyserial."""

from __future__ import annotations

import contextlib

import serial

from drivers.printer.transport import TransportError


class SerialTransport:
    def __init__(self, path: str, baudrate: int, write_timeout: float = 30.0) -> None:
        self.path, self.baudrate, self.write_timeout = path, baudrate, write_timeout
        self._port: serial.Serial | None = None

    def open(self) -> None:
        if self._port is not None:
            return
        try:
            self._port = serial.Serial(
                self.path, self.baudrate, timeout=0, write_timeout=self.write_timeout
            )
        except (serial.SerialException, OSError) as exc:
            raise TransportError(f"serial://{self.path}: {exc}") from exc

    def _connected(self) -> serial.Serial:
        if self._port is None:
            self.open()
        assert self._port is not None
        return self._port

    def write(self, data: bytes) -> None:
        port = self._connected()
        try:
            port.write(data)
            port.flush()
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise TransportError(f"serial://{self.path}: connection lost") from exc

    def read(self, size: int, timeout: float) -> bytes:
        port = self._connected()
        try:
            port.timeout = timeout
            return bytes(port.read(size))
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise TransportError(f"serial://{self.path}: connection lost") from exc

    def close(self) -> None:
        if self._port is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                self._port.close()
            self._port = None
