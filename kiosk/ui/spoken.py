"""What a screen says aloud: exactly the words it shows, in the order they are laid out, with
ticket numbers read as numbers ("A042" is "a quarantadue", never "a zero quattro due") and the
keypad's keys for that screen. The same text for the speaker, the keypad's "repeat" and
``kiosk say``, so what is heard can never drift from what is shown."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from kiosk import i18n
from kiosk.core.speech import ticket_words
from kiosk.ui.i18n import text

CODE = re.compile(r"\b([A-Z]{1,2}[0-9]{3})\b")
PARAGRAPH = re.compile(r"([.!?:;؟])?[ \t]*\n+\s*")
CLOCK = re.compile(r"\b([01]?[0-9]|2[0-3]):([0-5][0-9])\b")
MINUTES = re.compile(r"([0-9]+) (?:min|Min)(?=\.?(?:$|[\s,.·]))")  # German's "Min." keeps its dot


def aloud(words: str, lang: str) -> str:
    """Shown words made ready for a voice: ticket codes as numbers, "min" as minutes."""
    words = words.replace("\u00a0", " ")
    words = CODE.sub(lambda m: ticket_words(m.group(1), lang), words)
    words = MINUTES.sub(lambda m: _minutes(lang, int(m.group(1))), words)
    words = CLOCK.sub(_clock, words)  # "09:00" is "9", not "zero nine zero zero"
    words = _days_said(words, lang)
    comma = "، " if lang == "ar" else ", "
    words = PARAGRAPH.sub(lambda m: (m.group(1) or ".") + " ", words)  # never ".. ."
    return words.replace(" · ", comma)


def _minutes(lang: str, n: int) -> str:
    return i18n.plural(lang, "speech.minutes", n, n=n)


def _days_said(words: str, lang: str) -> str:
    """ "mer" said as "mercoledì" (a voice would read the short name as a word)."""
    from kiosk.i18n.dates import weekdays  # Babel, loaded the first time a screen is said

    for short, full in zip(weekdays(lang), weekdays(lang, "wide"), strict=True):
        if short != full:
            words = re.sub(rf"(?<!\w){re.escape(short)}(?!\w)", full, words)
    return words


def _clock(match: re.Match[str]) -> str:
    hours, minutes = int(match.group(1)), int(match.group(2))
    return f"{hours}" if minutes == 0 else f"{hours} {minutes}"


def shown_words(screen: QWidget) -> list[str]:
    """The visible words of ``screen``'s labels and buttons, in layout order."""
    out: list[str] = []
    for child in screen.findChildren(QWidget):
        if not child.isVisibleTo(screen):
            continue
        if isinstance(child, QLabel | QAbstractButton) and not child.property("silent"):
            words = child.text().strip()
            if words and not words.startswith(("◀", "▶")):
                out.append(words)
    return out


def spoken(screen: QWidget, lang: str, keys: str | None = None) -> str:
    """What ``screen`` says: its words, then the keypad help (an i18n key) when given."""
    parts = _number_is([w.rstrip(" .:;") for w in shown_words(screen)], lang)
    if keys:
        parts.append(text(lang, keys))
    return aloud(sentences(*parts), lang).strip()


def sentences(*parts: str) -> str:
    """Whole sentences said one after another (never words joined into one)."""
    return ". ".join(p for p in parts if p)


def _number_is(parts: list[str], lang: str) -> list[str]:
    """ "Your number" shown above "A042" is said as one sentence: "your number is a 42"."""
    heading = text(lang, "your_ticket")
    out: list[str] = []
    for part in parts:
        if out and out[-1] == heading and CODE.fullmatch(part):
            out[-1] = text(lang, "number_is", ticket=part)
        else:
            out.append(part)
    return out


def of_window(window: Any) -> str:
    """What the window's current screen says, with the office's name first on the home
    screen and the keys that work there last."""
    screen = window.stack.currentWidget()
    keys = "keys_privacy" if window.showing() == "privacy" else "keys_home"
    words = spoken(screen, window.lang, keys)
    if screen is window.home:
        words = f"{window.config.branch_name}. {words}"
    return words
