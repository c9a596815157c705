"""One small module per connection. Each transport has the same four methods:

``open()``, ``write(data)``, ``read(size, timeout) -> bytes`` (b"" when nothing came in time)
and ``close()``. A lost or refused connection raises :class:`TransportError`.
"""

from __future__ import annotations

from typing import Protocol


class TransportError(OSError):
    """The connection to the printer failed or was lost."""


class Transport(Protocol):
    def open(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def read(self, size: int, timeout: float) -> bytes: ...

    def close(self) -> None: ...
