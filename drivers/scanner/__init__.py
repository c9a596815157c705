"""Barcode scanners: keyboard-wedge HID through evdev, and serial scanners through pyserial.

Both are read from a file descriptor the event loop watches, reconnect by themselves after
being unplugged, drop partial reads after an inter-key timeout, and refuse codes that are too
long or hold control characters, without ever logging what was scanned.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_CODE_LENGTH = 64
INTER_KEY_TIMEOUT = 0.1  # seconds; scanners type a key every few ms, people far slower


@dataclass(frozen=True)
class ScanResult:
    """A finished read: a code, or the reason it was refused (never its content)."""

    text: str | None
    refused: str | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None

    def describe(self) -> str:
        """What a technician may see: the kind of code, never its content."""
        if self.text is None:
            return f"refused: {self.refused}"
        if self.text.isdigit() and len(self.text) == 26:
            kind = "totem ticket (26 digits)"
        elif "://" in self.text:
            kind = "URL"
        else:
            kind = "other code"
        return f"{kind}, {len(self.text)} characters"


def check_code(text: str) -> ScanResult:
    """Length and control-character checks shared by every scanner."""
    if len(text) > MAX_CODE_LENGTH:
        return ScanResult(None, "too_long")
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in text):
        return ScanResult(None, "control_characters")
    if not text:
        return ScanResult(None, "empty")
    return ScanResult(text)
