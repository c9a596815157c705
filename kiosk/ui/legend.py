"""The speech banner: while speech is on, the keypad's keys for the screen shown, drawn as key
caps with a word each ("4 6 move · 5 choose · 8 repeat · 7 9 volume · 0 speech off"), so a
companion, a member of staff or someone who sees a little knows what the keys do. Silent: the
same keys are said at the end of every screen's reading (``ui.keys_home``). One label of rich
text, wrapping between keys and never inside one, so it never widens the window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from kiosk.i18n import RTL
from kiosk.ui.i18n import text

HOME_KEYS = (("46", "key_move"), ("5", "key_choose"), ("8", "key_repeat"),
             ("79", "key_volume"), ("0", "key_off"))  # fmt: skip
PRIVACY_KEYS = (("46", "key_pages"), ("5", "key_back"), ("8", "key_repeat"),
                ("79", "key_volume"), ("0", "key_off"))  # fmt: skip
NBSP = "\u00a0"


def legend_html(lang: str, keys: tuple[tuple[str, str], ...], cap: str, on_cap: str) -> str:
    """The keys as rich text: each digit a cap in ``cap`` with ``on_cap`` figures, its word
    after it; the wrap falls only between one key's word and the next key."""
    from html import escape  # once speech is on: not on the start path

    def key(digits: str, word: str) -> str:
        caps = NBSP.join(
            f'<span style="background-color:{cap}; color:{on_cap}; font-weight:bold">'
            f"{NBSP}{d}{NBSP}</span>"
            for d in digits
        )
        return f"<nobr>{caps}{NBSP}{escape(text(lang, word))}</nobr>"

    keys_html = " &nbsp;&nbsp; ".join(key(*k) for k in keys)
    direction = "rtl" if lang in RTL else "ltr"  # the caps before their words in Arabic too
    return f'<div dir="{direction}">{keys_html}</div>'


class KeyLegend(QLabel):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("keysRow")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setProperty("silent", True)
        self.shown: tuple[str, tuple[tuple[str, str], ...], str, str] | None = None

    def show_keys(
        self, lang: str, keys: tuple[tuple[str, str], ...], cap: str, on_cap: str
    ) -> None:
        if self.shown != (lang, keys, cap, on_cap):
            self.shown = (lang, keys, cap, on_cap)
            self.setText(legend_html(lang, keys, cap, on_cap))
            self.setAccessibleName(
                text(lang, "keys_privacy" if keys is PRIVACY_KEYS else "keys_home")
            )
