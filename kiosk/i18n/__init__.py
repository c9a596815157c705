"""Every text a citizen, a desk or a manager reads, in the six languages: gettext catalogs.

One catalog per language (``catalogs/LANG.po``, compiled to ``LANG.mo`` by
``python -m kiosk.i18n.build``), shared by the totem's screens, the printer, the display, the desk
console, the phone page and the statistics page. A message's id names its surface and meaning
(``ui.choose``, ``phone.ahead``), and the English catalog holds the English text like any other
language's.

Plural forms are CLDR's, written into each catalog's ``Plural-Forms`` header by Babel: Arabic has
six (zero, one, two, few, many, other), Italian, French and Spanish three. A sentence with a
number is one plural message, never a word joined to a number; a test reads every catalog for
every category its language has (tests/unit/test_catalogs.py).

Reading a catalog is the standard library's ``gettext`` (no Babel on the totem's start path);
Babel is used where dates are written (:mod:`kiosk.i18n.dates`) and by the pages that choose a
plural form in the browser (:func:`plural_table`).
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

# The languages a totem offers, the first the default. One place: config, speech and pages read it.
LANGUAGES = ("it", "en", "fr", "de", "es", "ar")
RTL = frozenset({"ar"})
# Each language in its own words, as the language buttons show it.
LANGUAGE_NAMES = {
    "it": "Italiano",
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "ar": "العربية",
}
CATALOGS = Path(__file__).with_name("catalogs")
PLURAL_SUFFIX = ".plural"


@functools.cache
def catalog(lang: str) -> gettext.GNUTranslations:
    """``lang``'s compiled catalog (English for a language Totem does not have)."""
    if lang not in LANGUAGES:
        lang = "en"
    with (CATALOGS / f"{lang}.mo").open("rb") as fh:
        return gettext.GNUTranslations(fh)


def text(lang: str, msgid: str, **values: object) -> str:
    """The message ``msgid`` in ``lang``, its ``{placeholders}`` filled from ``values``."""
    found = catalog(lang).gettext(msgid)
    if found == msgid:  # not in this catalog: English, which a test keeps complete
        found = catalog("en").gettext(msgid)
        if found == msgid:
            raise KeyError(f"no message {msgid!r} in the catalogs")
    return found.format(**values) if values else found


def plural(lang: str, msgid: str, count: int, **values: object) -> str:
    """The plural message ``msgid`` in the form CLDR gives ``count`` in ``lang``."""
    found = catalog(lang).ngettext(msgid, msgid + PLURAL_SUFFIX, count)
    if found in (msgid, msgid + PLURAL_SUFFIX):
        raise KeyError(f"no plural message {msgid!r} in the catalogs")
    return found.format(**values)


def known(msgid: str) -> bool:
    """Whether the catalogs have ``msgid`` (a message whose name is made from a value)."""
    return msgid in _entries("en")


def messages(lang: str, prefix: str) -> dict[str, str]:
    """Every singular message of one surface (``prefix`` "display"), by its name without the
    prefix: what a page's script needs, sent with the page."""
    start = prefix + "."
    out: dict[str, str] = {}
    for key, value in _entries(lang).items():
        if isinstance(key, str) and key.startswith(start):
            out[key[len(start) :]] = value
    return out


def plural_table(lang: str, prefix: str) -> dict[str, dict[str, str]]:
    """Every plural message of one surface as ``{name: {CLDR category: text}}``, for a page
    whose script picks the form with the browser's ``Intl.PluralRules`` (CLDR's own rules)."""
    from kiosk.i18n.plurals import categories  # Babel: not on the totem's start path

    start = prefix + "."
    out: dict[str, dict[str, str]] = {}
    index_of = categories(lang)
    for key, value in _entries(lang).items():
        if isinstance(key, tuple) and key[0].startswith(start):
            msgid, index = key
            for category, i in index_of.items():
                if i == index:
                    out.setdefault(msgid[len(start) :], {})[category] = value
    return out


def _entries(lang: str) -> dict[object, str]:
    return catalog(lang if lang in LANGUAGES else "en")._catalog  # type: ignore[attr-defined,no-any-return]
