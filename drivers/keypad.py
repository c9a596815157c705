"""A numeric keypad read through evdev (``keypad.uri``), like the scanner: grabbed, so its keys
reach only the totem. Each press of 0-9 (the keypad's own keys or the top row), and Enter as
5, becomes a digit; releases and repeats are ignored."""

from __future__ import annotations

import contextlib
import errno
import logging
from collections.abc import Callable
from typing import Any

from drivers.scanner.keymap import EV_KEY

log = logging.getLogger(__name__)

# Linux input codes: the keypad's 0-9 and Enter, and the top row's 1-9, 0.
DIGITS = {82: "0", 79: "1", 80: "2", 81: "3", 75: "4", 76: "5", 77: "6", 71: "7", 72: "8", 73: "9",
          96: "5", 2: "1", 3: "2", 4: "3", 5: "4", 6: "5", 7: "6", 8: "7", 9: "8", 10: "9",
          11: "0"}  # fmt: skip
KEY_PRESS = 1


class EvdevKeypad:
    """Reads one keypad from its file descriptor.

    Args:
        opener: returns an evdev EventIO-like object, or None while the keypad is absent.
            Production opens ``keypad.uri``'s device; tests pass a pipe read by evdev's reader.
    """

    def __init__(self, opener: Callable[[], Any]) -> None:
        self.opener = opener
        self.device: Any = None

    def connect(self) -> bool:
        if self.device is not None:
            return True
        device = self.opener()
        if device is None:
            return False
        grab = getattr(device, "grab", None)
        if grab is not None:
            try:
                grab()
            except OSError as exc:
                log.warning("keypad: cannot take it exclusively (%s)", exc.strerror)
                device.close()
                return False
        self.device = device
        log.info("keypad: connected")
        return True

    def fileno(self) -> int | None:
        return None if self.device is None else int(self.device.fd)

    def on_readable(self) -> list[str]:
        """The digits pressed since the last read ([] when the keypad went away)."""
        if self.device is None:
            return []
        try:
            events = list(self.device.read())
        except BlockingIOError:
            return []
        except OSError as exc:
            if exc.errno in (errno.ENODEV, errno.EBADF):
                log.warning("keypad: unplugged")
                self.close()
            return []
        return [
            DIGITS[e.code]
            for e in events
            if e.type == EV_KEY and e.value == KEY_PRESS and e.code in DIGITS
        ]

    def close(self) -> None:
        if self.device is not None:
            with contextlib.suppress(OSError):
                self.device.close()
            self.device = None


def open_keypad(uri: str) -> EvdevKeypad | None:
    """The keypad at ``evdev:///dev/input/...`` (None for ``none://``), not yet connected."""
    if not uri.startswith("evdev://"):
        return None
    path = uri.removeprefix("evdev://")

    def opener() -> Any:
        import evdev

        try:
            return evdev.InputDevice(path)
        except OSError:
            return None

    return EvdevKeypad(opener)
