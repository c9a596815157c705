"""Real-time status (DLE EOT) mapped to the states the totem and the central server use.

Pure: bytes in, a state out. Every status byte of DLE EOT n has bit 1 and bit 4 set and bits
0 and 7 clear; anything else is not an answer, and a printer that gives no valid answer is
``unknown``, never ``ok``.
"""

from __future__ import annotations

from enum import StrEnum

DLE_EOT = b"\x10\x04"
QUERY_PRINTER = DLE_EOT + b"\x01"  # bit 3: offline
QUERY_OFFLINE_CAUSE = DLE_EOT + b"\x02"  # bit 2: cover open, bit 5: stopped for paper end
QUERY_PAPER = DLE_EOT + b"\x04"  # bits 2-3: near end, bits 5-6: paper end

_FIXED_MASK, _FIXED_BITS = 0x93, 0x12


class PrinterState(StrEnum):
    OK = "ok"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    UNKNOWN = "unknown"

    @property
    def can_print(self) -> bool:
        return self in (PrinterState.OK, PrinterState.PAPER_LOW)


def valid(byte: int | None) -> bool:
    return byte is not None and byte & _FIXED_MASK == _FIXED_BITS


def state_from(printer: int | None, cause: int | None, paper: int | None) -> PrinterState:
    """Combine the answers to DLE EOT 1, 2 and 4 (None: no answer) into one state.

    Args:
        printer: the DLE EOT 1 byte.
        cause: the DLE EOT 2 byte (asked only when the printer says it is offline).
        paper: the DLE EOT 4 byte.
    """
    if not valid(printer):
        return PrinterState.UNKNOWN
    assert printer is not None
    if printer & 0x08:
        if valid(cause):
            assert cause is not None
            if cause & 0x04:
                return PrinterState.COVER_OPEN
            if cause & 0x20:
                return PrinterState.PAPER_OUT
        return PrinterState.OFFLINE
    if not valid(paper):
        return PrinterState.UNKNOWN
    assert paper is not None
    if paper & 0x60:
        return PrinterState.PAPER_OUT
    if paper & 0x0C:
        return PrinterState.PAPER_LOW
    return PrinterState.OK
