"""The central service as the third witness of a kiosk's day (DESIGN 10; contract section 5).

A kiosk's seq rises for ever: a lost or replaced database never restarts it. The central keeps
the highest seq each kiosk ever sent (``kiosk_seq``, kept past the retention) and refuses a
batch holding an event it has never seen whose seq is not above it: ``409 seq_went_back`` with
that seq, and nothing of the batch stored. A kiosk that lost both of its markers asks for its
high-water marks (:func:`marks`) and continues after them (``kiosk store reset --yes
--from-central``): the seq, and the day's last number of each service it issued.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from central.db import Database, Tx

_NUMBER = re.compile(r"\A([A-Z]{1,2})(\d{3})\Z")


class SeqWentBack(Exception):
    """A batch whose new events' seq is not above the highest the kiosk ever sent."""

    def __init__(self, last: int) -> None:
        super().__init__(f"seq went back (the highest held is {last})")
        self.last = last


def last_seq(tx: Tx, kiosk: str) -> int:
    """The highest seq ``kiosk`` ever sent (for a kiosk known before this table: the highest
    its events still kept hold)."""
    rows = tx.execute("SELECT last_seq FROM kiosk_seq WHERE kiosk = ?", (kiosk,))
    if rows:
        return int(rows[0][0])
    rows = tx.execute(
        "SELECT MAX(m) FROM (SELECT MAX(seq) AS m FROM events WHERE kiosk = ?"
        " UNION ALL SELECT MAX(seq) AS m FROM sealed WHERE kiosk = ?) AS seqs",
        (kiosk, kiosk),
    )
    return int(rows[0][0] or 0) if rows else 0


def check(tx: Tx, kiosk: str, events: Sequence[Mapping[str, Any]]) -> int:
    """The kiosk's highest seq before this batch.

    Raises:
        SeqWentBack: an event not held yet has a seq at or below it. (A batch sent again has
            every event held already: acknowledged again, as always.)
    """
    last = last_seq(tx, kiosk)
    behind = [e for e in events if e["seq"] <= last]
    if behind and _unheld(tx, kiosk, behind):
        raise SeqWentBack(last)
    return last


def advance(tx: Tx, kiosk: str, last: int, events: Sequence[Mapping[str, Any]]) -> None:
    """Record the batch's highest seq (inside the batch's transaction)."""
    high = max((int(e["seq"]) for e in events), default=0)
    if high > last:
        tx.execute(
            "INSERT INTO kiosk_seq (kiosk, last_seq) VALUES (?, ?) ON CONFLICT (kiosk) DO UPDATE"
            " SET last_seq = CASE WHEN excluded.last_seq > kiosk_seq.last_seq"
            " THEN excluded.last_seq ELSE kiosk_seq.last_seq END",
            (kiosk, high),
        )


def _unheld(tx: Tx, kiosk: str, events: Sequence[Mapping[str, Any]]) -> bool:
    """Whether any of ``events`` is new to the central: an id it does not hold (ticket,
    check-in, health and hour events are kept by id; a sealed one is held when its service's
    kept boxes are this kiosk's, as recent or more)."""
    for table in ("events", "hours"):
        ids = [str(e["id"]) for e in events if e["type"] != "service.sealed"]
        if not ids:
            break
        marks = ", ".join("?" for _ in ids)
        held = {r[0] for r in tx.execute(f"SELECT id FROM {table} WHERE id IN ({marks})", ids)}  # noqa: S608
        events = [e for e in events if e["type"] == "service.sealed" or e["id"] not in held]
    for e in events:
        if e["type"] != "service.sealed":
            return True
        rows = tx.execute(
            "SELECT seq FROM sealed WHERE branch = ? AND service = ? AND kiosk = ?",
            (e["branch"], e["service"], kiosk),
        )
        if not rows or int(rows[0][0]) < int(e["seq"]):
            return True
    return False


def marks(db: Database, kiosk: str, day: str) -> dict[str, Any]:
    """What a kiosk that lost both markers continues after: its highest seq, and the last
    number of each service it issued on ``day`` (as long as the retention keeps the day)."""

    def work(tx: Tx) -> dict[str, Any]:
        numbers: dict[str, int] = {}
        for (ticket,) in tx.execute(
            "SELECT ticket FROM events WHERE kiosk = ? AND day = ? AND ticket IS NOT NULL"
            " AND type IN ('ticket.issued', 'appointment.checked_in')",
            (kiosk, day),
        ):
            found = _NUMBER.match(str(ticket))
            if found:
                service, number = found[1], int(found[2])
                numbers[service] = max(numbers.get(service, 0), number)
        return {"kiosk": kiosk, "day": day, "seq": last_seq(tx, kiosk), "numbers": numbers}

    return db.run(work)
