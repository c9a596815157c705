"""Days and dates in a language's own words, from CLDR (Babel): "mer" and "mercoledì",
"3 dic 2026", "٣ ديسمبر"… Imported only where a date is written (not on the totem's start path)."""

from __future__ import annotations

import datetime
import functools
from typing import Literal

from babel.dates import format_date, format_skeleton, get_day_names

from kiosk.i18n import LANGUAGES


def _locale(lang: str) -> str:
    return lang if lang in LANGUAGES else "en"


@functools.cache
def weekdays(lang: str, width: Literal["abbreviated", "wide"] = "abbreviated") -> tuple[str, ...]:
    """Monday to Sunday, ``width`` "abbreviated" (as shown) or "wide" (as said)."""
    names = get_day_names(width, context="format", locale=_locale(lang))
    return tuple(str(names[i]) for i in range(7))


def weekday(lang: str, index: int) -> str:
    """Day ``index`` (0 Monday) as a screen shows it."""
    return weekdays(lang)[index]


Width = Literal["short", "medium", "long"]


def day(lang: str, when: datetime.date, width: Width = "medium") -> str:
    """A date as ``lang`` writes it ("3 dic 2026", "Dec 3, 2026")."""
    return str(format_date(when, width, locale=_locale(lang)))


def short_day(lang: str, when: datetime.date) -> str:
    """Day and month, as a chart's axis writes them ("3 dic", "Dec 3", "3.12.")."""
    return str(format_skeleton("MMMd", when, locale=_locale(lang)))
