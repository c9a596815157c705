"""Every DLE EOT status byte pattern maps to the right printer state."""

from __future__ import annotations

import pytest

from drivers.printer.status import PrinterState, state_from, valid

S = PrinterState


@pytest.mark.parametrize("byte", range(256))
def test_only_bytes_with_the_fixed_bits_are_answers(byte: int) -> None:
    assert valid(byte) is (byte & 0b1001_0011 == 0b0001_0010)


@pytest.mark.parametrize(
    ("printer", "cause", "paper", "state"),
    [
        (0x12, None, 0x12, S.OK),
        (0x16, None, 0x12, S.OK),  # bit 2 (drawer) is not our business
        (0x12, None, 0x1E, S.PAPER_LOW),  # bits 2-3: near end
        (0x12, None, 0x16, S.PAPER_LOW),  # one near-end sensor bit is enough
        (0x12, None, 0x72, S.PAPER_OUT),  # bits 5-6: paper end
        (0x12, None, 0x32, S.PAPER_OUT),
        (0x12, None, 0x7E, S.PAPER_OUT),  # end wins over near end
        (0x1A, 0x16, None, S.COVER_OPEN),  # offline, cause: cover open
        (0x1A, 0x36, None, S.COVER_OPEN),  # cover open and paper end: the cover first
        (0x1A, 0x32, None, S.PAPER_OUT),  # offline because printing stopped at paper end
        (0x1A, 0x52, None, S.OFFLINE),  # offline for an error
        (0x1A, 0x12, None, S.OFFLINE),
        (0x1A, None, None, S.OFFLINE),  # offline, cause unanswered
        (0x1A, 0xFF, None, S.OFFLINE),  # offline, cause garbled
        (None, None, None, S.UNKNOWN),  # silent printer: never "ok"
        (0x00, None, 0x12, S.UNKNOWN),  # not a status byte
        (0xFF, None, 0x12, S.UNKNOWN),
        (0x12, None, None, S.UNKNOWN),  # online, but the paper sensor did not answer
        (0x12, None, 0x00, S.UNKNOWN),
    ],
)
def test_state_from(printer, cause, paper, state: PrinterState) -> None:
    assert state_from(printer, cause, paper) is state


@pytest.mark.parametrize("state", list(PrinterState))
def test_only_ok_and_paper_low_can_print(state: PrinterState) -> None:
    assert state.can_print is (state in (S.OK, S.PAPER_LOW))
