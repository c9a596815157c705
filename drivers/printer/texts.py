"""What the ticket says, from the shared catalogs (:mod:`kiosk.i18n`, messages ``ticket.*``).
Arabic cannot be printed in a printer code page; an Arabic-speaking citizen's ticket is printed in
English (see :func:`drivers.printer.ticket.printable_language`)."""

from __future__ import annotations

from kiosk import i18n

# The languages whose letters the printer's code page holds.
PRINTABLE = ("it", "en", "fr", "de", "es")


def ticket_texts(lang: str) -> dict[str, str]:
    """Every message of the printed ticket in ``lang``, by name ("ahead", "wait", ...)."""
    return i18n.messages(lang, "ticket")
