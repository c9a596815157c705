"""ESC/POS to a device file such as /dev/usb/lp0 (the kernel's usblp driver).

usblp passes reads to the printer's back channel, so status queries work on bidirectional
printers; a plain file or a one-way device gives no answer, and the state is ``unknown``.
"""

from __future__ import annotations

import os
import select

from drivers.printer.transport import TransportError


class FileTransport:
    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None

    def open(self) -> None:
        if self._fd is not None:
            return
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC)
        except IsADirectoryError as exc:
            raise TransportError(f"file://{self.path}: is a directory") from exc
        except OSError as exc:
            raise TransportError(f"file://{self.path}: {exc.strerror}") from exc

    def _connected(self) -> int:
        if self._fd is None:
            self.open()
        assert self._fd is not None
        return self._fd

    def write(self, data: bytes) -> None:
        fd = self._connected()
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(fd, view) :]
        except OSError as exc:
            self.close()
            raise TransportError(f"file://{self.path}: {exc.strerror}") from exc

    def read(self, size: int, timeout: float) -> bytes:
        fd = self._connected()
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return b""
        try:
            return os.read(fd, size)
        except OSError as exc:
            self.close()
            raise TransportError(f"file://{self.path}: {exc.strerror}") from exc

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
