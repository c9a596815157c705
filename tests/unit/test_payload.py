"""The signed ticket scan payload: short, verifiable, and refused when altered in any way."""

from __future__ import annotations

import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core import payload
from kiosk.core.tickets import format_code, parse_code

KEY = b"k" * 32
OTHER_KEY = b"o" * 32
BRANCH = "roma-m1"

codes = st.builds(
    format_code,
    st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=2),
    st.integers(min_value=1, max_value=999),
)
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2297, 10, 15))


@given(code=codes, day=days)
def test_round_trip_and_length(code: str, day: date) -> None:
    text = payload.sign(KEY, BRANCH, day, code)
    assert len(text) == 26 and text.isdigit()
    assert payload.verify(KEY, BRANCH, text) == payload.TicketPayload(day, code)


@given(
    code=codes,
    day=days,
    position=st.integers(min_value=0, max_value=40),
    replacement=st.characters(min_codepoint=32, max_codepoint=0x2FF),
)
def test_any_altered_character_is_refused(
    code: str, day: date, position: int, replacement: str
) -> None:
    text = payload.sign(KEY, BRANCH, day, code)
    position %= len(text)
    if text[position] == replacement:
        replacement = "Z" if replacement != "Z" else "Y"
    altered = text[:position] + replacement + text[position + 1 :]
    with pytest.raises(payload.PayloadError):
        payload.verify(KEY, BRANCH, altered)


@given(code=codes, day=days, cut=st.integers(min_value=1, max_value=31))
def test_truncated_or_extended_is_refused(code: str, day: date, cut: int) -> None:
    text = payload.sign(KEY, BRANCH, day, code)
    with pytest.raises(payload.PayloadError):
        payload.verify(KEY, BRANCH, text[:-cut])
    with pytest.raises(payload.PayloadError):
        payload.verify(KEY, BRANCH, text + "A")


def test_other_installation_key_is_refused() -> None:
    text = payload.sign(OTHER_KEY, BRANCH, date(2026, 11, 23), "A042")
    with pytest.raises(payload.PayloadError, match="signature"):
        payload.verify(KEY, BRANCH, text)


def test_other_branch_is_refused() -> None:
    text = payload.sign(KEY, "milano-1", date(2026, 11, 23), "A042")
    with pytest.raises(payload.PayloadError, match="another branch"):
        payload.verify(KEY, BRANCH, text)


def test_layout_holds_day_service_and_number() -> None:
    text = payload.sign(KEY, BRANCH, date(2026, 11, 23), "AB999")
    assert text[2:7] == f"{(date(2026, 11, 23) - date(2024, 1, 1)).days:05d}"
    assert text[7:14] == "1011999"  # A=10, B=11, number 999
    assert payload.sign(KEY, BRANCH, date(2026, 11, 23), "C042")[7:14] == "1200042"


def test_calendar_limits() -> None:
    with pytest.raises(ValueError, match="outside the payload's calendar"):
        payload.sign(KEY, BRANCH, date(2023, 12, 31), "A001")
    last = date(2297, 10, 15)  # 99,999 days after 2024-01-01
    with pytest.raises(ValueError):
        payload.sign(KEY, BRANCH, date(2297, 10, 16), "A001")
    assert payload.verify(KEY, BRANCH, payload.sign(KEY, BRANCH, last, "A001")).day == last


def test_genuine_mac_over_a_non_code_is_refused() -> None:
    body = payload.branch_tag(BRANCH) + "01058" + "99" + "00" + "042"  # 99 is not a letter
    with pytest.raises(payload.PayloadError, match="not a ticket payload"):
        payload.verify(KEY, BRANCH, body + payload._mac(KEY, body))


@pytest.mark.parametrize(
    ("url", "qr"),
    [(None, "P"), ("https://q.example.it/t/", "https://q.example.it/t/P")],
)
def test_status_url(url: str | None, qr: str) -> None:
    assert payload.with_status_url(url, "P", KEY) == qr
    assert payload.extract(qr) == "P"


@pytest.mark.parametrize(
    ("service", "number", "code"), [("A", 1, "A001"), ("A", 42, "A042"), ("AB", 999, "AB999")]
)
def test_ticket_code_format(service: str, number: int, code: str) -> None:
    assert format_code(service, number) == code
    assert str(parse_code(code)) == code


@pytest.mark.parametrize(
    ("service", "number"), [("a", 1), ("ABC", 1), ("A", 0), ("A", 1000), ("1", 5)]
)
def test_ticket_code_refused(service: str, number: int) -> None:
    with pytest.raises(ValueError):
        format_code(service, number)


@pytest.mark.parametrize("text", ["A000", "A42", "ABC042", "a042", "A0421", ""])
def test_parse_code_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_code(text)


def test_non_ascii_digits_and_trailing_newline_are_refused() -> None:
    text = payload.sign(KEY, BRANCH, date(2026, 11, 23), "A042")
    arabic = text[:-1] + chr(0x660 + int(text[-1]))  # the same digit, Arabic-Indic
    for forged in (arabic, text + "\n"):
        with pytest.raises(payload.PayloadError):
            payload.verify(KEY, BRANCH, forged)
    with pytest.raises(ValueError):
        parse_code("A04" + chr(0x662))
