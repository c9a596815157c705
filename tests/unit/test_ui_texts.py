"""Every string in every language, and text contrast of at least 4.5:1 in every theme."""

from __future__ import annotations

import re

import pytest

from kiosk.config import LANGUAGES
from kiosk.ui.i18n import DAYS, TEXTS, text
from kiosk.ui.theme import THEMES, contrast, mm_to_px


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_exists_in_every_language(lang: str) -> None:
    assert set(TEXTS[lang]) == set(TEXTS["it"]), (
        f"{lang} misses {set(TEXTS['it']) - set(TEXTS[lang])}"
    )
    assert all(value.strip() for value in TEXTS[lang].values())
    assert len(DAYS[lang].split()) == 7


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match_the_italian(lang: str) -> None:
    for key, value in TEXTS["it"].items():
        assert set(re.findall(r"{(\w+)}", TEXTS[lang][key])) == set(
            re.findall(r"{(\w+)}", value)
        ), (lang, key)


def test_text_fills_values() -> None:
    assert text("it", "closed_until", time="14:30") == "Chiuso, riapre alle 14:30"
    assert text("ar", "wait", m=12) == "حوالي 12 دقيقة"


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.name)
def test_text_contrast_is_at_least_4_5_to_1(theme) -> None:
    for name, (fg, bg) in theme.pairs().items():
        assert contrast(fg, bg) >= 4.5, f"{theme.name}.{name}: {contrast(fg, bg):.2f}"


def test_contrast_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_two_centimetres_in_pixels() -> None:
    assert mm_to_px(20, 96) == 76
    assert mm_to_px(20, 160) == 126
