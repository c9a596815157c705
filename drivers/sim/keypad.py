"""A numeric keypad simulator: key presses written as raw ``struct input_event`` records into a
pipe, read back by evdev's own reader (as :class:`~drivers.keypad.EvdevKeypad` reads a real
one)."""

from __future__ import annotations

from drivers.sim.scanner import KeyboardScannerSim

KEYPAD_CODES = {"0": 82, "1": 79, "2": 80, "3": 81, "4": 75, "5": 76, "6": 77, "7": 71, "8": 72,
                "9": 73}  # fmt: skip


class KeypadSim(KeyboardScannerSim):
    def press(self, keys: str) -> None:
        """Press and release each key of ``keys`` ("6655"), in order."""
        for key in keys:
            self.raw(KEYPAD_CODES[key], 1)
            self.raw(KEYPAD_CODES[key], 0)
