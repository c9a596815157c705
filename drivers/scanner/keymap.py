"""Linux key codes to characters for the keyboard layouts scanners emulate, and the decoder
that turns a keyboard-wedge scanner's key events into codes.

Pure: events in (with their kernel timestamps), finished codes out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.scanner import INTER_KEY_TIMEOUT, MAX_CODE_LENGTH, ScanResult, check_code

KEY_ENTER, KEY_KPENTER = 28, 96
KEY_LEFTSHIFT, KEY_RIGHTSHIFT, KEY_CAPSLOCK, KEY_RIGHTALT = 42, 54, 58, 100
EV_KEY = 1

_ROW_Q, _ROW_A, _ROW_Z = range(16, 26), range(30, 39), range(44, 51)
_QWERTY = dict(zip([*_ROW_Q, *_ROW_A, *_ROW_Z], "qwertyuiopasdfghjklzxcvbnm", strict=True))
_DIGITS = dict(zip(range(2, 12), "1234567890", strict=True))
# Keypad with NumLock on, the same in every layout.
KEYPAD = {
    71: "7", 72: "8", 73: "9", 74: "-", 75: "4", 76: "5", 77: "6", 78: "+",
    79: "1", 80: "2", 81: "3", 82: "0", 83: ".", 98: "/", 55: "*",
}  # fmt: skip


def _layout(
    letters: dict[int, str], pairs: dict[int, tuple[str, str]]
) -> dict[int, tuple[str, str]]:
    table = {code: (ch, ch.upper()) for code, ch in letters.items()}
    table.update(pairs)
    table[57] = (" ", " ")
    return table


def _row(unshifted: str, shifted: str) -> dict[int, tuple[str, str]]:
    return {code: (a, b) for code, a, b in zip(range(2, 12), unshifted, shifted, strict=True)}


US = _layout(
    _QWERTY,
    {
        **_row("1234567890", "!@#$%^&*()"),
        12: ("-", "_"), 13: ("=", "+"), 26: ("[", "{"), 27: ("]", "}"), 39: (";", ":"),
        40: ("'", '"'), 41: ("`", "~"), 43: ("\\", "|"), 51: (",", "<"), 52: (".", ">"),
        53: ("/", "?"),
    },
)  # fmt: skip
IT = _layout(
    _QWERTY,
    {
        **_row("1234567890", '!"£$%&/()='),
        12: ("'", "?"), 13: ("ì", "^"), 26: ("è", "é"), 27: ("+", "*"), 39: ("ò", "ç"),
        40: ("à", "°"), 41: ("\\", "|"), 43: ("ù", "§"), 51: (",", ";"), 52: (".", ":"),
        53: ("-", "_"), 86: ("<", ">"),
    },
)  # fmt: skip
DE = _layout(
    {**_QWERTY, 21: "z", 44: "y"},
    {
        **_row("1234567890", '!"§$%&/()='),
        12: ("ß", "?"), 27: ("+", "*"), 26: ("ü", "Ü"), 39: ("ö", "Ö"), 40: ("ä", "Ä"),
        43: ("#", "'"), 51: (",", ";"), 52: (".", ":"), 53: ("-", "_"), 86: ("<", ">"),
    },
)  # fmt: skip
FR = _layout(
    {k: v for k, v in {**_QWERTY, 16: "a", 17: "z", 30: "q", 39: "m", 44: "w"}.items() if k != 50},
    {
        **_row("&é\"'(-è_çà", "1234567890"),
        12: (")", "°"), 13: ("=", "+"), 27: ("$", "£"), 40: ("ù", "%"), 43: ("*", "µ"),
        50: (",", "?"), 51: (";", "."), 52: (":", "/"), 53: ("!", "§"), 86: ("<", ">"),
    },
)  # fmt: skip
LAYOUTS: dict[str, dict[int, tuple[str, str]]] = {"us": US, "it": IT, "de": DE, "fr": FR}


def char_for(layout: dict[int, tuple[str, str]], code: int, shift: bool, caps: bool) -> str | None:
    """The character a key types, or None for a key that types nothing we accept."""
    if code in KEYPAD:
        return KEYPAD[code]
    pair = layout.get(code)
    if pair is None:
        return None
    plain, shifted = pair
    if plain.isalpha() and len(plain) == 1 and plain.lower() != plain.upper():
        # Caps Lock inverts letters only; digits and symbols still need Shift.
        return shifted if shift != caps else plain
    return shifted if shift else plain


@dataclass
class KeyDecoder:
    """Collects key presses into codes; Enter ends a code.

    Args:
        layout: the name of the layout the scanner is set to emulate.
        timeout: a gap longer than this between two keys drops what was typed before it.
    """

    layout: str = "us"
    timeout: float = INTER_KEY_TIMEOUT
    _chars: list[str] = field(default_factory=list)
    _shift: set[int] = field(default_factory=set)
    _caps: bool = False
    _bad: str | None = None
    _last: float | None = None

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ValueError(f'layout "{self.layout}" is not one of {", ".join(LAYOUTS)}')
        self._table = LAYOUTS[self.layout]

    def reset(self) -> None:
        self._chars.clear()
        self._bad = None

    def feed(self, code: int, value: int, timestamp: float) -> ScanResult | None:
        """One EV_KEY event (value 1 press, 0 release, 2 repeat); returns a finished read."""
        if code in (KEY_LEFTSHIFT, KEY_RIGHTSHIFT):
            (self._shift.add if value else self._shift.discard)(code)
            return None
        if value != 1:
            return None
        if self._last is not None and timestamp - self._last > self.timeout:
            self.reset()  # a partial read went stale; this key starts a new code
        self._last = timestamp
        if code == KEY_CAPSLOCK:
            self._caps = not self._caps
            return None
        if code in (KEY_ENTER, KEY_KPENTER):
            result = ScanResult(None, self._bad) if self._bad else check_code("".join(self._chars))
            self.reset()
            return result
        char = char_for(self._table, code, bool(self._shift), self._caps)
        if char is None:
            self._bad = self._bad or "control_characters"
        elif len(self._chars) <= MAX_CODE_LENGTH:
            self._chars.append(char)
        else:
            self._bad = "too_long"
        return None


def keystrokes(text: str, layout: str) -> list[tuple[int, bool]]:
    """How a scanner set to ``layout`` types ``text``: (key code, shift) per character.

    Used by the scanner simulator. Raises KeyError for a character the layout cannot type.
    """
    table = LAYOUTS[layout]
    reverse: dict[str, tuple[int, bool]] = {}
    for code, (plain, shifted) in table.items():
        reverse.setdefault(plain, (code, False))
        reverse.setdefault(shifted, (code, True))
    return [reverse[ch] for ch in text]
