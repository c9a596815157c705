"""``python -m kiosk.i18n.build``: each catalog's source (``LANG.po``) compiled to ``LANG.mo``,
and the days of the week in every language from CLDR (``days.json``).

The compiled catalogs are kept beside their sources, so a totem reads them with the standard
library alone (Babel's locale data costs its screen a tenth of its start); a test fails when one
is older than its source or than Babel's data (tests/unit/test_catalogs.py).
"""

from __future__ import annotations

import io
import json
import sys

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kiosk.i18n import CATALOGS, LANGUAGES


def compiled(lang: str) -> bytes:
    """``lang``'s catalog as the ``.mo`` bytes its source gives."""
    with (CATALOGS / f"{lang}.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain="totem")
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def days() -> bytes:
    """Monday to Sunday in each language, as shown ("abbreviated") and as said ("wide")."""
    from babel.dates import get_day_names

    table = {
        lang: {
            width: [str(get_day_names(width, context="format", locale=lang)[i]) for i in range(7)]
            for width in ("abbreviated", "wide")
        }
        for lang in LANGUAGES
    }
    return (json.dumps(table, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def main() -> int:
    outputs = {CATALOGS / f"{lang}.mo": compiled(lang) for lang in LANGUAGES}
    outputs[CATALOGS / "days.json"] = days()
    for target, data in outputs.items():
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
            print(f"compiled {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
