"""ESC/POS over TCP (port 9100, "raw" or "JetDirect")."""

from __future__ import annotations

import select
import socket

from drivers.printer.transport import TransportError


class TcpTransport:
    def __init__(
        self, host: str, port: int, connect_timeout: float = 3.0, write_timeout: float = 10.0
    ) -> None:
        self.host, self.port = host, port
        self.connect_timeout, self.write_timeout = connect_timeout, write_timeout
        self._sock: socket.socket | None = None

    def open(self) -> None:
        if self._sock is not None:
            return
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except OSError as exc:
            raise TransportError(f"tcp://{self.host}:{self.port}: {exc.strerror or exc}") from exc
        sock.settimeout(self.write_timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock

    def _connected(self) -> socket.socket:
        if self._sock is None:
            self.open()
        assert self._sock is not None
        return self._sock

    def write(self, data: bytes) -> None:
        sock = self._connected()
        try:
            sock.sendall(data)
        except OSError as exc:
            self.close()
            raise TransportError(f"tcp://{self.host}:{self.port}: connection lost") from exc

    def read(self, size: int, timeout: float) -> bytes:
        sock = self._connected()
        ready, _, _ = select.select([sock], [], [], timeout)
        if not ready:
            return b""
        try:
            data = sock.recv(size)
        except OSError as exc:
            self.close()
            raise TransportError(f"tcp://{self.host}:{self.port}: connection lost") from exc
        if not data:  # the printer closed the connection
            self.close()
            raise TransportError(f"tcp://{self.host}:{self.port}: connection closed by the printer")
        return data

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
