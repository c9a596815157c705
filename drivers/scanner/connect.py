"""Open the scanner named by ``scanner.uri`` and watch it with a selector.

The Qt UI watches :meth:`fileno` with a socket notifier instead; this loop serves the command
line (``kiosk scanner listen``) and the tests. Either way nothing spins on a blocking read.
"""

from __future__ import annotations

import selectors
import time
from collections.abc import Callable
from typing import Protocol

from drivers.scanner import ScanResult
from drivers.scanner import uri as scanner_uri
from drivers.scanner.evdev_scanner import EvdevScanner, find_device

RECONNECT_EVERY = 2.0  # seconds between attempts to reopen an unplugged scanner


class Scanner(Protocol):
    def connect(self) -> bool: ...

    def fileno(self) -> int | None: ...

    def on_readable(self) -> list[ScanResult]: ...

    def close(self) -> None: ...


def open_scanner(uri: str) -> Scanner | None:
    """The scanner for the URI, not yet connected; None for ``none://``.

    Raises:
        ScannerUriError: the URI is malformed.
    """
    parsed = scanner_uri.parse(uri)
    if parsed.scheme == "evdev":
        return EvdevScanner(
            lambda: find_device(parsed.vendor, parsed.product, parsed.path), parsed.layout
        )
    if parsed.scheme == "serial":
        from drivers.scanner.serial_scanner import SerialScanner  # pyserial: only when used

        return SerialScanner(parsed.path, parsed.baudrate)
    return None


def listen(
    scanner: Scanner,
    on_result: Callable[[ScanResult], None],
    *,
    should_stop: Callable[[], bool],
    on_connection: Callable[[bool], None] = lambda connected: None,
    reconnect_every: float = RECONNECT_EVERY,
) -> None:
    """Serve one scanner until ``should_stop()``: read when readable, reconnect when gone."""
    selector = selectors.DefaultSelector()
    registered: int | None = None
    next_attempt = 0.0
    try:
        while not should_stop():
            fd = scanner.fileno()
            if fd is None:
                if registered is not None:
                    selector.unregister(registered)
                    registered = None
                    on_connection(False)
                if time.monotonic() >= next_attempt:
                    next_attempt = time.monotonic() + reconnect_every
                    if scanner.connect():
                        on_connection(True)
                        continue
                time.sleep(0.05)
                continue
            if registered != fd:
                if registered is not None:
                    selector.unregister(registered)
                selector.register(fd, selectors.EVENT_READ)
                registered = fd
            for _key, _mask in selector.select(timeout=0.1):
                for result in scanner.on_readable():
                    on_result(result)
    finally:
        selector.close()
        scanner.close()
