"""Days and dates in a language's own words, from CLDR: "mer" and "mercoledì" from the table
the catalogs' build wrote from Babel (``catalogs/days.json``: a screen that says "closed until
Wednesday" does not load Babel's locale data at its start), "3 dic 2026", "٣ ديسمبر" from Babel
itself, where a date is written (the statistics pages)."""

from __future__ import annotations

import datetime
import functools
import json
from typing import Literal

from kiosk.i18n import CATALOGS, LANGUAGES


def _locale(lang: str) -> str:
    return lang if lang in LANGUAGES else "en"


@functools.cache
def _days() -> dict[str, dict[str, list[str]]]:
    return dict(json.loads((CATALOGS / "days.json").read_text(encoding="utf-8")))


@functools.cache
def weekdays(lang: str, width: Literal["abbreviated", "wide"] = "abbreviated") -> tuple[str, ...]:
    """Monday to Sunday, ``width`` "abbreviated" (as shown) or "wide" (as said)."""
    return tuple(_days()[_locale(lang)][width])


def weekday(lang: str, index: int) -> str:
    """Day ``index`` (0 Monday) as a screen shows it."""
    return weekdays(lang)[index]


Width = Literal["short", "medium", "long"]


def day(lang: str, when: datetime.date, width: Width = "medium") -> str:
    """A date as ``lang`` writes it ("3 dic 2026", "Dec 3, 2026")."""
    from babel.dates import format_date

    return str(format_date(when, width, locale=_locale(lang)))


def short_day(lang: str, when: datetime.date) -> str:
    """Day and month, as a chart's axis writes them ("3 dic", "Dec 3", "3.12.")."""
    from babel.dates import format_skeleton

    return str(format_skeleton("MMMd", when, locale=_locale(lang)))
