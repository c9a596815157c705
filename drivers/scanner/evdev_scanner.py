"""Keyboard-wedge scanners through evdev, grabbed exclusively so scans never type into the UI."""

from __future__ import annotations

import contextlib
import errno
import logging
from collections.abc import Callable
from typing import Any

from drivers.scanner import ScanResult
from drivers.scanner.keymap import EV_KEY, KeyDecoder

log = logging.getLogger(__name__)


def find_device(vendor: int | None, product: int | None, path: str) -> Any:
    """Open the device at ``path``, or the first keyboard-like device with vendor:product.

    Returns None when it is not there.
    """
    import evdev

    if path:
        try:
            return evdev.InputDevice(path)
        except OSError:
            return None
    for candidate in evdev.list_devices():
        try:
            dev = evdev.InputDevice(candidate)
        except OSError:
            continue
        if (
            dev.info.vendor == vendor
            and dev.info.product == product
            and evdev.ecodes.EV_KEY in dev.capabilities()
        ):
            return dev
        dev.close()
    return None


class EvdevScanner:
    """Reads one keyboard-wedge scanner from its file descriptor.

    Args:
        opener: returns an evdev EventIO-like object (``fd``, ``read()``, ``grab()``,
            ``close()``), or None while the device is absent. Production passes
            :func:`find_device`; tests pass a pipe read by evdev's own reader.
        layout: the keyboard layout the scanner emulates.
    """

    def __init__(self, opener: Callable[[], Any], layout: str = "us") -> None:
        self.opener = opener
        self.decoder = KeyDecoder(layout)
        self.device: Any = None

    def connect(self) -> bool:
        """Open and grab the device if it is not open; true when it is ready."""
        if self.device is not None:
            return True
        device = self.opener()
        if device is None:
            return False
        grab = getattr(device, "grab", None)
        if grab is not None:
            try:
                grab()  # exclusive: key events stop reaching the UI and the console
            except OSError as exc:
                log.warning("scanner: cannot take it exclusively (%s)", exc.strerror)
                device.close()
                return False
        self.device = device
        self.decoder.reset()
        log.info("scanner: connected")
        return True

    def fileno(self) -> int | None:
        return None if self.device is None else int(self.device.fd)

    def on_readable(self) -> list[ScanResult]:
        """Read what is waiting; returns the codes finished by it. Never blocks."""
        if self.device is None:
            return []
        results = []
        try:
            events = list(self.device.read())
        except BlockingIOError:
            return []
        except OSError as exc:
            if exc.errno not in (errno.ENODEV, errno.EIO, errno.EBADF):
                raise
            self.disconnect()  # unplugged
            return []
        if not events:
            # Readable but empty: end of file. A pipe (the simulator) ends this way; a real
            # device says ENODEV instead.
            self.disconnect()
        for event in events:
            if event.type == EV_KEY:
                result = self.decoder.feed(event.code, event.value, event.timestamp())
                if result is not None:
                    results.append(result)
        return results

    def disconnect(self) -> None:
        """The device went away (unplugged); the event loop will reconnect."""
        if self.device is not None:
            log.warning("scanner: disconnected")
            self.close()

    def close(self) -> None:
        if self.device is not None:
            with contextlib.suppress(OSError):
                self.device.close()
            self.device = None
            self.decoder.reset()
