"""A numeric keypad read through evdev (``keypad.uri``), like the scanner: grabbed, so its keys
reach only the totem. Each press of 0-9 (the keypad's own keys or the top row), and Enter as
5, becomes a digit; releases and repeats are ignored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drivers.evdev_input import GrabbedDevice
from drivers.scanner.keymap import EV_KEY

# Linux input codes: the keypad's 0-9 and Enter, and the top row's 1-9, 0.
DIGITS = {82: "0", 79: "1", 80: "2", 81: "3", 75: "4", 76: "5", 77: "6", 71: "7", 72: "8", 73: "9",
          96: "5", 2: "1", 3: "2", 4: "3", 5: "4", 6: "5", 7: "6", 8: "7", 9: "8", 10: "9",
          11: "0"}  # fmt: skip
KEY_PRESS = 1


class EvdevKeypad(GrabbedDevice):
    """Reads one keypad from its file descriptor.

    Args:
        opener: returns an evdev EventIO-like object, or None while the keypad is absent.
            Production opens ``keypad.uri``'s device; tests pass a pipe read by evdev's reader.
    """

    def __init__(self, opener: Callable[[], Any]) -> None:
        super().__init__(opener, "keypad")

    def on_readable(self) -> list[str]:
        """The digits pressed since the last read ([] when the keypad went away)."""
        return [
            DIGITS[e.code]
            for e in self.events()
            if e.type == EV_KEY and e.value == KEY_PRESS and e.code in DIGITS
        ]


class KeypadUriError(ValueError):
    """``keypad.uri`` names no keypad; the message says why."""


def device_path(uri: str) -> str | None:
    """The device of ``evdev:///dev/input/...`` (None for ``none://``).

    Raises:
        KeypadUriError: any other URI.
    """
    if uri == "none://":
        return None
    if uri.startswith("evdev:///") and len(uri) > len("evdev:///"):
        return uri.removeprefix("evdev://")
    raise KeypadUriError(f'"{uri}" is not none:// or evdev:///dev/input/...')


def open_keypad(uri: str) -> EvdevKeypad | None:
    """The keypad at ``evdev:///dev/input/...`` (None for ``none://``), not yet connected.

    Raises:
        KeypadUriError: not a keypad URI.
    """
    path = device_path(uri)
    if path is None:
        return None

    def opener() -> Any:
        import evdev

        try:
            return evdev.InputDevice(path)
        except OSError:
            return None

    return EvdevKeypad(opener)
