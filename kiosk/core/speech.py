"""What the waiting-room display says when a desk calls: "A quarantadue, sportello tre".

Numbers are read as numbers, never digit by digit and never with a leading "zero"; service
letters are read by their names in the language, so a speech synthesiser cannot mistake "A"
for an article.
"""

from __future__ import annotations

import re

LANGUAGES = ("it", "en", "fr", "de", "es")
DESK_WORD = {"it": "sportello", "en": "desk", "fr": "guichet", "de": "Schalter", "es": "ventanilla"}

LETTERS = {
    "it": "a bi ci di e effe gi acca i i-lunga cappa elle emme enne o pi cu erre esse ti u vu doppia-vu ics ipsilon zeta",
    "en": "ay bee see dee ee ef gee aitch eye jay kay el em en oh pee cue ar ess tee you vee double-you ex why zed",
    "fr": "a bé cé dé e effe gé ache i ji ka elle emme enne o pé ku erre esse té u vé double-vé ixe i-grec zède",
    "de": "a be ze de e eff ge ha i jott ka ell emm enn o pe ku err ess te u fau we ix üpsilon zett",
    "es": "a be ce de e efe ge hache i jota ka ele eme ene o pe cu erre ese te u uve uve-doble equis ye zeta",
}

_IT_UNITS = [
    "zero",
    "uno",
    "due",
    "tre",
    "quattro",
    "cinque",
    "sei",
    "sette",
    "otto",
    "nove",
    "dieci",
    "undici",
    "dodici",
    "tredici",
    "quattordici",
    "quindici",
    "sedici",
    "diciassette",
    "diciotto",
    "diciannove",
]
_IT_TENS = {
    2: "venti",
    3: "trenta",
    4: "quaranta",
    5: "cinquanta",
    6: "sessanta",
    7: "settanta",
    8: "ottanta",
    9: "novanta",
}
_EN_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_EN_TENS = {
    2: "twenty",
    3: "thirty",
    4: "forty",
    5: "fifty",
    6: "sixty",
    7: "seventy",
    8: "eighty",
    9: "ninety",
}
_FR_UNITS = [
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "dix-sept",
    "dix-huit",
    "dix-neuf",
]
_FR_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}
_DE_UNITS = [
    "null",
    "eins",
    "zwei",
    "drei",
    "vier",
    "fünf",
    "sechs",
    "sieben",
    "acht",
    "neun",
    "zehn",
    "elf",
    "zwölf",
    "dreizehn",
    "vierzehn",
    "fünfzehn",
    "sechzehn",
    "siebzehn",
    "achtzehn",
    "neunzehn",
]
_DE_TENS = {
    2: "zwanzig",
    3: "dreißig",
    4: "vierzig",
    5: "fünfzig",
    6: "sechzig",
    7: "siebzig",
    8: "achtzig",
    9: "neunzig",
}
_ES_UNITS = [
    "cero",
    "uno",
    "dos",
    "tres",
    "cuatro",
    "cinco",
    "seis",
    "siete",
    "ocho",
    "nueve",
    "diez",
    "once",
    "doce",
    "trece",
    "catorce",
    "quince",
    "dieciséis",
    "diecisiete",
    "dieciocho",
    "diecinueve",
    "veinte",
    "veintiuno",
    "veintidós",
    "veintitrés",
    "veinticuatro",
    "veinticinco",
    "veintiséis",
    "veintisiete",
    "veintiocho",
    "veintinueve",
]
_ES_TENS = {
    3: "treinta",
    4: "cuarenta",
    5: "cincuenta",
    6: "sesenta",
    7: "setenta",
    8: "ochenta",
    9: "noventa",
}
_ES_HUNDREDS = {
    1: "ciento", 2: "doscientos", 3: "trescientos", 4: "cuatrocientos", 5: "quinientos",
    6: "seiscientos", 7: "setecientos", 8: "ochocientos", 9: "novecientos",
}  # fmt: skip


