"""Keyboard-wedge decoding: recorded key codes in every layout, Shift, Caps Lock, timeouts."""

from __future__ import annotations

import pytest

from drivers.scanner import ScanResult
from drivers.scanner.keymap import LAYOUTS, KeyDecoder, keystrokes

SHIFT = 42
ENTER = 28


def play(
    decoder: KeyDecoder, strokes: list[int | tuple[int, int]], gap: float = 0.004
) -> list[ScanResult]:
    """Feed presses (a key code) and explicit (code, value) events; returns finished reads."""
    t, out = 0.0, []
    for stroke in strokes:
        events = [stroke] if isinstance(stroke, tuple) else [(stroke, 1), (stroke, 0)]
        for code, value in events:
            result = decoder.feed(code, value, t)
            if result is not None:
                out.append(result)
        t += gap
    return out


def shifted(code: int) -> list[int | tuple[int, int]]:
    return [(SHIFT, 1), code, (SHIFT, 0)]


# Recorded scans of "A1-2/3.b" by a scanner set to each layout: what its keys really are.
RECORDED = {
    # US: A = Shift+KEY_A(30); "-" KEY_MINUS(12); "/" KEY_SLASH(53); "." KEY_DOT(52)
    "us": [*shifted(30), 2, 12, 3, 53, 4, 52, 48, ENTER],
    # IT: "-" is KEY_SLASH(53); "/" is Shift+KEY_7(8); "." KEY_DOT(52)
    "it": [*shifted(30), 2, 53, 3, *shifted(8), 4, 52, 48, ENTER],
    # DE: like IT for these; "z"/"y" are swapped, checked below
    "de": [*shifted(30), 2, 53, 3, *shifted(8), 4, 52, 48, ENTER],
    # FR (AZERTY): "A" is Shift+KEY_Q(16); digits need Shift; "-" is KEY_6(7);
    # "/" is Shift+KEY_DOT(52); "." is Shift+KEY_COMMA(51)
    "fr": [
        *shifted(16),
        *shifted(2),
        7,
        *shifted(3),
        *shifted(52),
        *shifted(4),
        *shifted(51),
        48,
        ENTER,
    ],
}


@pytest.mark.parametrize("layout", sorted(RECORDED))
def test_recorded_scan_in_every_layout(layout: str) -> None:
    assert play(KeyDecoder(layout), RECORDED[layout]) == [ScanResult("A1-2/3.b")]


@pytest.mark.parametrize(
    ("layout", "keys", "text"),
    [
        ("de", [21, 44], "zy"),  # QWERTZ
        ("fr", [16, 17, 30, 39, 44], "azqmw"),  # AZERTY
        ("us", [16, 17, 30, 39, 44], "qwa;z"),
        ("it", [26, 39, 40], "èòà"),
    ],
)
def test_layout_letters(layout: str, keys: list[int], text: str) -> None:
    assert play(KeyDecoder(layout), [*keys, ENTER]) == [ScanResult(text)]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_keypad_digits_are_the_same_everywhere(layout: str) -> None:
    assert play(KeyDecoder(layout), [79, 80, 81, 82, 83, 74, 98, 96]) == [ScanResult("1230.-/")]


def test_caps_lock_inverts_letters_only() -> None:
    result = play(KeyDecoder("us"), [58, 30, *shifted(48), 2, 58, 30, ENTER])
    assert result == [ScanResult("Ab1a")]


def test_right_shift_and_repeat_events() -> None:
    result = play(KeyDecoder("us"), [(54, 1), (30, 1), (30, 2), (30, 0), (54, 0), ENTER])
    assert result == [ScanResult("A")]


def test_stale_partial_read_is_dropped_after_the_timeout() -> None:
    decoder = KeyDecoder("us", timeout=0.1)
    assert decoder.feed(30, 1, 0.0) is None  # "a", then nothing for a second
    assert decoder.feed(48, 1, 1.0) is None  # "b" starts a new code
    assert decoder.feed(ENTER, 1, 1.01) == ScanResult("b")


def test_keys_within_the_timeout_are_kept() -> None:
    decoder = KeyDecoder("us", timeout=0.1)
    decoder.feed(30, 1, 0.0)
    decoder.feed(48, 1, 0.09)
    assert decoder.feed(ENTER, 1, 0.18) == ScanResult("ab")


def test_over_long_code_is_refused_without_content() -> None:
    result = play(KeyDecoder("us"), [30] * 65 + [ENTER])
    assert result == [ScanResult(None, "too_long")]
    assert "a" not in result[0].describe()
    assert play(KeyDecoder("us"), [30] * 64 + [ENTER]) == [ScanResult("a" * 64)]


def test_unmapped_key_refuses_the_code() -> None:
    assert play(KeyDecoder("us"), [30, 15, 48, ENTER]) == [
        ScanResult(None, "control_characters")
    ]  # TAB


def test_empty_enter_is_refused() -> None:
    assert play(KeyDecoder("us"), [ENTER]) == [ScanResult(None, "empty")]


def test_decoder_recovers_after_a_refused_code() -> None:
    assert play(KeyDecoder("us"), [15, ENTER, 30, ENTER]) == [
        ScanResult(None, "control_characters"),
        ScanResult("a"),
    ]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_simulator_keystrokes_round_trip(layout: str) -> None:
    text = "42010581000042123456789012"
    strokes: list[int | tuple[int, int]] = []
    for code, shift in keystrokes(text, layout):
        strokes += shifted(code) if shift else [code]
    assert play(KeyDecoder(layout), [*strokes, ENTER]) == [ScanResult(text)]


def test_unknown_layout() -> None:
    with pytest.raises(ValueError, match="layout"):
        KeyDecoder("xx")


def test_describe_says_the_kind_not_the_content() -> None:
    assert (
        ScanResult("42010581000042123456789012").describe()
        == "totem ticket (26 digits), 26 characters"
    )
    assert ScanResult("https://x.it/a").describe() == "URL, 14 characters"
    assert ScanResult("BOOK-1").describe() == "other code, 6 characters"
