"""Announcements: numbers read as numbers (num2words), in all six languages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import i18n
from kiosk.core.speech import announcement, number_words, phrases

IT = {
    1: "uno", 3: "tre", 10: "dieci", 11: "undici", 17: "diciassette", 20: "venti", 21: "ventuno",
    23: "ventitré", 28: "ventotto", 33: "trentatré", 42: "quarantadue", 71: "settantuno",
    80: "ottanta", 88: "ottantotto", 99: "novantanove", 100: "cento", 101: "centouno",
    108: "centotto", 111: "centoundici", 180: "centottanta", 200: "duecento", 342: "trecentoquarantadue",
    999: "novecentonovantanove",
}  # fmt: skip
EN = {
    1: "one", 12: "twelve", 20: "twenty", 21: "twenty-one", 42: "forty-two", 99: "ninety-nine",
    100: "one hundred", 101: "one hundred and one", 342: "three hundred and forty-two",
    999: "nine hundred and ninety-nine",
}  # fmt: skip


@pytest.mark.parametrize(("n", "words"), IT.items())
def test_italian_numbers(n: int, words: str) -> None:
    assert number_words(n, "it") == words


@pytest.mark.parametrize(("n", "words"), EN.items())
def test_english_numbers(n: int, words: str) -> None:
    assert number_words(n, "en") == words


@pytest.mark.parametrize(
    ("lang", "n", "words"),
    [("fr", 71, "soixante et onze"), ("fr", 80, "quatre-vingts"), ("fr", 200, "deux cents"),
     ("de", 42, "zweiundvierzig"), ("de", 101, "einhunderteins"), ("es", 42, "cuarenta y dos"),
     ("es", 100, "cien"), ("es", 115, "ciento quince")],
)  # fmt: skip
def test_other_languages(lang: str, n: int, words: str) -> None:
    assert number_words(n, lang) == words


@pytest.mark.parametrize(
    ("ticket", "desk", "lang", "text"),
    [
        ("A042", "3", "it", "a quarantadue, sportello tre"),
        ("A042", "3", "en", "ay forty-two, desk three"),
        ("B007", "12", "it", "bi sette, sportello dodici"),
        ("SS100", "2", "en", "ess ess one hundred, desk two"),
        ("A001", "3B", "it", "a uno, sportello tre bi"),
        ("A042", "3", "ar", "إيه اثنان و أربعون، الشباك ثلاثة"),  # Arabic, read right to left
        ("B007", "3", "fr", "bé sept, guichet trois"),
    ],
)
def test_announcement(ticket: str, desk: str, lang: str, text: str) -> None:
    assert announcement(ticket, desk, lang, i18n.text(lang, "speech.call")) == text


@pytest.mark.parametrize("lang", ["it", "en", "fr", "de", "es", "ar"])
def test_never_digit_by_digit_or_a_leading_zero(lang: str) -> None:
    for n in range(1, 1000):
        words = number_words(n, lang)
        assert not any(ch.isdigit() for ch in words)
        assert not words.startswith(("zero", "zéro", "null", "cero", "صفر"))


def test_out_of_range() -> None:
    with pytest.raises(ValueError):
        number_words(1000, "it")
    with pytest.raises(ValueError):
        announcement("A42", "3", "it", "{ticket}, sportello {desk}")


PRIVACY = (
    "Informativa sulla privacy. Il totem non chiede chi è. Il biglietto porta solo un numero. "
    "I dati del giorno sono cancellati a fine giornata!\nTitolare: Comune di prova; "
    "responsabile della protezione dei dati: dpo@comune.example. Pagina 1 di 3."
)


def test_long_words_are_cut_at_sentence_ends_into_parts_a_voice_starts_on_at_once() -> None:
    parts = phrases(PRIVACY)
    assert len(parts) >= 3
    assert all(part[-1] in ".!;:" for part in parts[:-1])  # cut only where a sentence ends
    assert all(len(part) >= 80 for part in parts[:-1])
    assert len(parts[0]) < 120  # the first part is short: heard soon
    assert " ".join(parts) == " ".join(PRIVACY.split())
    assert phrases("A 42.") == ["A 42."] and phrases("  ") == []
    assert len(phrases("رقمك هو A 42. " * 10)) > 1  # Arabic too


@given(st.text(alphabet=st.sampled_from("ab .!?؟\n"), max_size=300), st.integers(1, 200))
def test_phrases_keep_every_word_in_order(words: str, least: int) -> None:
    parts = phrases(words, least)
    assert " ".join(parts) == " ".join(words.split())
    assert all(len(p) >= least for p in parts[:-1])
