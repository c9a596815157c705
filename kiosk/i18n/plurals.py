"""Which of a catalog's plural forms is which CLDR category (zero, one, two, few, many, other).

A gettext catalog numbers its forms (``msgstr[0]`` ...) by its ``Plural-Forms`` expression;
a browser's ``Intl.PluralRules`` and Babel name them by category. The two are matched by asking
both about the same numbers.
"""

from __future__ import annotations

import functools
import gettext

from babel import Locale
from babel.messages.plurals import get_plural

# Numbers that reach every category of every language Totem has (Arabic's "many" is 11-99,
# Italian's "many" a round million).
SAMPLES = (*range(0, 112), 1_000_000, 2_000_000)


@functools.cache
def categories(lang: str) -> dict[str, int]:
    """``{category: form index}`` for ``lang``, from CLDR's rules as Babel carries them."""
    rule = Locale.parse(lang).plural_form
    index = gettext.c2py(get_plural(lang).plural_expr)
    out: dict[str, int] = {}
    for n in SAMPLES:
        out.setdefault(rule(n), index(n))
    return out


def header(lang: str) -> str:
    """The ``Plural-Forms`` header CLDR gives ``lang``."""
    return str(get_plural(lang).plural_forms)