def _it(n: int) -> str:
    if n < 20:
        return _IT_UNITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        word = _IT_TENS[tens]
        if unit in (1, 8):
            word = word[:-1]  # ventuno, ventotto
        return word + ("tré" if unit == 3 else _IT_UNITS[unit] if unit else "")
    hundreds, rest = divmod(n, 100)
    head = "cento" if hundreds == 1 else _IT_UNITS[hundreds] + "cento"
    if not rest:
        return head
    tail = _it(rest)
    return (head[:-1] if tail.startswith("ott") else head) + tail  # centottanta


def _en(n: int) -> str:
    if n < 20:
        return _EN_UNITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _EN_TENS[tens] + (f"-{_EN_UNITS[unit]}" if unit else "")
    hundreds, rest = divmod(n, 100)
    return f"{_EN_UNITS[hundreds]} hundred" + (f" and {_en(rest)}" if rest else "")


def _fr(n: int) -> str:
    if n < 20:
        return _FR_UNITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        if tens in (7, 9):  # soixante-dix, quatre-vingt-dix
            base = "soixante" if tens == 7 else "quatre-vingt"
            return base + ("-et-" if n == 71 else "-") + _FR_UNITS[10 + unit]
        if tens == 8:
            return "quatre-vingts" if unit == 0 else "quatre-vingt-" + _FR_UNITS[unit]
        if unit == 0:
            return _FR_TENS[tens]
        return _FR_TENS[tens] + ("-et-un" if unit == 1 else "-" + _FR_UNITS[unit])
    hundreds, rest = divmod(n, 100)
    head = "cent" if hundreds == 1 else f"{_FR_UNITS[hundreds]} cent"
    if not rest:
        return head + ("s" if hundreds > 1 else "")
    return f"{head} {_fr(rest)}"


def _de(n: int) -> str:
    if n < 20:
        return _DE_UNITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        if not unit:
            return _DE_TENS[tens]
        return ("ein" if unit == 1 else _DE_UNITS[unit]) + "und" + _DE_TENS[tens]
    hundreds, rest = divmod(n, 100)
    head = ("ein" if hundreds == 1 else _DE_UNITS[hundreds]) + "hundert"
    return head + (_de(rest) if rest else "")


def _es(n: int) -> str:
    if n < 30:
        return _ES_UNITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _ES_TENS[tens] + (f" y {_ES_UNITS[unit]}" if unit else "")
    if n == 100:
        return "cien"
    hundreds, rest = divmod(n, 100)
    return _ES_HUNDREDS[hundreds] + (f" {_es(rest)}" if rest else "")


_NUMBERS = {"it": _it, "en": _en, "fr": _fr, "de": _de, "es": _es}


def number_words(n: int, lang: str) -> str:
    """``number_words(42, "it") == "quarantadue"``; 0 <= n <= 999."""
    if not 0 <= n <= 999:
        raise ValueError(f"{n} is outside 0..999")
    return _NUMBERS[lang if lang in _NUMBERS else "en"](n)


def _spell(text: str, lang: str) -> str:
    names = LETTERS[lang].split()
    return " ".join(names[ord(ch) - ord("A")] if "A" <= ch <= "Z" else ch for ch in text.upper())


def _desk(desk: str, lang: str) -> str:
    if desk.isascii() and desk.isdigit():
        return number_words(int(desk), lang)
    parts = re.findall(r"[0-9]+|[A-Za-z]", desk)
    return " ".join(number_words(int(p), lang) if p.isdigit() else _spell(p, lang) for p in parts)


def announcement(ticket: str, desk: str, lang: str) -> str:
    """What is spoken for a call: ``announcement("A042", "3", "it") == "a quarantadue, sportello tre"``.

    Languages without number words here (Arabic) are announced in English.
    """
    lang = lang if lang in LANGUAGES else "en"
    match = re.fullmatch(r"([A-Z]{1,2})([0-9]{3})", ticket)
    if not match:
        raise ValueError("not a ticket code")
    letters, number = match.groups()
    return f"{_spell(letters, lang)} {number_words(int(number), lang)}, {DESK_WORD[lang]} {_desk(desk, lang)}"
