"""The one line for a file this user may not read or write (a technician not root, not kiosk):
the real cause and what to do, never a reset, the data being fine. A leaf module: the
configuration, the store and the commands all say it."""

from __future__ import annotations

AS_WHOM = "run as root or as the kiosk user (sudo -u kiosk kiosk ...)"


def denied_line(path: object) -> str:
    return f"{path}: permission denied; {AS_WHOM}"
