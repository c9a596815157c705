"""Log lines as the journal wants them: one line per event, with a level, and nothing secret.

Nothing a citizen scanned, no token, booking code or ticket payload is ever passed to a log
call; :class:`Redact` is the second line of defence and masks anything shaped like one
(a 26-digit payload, a long digit run, a bearer token, a hex key) before a line is written.
"""

from __future__ import annotations

import logging
import os
import re

# sd-daemon(3) priorities, read by journald from the start of each line.
_PRIORITY = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}

_SECRETS = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"[0-9]{12,}"  # payloads (26 digits) and other long digit runs (booking codes)
    r"|[0-9a-fA-F]{32,}"  # hex keys
    r"|[A-Za-z0-9_-]{32,}"  # url-safe bearer tokens (43 characters)
    r")(?![0-9A-Za-z])"
)


def redact(text: str) -> str:
    """``text`` with anything shaped like a payload, key or token replaced by ``[redacted]``."""
    return _SECRETS.sub("[redacted]", text)


class Redact(logging.Filter):
    """Masks secret-shaped strings in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class OneLineFormatter(logging.Formatter):
    """``<6>kiosk.sync: message`` for the journal, ``INFO kiosk.sync: message`` at a terminal.

    Line breaks inside a message and a traceback's lines are joined with `` | `` so one event
    is always one journal entry.
    """

    def __init__(self, journal: bool) -> None:
        super().__init__("%(name)s: %(message)s")
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        text = redact(" | ".join(line for line in text.splitlines() if line.strip()))
        if self.journal:
            return f"<{_PRIORITY.get(record.levelno, 6)}>{text}"
        return f"{record.levelname} {text}"


def setup_logging(service: bool = False) -> None:
    """One line per event on stderr, which systemd sends to the journal.

    Under systemd (``$JOURNAL_STREAM`` set) each line starts with its syslog priority
    (``<3>`` error ... ``<7>`` debug), which journald reads as the entry's level and strips;
    at a terminal the level is written out instead. Long-running processes (``service``) log
    from INFO, one-shot commands from WARNING; ``$KIOSK_LOG_LEVEL`` overrides both.
    """
    default = "INFO" if service else "WARNING"
    level = os.environ.get("KIOSK_LOG_LEVEL", default).upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        level = default
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "kiosk", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler()
    handler.kiosk = True  # type: ignore[attr-defined]
    handler.setFormatter(OneLineFormatter(journal=bool(os.environ.get("JOURNAL_STREAM"))))
    handler.addFilter(Redact())
    root.addHandler(handler)
    root.setLevel(level)


def internal_error(exc: Exception) -> str:
    """The one line a technician gets for a bug; ``KIOSK_DEBUG=1`` gives the traceback."""
    return (
        f"kiosk: internal error ({type(exc).__name__}: {exc}); "
        "run again with KIOSK_DEBUG=1 for details"
    )
