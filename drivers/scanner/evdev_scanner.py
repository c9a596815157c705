"""Keyboard-wedge scanners through evdev, grabbed exclusively so scans never type into the UI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drivers.evdev_input import GrabbedDevice
from drivers.scanner import ScanResult
from drivers.scanner.keymap import EV_KEY, KeyDecoder


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


class EvdevScanner(GrabbedDevice):
    """Reads one keyboard-wedge scanner from its file descriptor.

    Args:
        opener: returns an evdev EventIO-like object (``fd``, ``read()``, ``grab()``,
            ``close()``), or None while the device is absent. Production passes
            :func:`find_device`; tests pass a pipe read by evdev's own reader.
        layout: the keyboard layout the scanner emulates.
    """

    def __init__(self, opener: Callable[[], Any], layout: str = "us") -> None:
        self.decoder = KeyDecoder(layout)
        super().__init__(opener, "scanner")

    def reset(self) -> None:
        self.decoder.reset()

    def on_readable(self) -> list[ScanResult]:
        """Read what is waiting; returns the codes finished by it. Never blocks."""
        results = []
        for event in self.events():
            if event.type == EV_KEY:
                result = self.decoder.feed(event.code, event.value, event.timestamp())
                if result is not None:
                    results.append(result)
        return results
