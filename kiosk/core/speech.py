"""What is said aloud: a desk's call on the waiting-room display ("A quarantadue, sportello
tre") and numbers in the totem's own speech, in all six languages.

Numbers are read as numbers, never digit by digit and never with a leading "zero" (num2words,
which knows all six, Arabic included); service letters are read by their names in the
language, so a speech synthesiser cannot mistake "A" for an article.
"""

from __future__ import annotations

import re

from kiosk.i18n import LANGUAGES

LETTERS = {
    "it": "a bi ci di e effe gi acca i i-lunga cappa elle emme enne o pi cu erre esse ti u vu doppia-vu ics ipsilon zeta",
    "en": "ay bee see dee ee ef gee aitch eye jay kay el em en oh pee cue ar ess tee you vee double-you ex why zed",
    "fr": "a bé cé dé e effe gé ache i ji ka elle emme enne o pé ku erre esse té u vé double-vé ixe i-grec zède",
    "de": "a be ze de e eff ge ha i jott ka ell emm enn o pe ku err ess te u fau we ix üpsilon zett",
    "es": "a be ce de e efe ge hache i jota ka ele eme ene o pe cu erre ese te u uve uve-doble equis ye zeta",
    "ar": "إيه بي سي دي إي إف جي إتش آي جيه كيه إل إم إن أو بي كيو آر إس تي يو في دبليو إكس واي زد",
}


def number_words(n: int, lang: str) -> str:
    """``number_words(42, "it") == "quarantadue"``; 0 <= n <= 999."""
    if not 0 <= n <= 999:
        raise ValueError(f"{n} is outside 0..999")
    from num2words import num2words  # 17 ms: loaded when a number is first said, not at start

    return str(num2words(n, lang=lang if lang in LANGUAGES else "en"))


def _spell(text: str, lang: str) -> str:
    names = LETTERS[lang].split()
    return " ".join(names[ord(ch) - ord("A")] if "A" <= ch <= "Z" else ch for ch in text.upper())


def _desk(desk: str, lang: str) -> str:
    if desk.isascii() and desk.isdigit():
        return number_words(int(desk), lang)
    parts = re.findall(r"[0-9]+|[A-Za-z]", desk)
    return " ".join(number_words(int(p), lang) if p.isdigit() else _spell(p, lang) for p in parts)


def ticket_words(ticket: str, lang: str) -> str:
    """A ticket code as said aloud: ``ticket_words("A042", "it") == "a quarantadue"``.

    Raises:
        ValueError: not a ticket code.
    """
    lang = lang if lang in LANGUAGES else "en"
    match = re.fullmatch(r"([A-Z]{1,2})([0-9]{3})", ticket)
    if not match:
        raise ValueError("not a ticket code")
    letters, number = match.groups()
    return f"{_spell(letters, lang)} {number_words(int(number), lang)}"


def announcement(ticket: str, desk: str, lang: str, phrase: str) -> str:
    """What is spoken for a call, ``phrase`` (the catalog's ``speech.call``, "{ticket},
    sportello {desk}") said with words: ``"a quarantadue, sportello tre"``."""
    lang = lang if lang in LANGUAGES else "en"
    return phrase.format(ticket=ticket_words(ticket, lang), desk=_desk(desk, lang))


_SENTENCE_END = re.compile(r"(?<=[.!?;:؟…])\s+|\n+")


def phrases(words: str, least: int = 80) -> list[str]:
    """``words`` cut at sentence ends into parts of at least ``least`` characters (the last may
    be shorter), so a voice can start on the first part while it makes the rest: a long
    privacy page is heard at once rather than after all of it is made.

    ``" ".join(phrases(w)) == " ".join(w.split())``.
    """
    out: list[str] = []
    for sentence in _SENTENCE_END.split(words):
        sentence = " ".join(sentence.split())
        if not sentence:
            continue
        if out and len(out[-1]) < least:
            out[-1] = f"{out[-1]} {sentence}"
        else:
            out.append(sentence)
    return out
