"""``python -m kiosk.i18n.build``: each catalog's source (``LANG.po``) compiled to ``LANG.mo``.

The compiled catalogs are kept beside their sources, so a totem reads them with the standard
library alone; a test fails when one is older than its source (tests/unit/test_catalogs.py).
"""

from __future__ import annotations

import io
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


def main() -> int:
    for lang in LANGUAGES:
        target = CATALOGS / f"{lang}.mo"
        data = compiled(lang)
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
            print(f"compiled {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
