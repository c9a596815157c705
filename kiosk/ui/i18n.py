"""The totem's texts: its messages in the shared catalogs (:mod:`kiosk.i18n`), named without
their ``ui.`` prefix. Arabic is written right to left and the layout mirrors."""

from __future__ import annotations

from kiosk import i18n
from kiosk.i18n import LANGUAGE_NAMES, RTL

__all__ = ["LANGUAGE_NAMES", "RTL", "known", "paper_in", "plural", "text", "weekday", "with_state"]


def text(lang: str, key: str, **values: object) -> str:
    """The totem's message ``key`` in ``lang``; without values, the message as written (a
    template a screen fills in itself)."""
    return i18n.text(lang, "ui." + key, **values)


def plural(lang: str, key: str, count: int, **values: object) -> str:
    """The totem's plural message ``key`` in the form ``count`` takes in ``lang``."""
    return i18n.plural(lang, "ui." + key, count, **values)


def known(key: str) -> bool:
    return i18n.known("ui." + key)


def with_state(lang: str, key: str, on: bool) -> str:
    """A control's name with whether it is on ("Testo grande: sì"), as it is said: one
    message per state, since "on" agrees with the control's name in some languages."""
    return text(lang, f"{key}.{'on' if on else 'off'}")


def paper_in(lang: str, paper: str) -> str:
    """ "The paper ticket is printed in English", said in ``lang``."""
    return text(lang, f"paper_in.{paper}")


def weekday(lang: str, index: int) -> str:
    from kiosk.i18n.dates import weekday as day_name  # Babel: only when a day is written

    return day_name(lang, index)
