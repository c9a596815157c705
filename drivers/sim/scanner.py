"""Scanner simulators: a keyboard-wedge scanner that types raw ``struct input_event`` records
into a pipe (read back by evdev's own reader), and a serial scanner on a pseudo-terminal."""

from __future__ import annotations

import os
import struct
import tty
from typing import Any

from evdev.eventio import EventIO

from drivers.scanner.keymap import EV_KEY, KEY_ENTER, KEY_LEFTSHIFT, keystrokes

EV_SYN, EV_MSC, MSC_SCAN = 0, 4, 4
INPUT_EVENT = struct.Struct(
    "llHHi"
)  # struct input_event on 64-bit Linux: timeval, type, code, value


class PipeEvents(EventIO):
    """evdev's reader on the read end of a pipe, standing in for /dev/input/eventN."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class KeyboardScannerSim:
    """Types codes as a keyboard-wedge scanner would, with kernel-style timestamps.

    ``opener`` gives the device to :class:`EvdevScanner`; ``unplug()`` and ``plug()`` make it
    disappear and come back.
    """

    def __init__(self, layout: str = "us") -> None:
        self.layout = layout
        self.clock_us = 1_000_000_000_000  # kernel timestamps, in microseconds
        self._write: int | None = None
        self._pending: PipeEvents | None = None
        self.plug()

    def plug(self) -> None:
        read, write = os.pipe()
        os.set_blocking(read, False)
        self._write, self._pending = write, PipeEvents(read)

    def unplug(self) -> None:
        if self._write is not None:
            os.close(self._write)
            self._write = None
        self._pending = None

    def opener(self) -> Any:
        device, self._pending = self._pending, None
        return device

    def _event(self, type_: int, code: int, value: int) -> bytes:
        return INPUT_EVENT.pack(*divmod(self.clock_us, 1_000_000), type_, code, value)

    def _key(self, code: int, value: int) -> bytes:
        return (
            self._event(EV_MSC, MSC_SCAN, 0x70000 + code)
            + self._event(EV_KEY, code, value)
            + self._event(EV_SYN, 0, 0)
        )

    def type(
        self,
        text: str,
        *,
        gap: float = 0.004,
        enter: bool = True,
        pause_after: int | None = None,
        pause: float = 0.0,
    ) -> None:
        """Type ``text`` (and Enter); ``pause`` seconds after ``pause_after`` characters."""
        assert self._write is not None, "unplugged"
        out = bytearray()
        strokes = keystrokes(text, self.layout) + ([(KEY_ENTER, False)] if enter else [])
        for i, (code, shift) in enumerate(strokes):
            if pause_after is not None and i == pause_after:
                self.clock_us += round(pause * 1_000_000)
            if shift:
                out += self._key(KEY_LEFTSHIFT, 1)
            out += self._key(code, 1) + self._key(code, 0)
            if shift:
                out += self._key(KEY_LEFTSHIFT, 0)
            self.clock_us += round(gap * 1_000_000)
        os.write(self._write, bytes(out))

    def raw(self, code: int, value: int = 1) -> None:
        assert self._write is not None
        os.write(self._write, self._key(code, value))
        self.clock_us += 4000

    def close(self) -> None:
        self.unplug()


class SerialScannerSim:
    """A serial scanner on a pseudo-terminal: the scanner's end writes codes and terminators."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        os.close(self.master)
        os.close(self._slave)
