"""The totem's texts filled in, and text contrast of at least 4.5:1 in every theme."""

from __future__ import annotations

import pytest

from kiosk.design import THEMES, contrast, mm_to_px
from kiosk.ui.i18n import plural, text


def test_text_fills_values() -> None:
    assert text("it", "closed_until", time="14:30") == "Chiuso, riapre alle 14:30"
    assert plural("ar", "wait", 12, m=12) == "حوالي 12 دقيقة"
    assert plural("ar", "wait", 5, m=5) == "حوالي 5 دقائق"
    assert plural("it", "more_time_help", 1, s=1) == "Tra 1 secondo si torna all'inizio."


def test_arabic_says_lower_and_quieter_differently() -> None:
    assert text("ar", "reach") != text("ar", "quieter")


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
