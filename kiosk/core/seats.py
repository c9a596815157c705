"""Which desk holds a called ticket, written so that no disk can tell.

A called ticket's ``desk`` column holds a mark, ``HMAC(day key, desk | ticket)``: different
for every ticket, so the rows one desk called share nothing that groups them. The day key
lives in the branch server's memory only (and, under systemd, in its runtime folder on tmpfs,
so a restart of the service keeps it): never on a disk, and a new one each day. Without it
(another day, after a reboot, read from the raw disk) a mark says nothing, not even which
marks are one desk's. With it, the server checks which desk holds a ticket by computing the
mark again. Pure.
"""

from __future__ import annotations

import hashlib
import hmac

MARK_CHARS = 32


class Seat:
    """A desk, with the day key its marks are made with."""

    def __init__(self, key: bytes, desk: str) -> None:
        self.key, self.desk = key, desk

    def mark(self, ticket: str) -> str:
        """The mark this desk leaves on ``ticket`` while it serves it."""
        digest = hmac.new(self.key, f"{self.desk}|{ticket}".encode(), hashlib.sha256)
        return digest.hexdigest()[:MARK_CHARS]

    def holds(self, ticket: str, mark: str | None) -> bool:
        """Whether ``mark`` on ``ticket`` is this desk's."""
        return mark is not None and hmac.compare_digest(mark, self.mark(ticket))
