"""The privacy allow-list: the only place events become JSON for the central server.

Every event is checked against contract version 2 (:mod:`kiosk.core.events`) once more on the
way out, whatever the outbox holds: exactly its type's keys leave, each value in its allowed
form, in the contract's order. An event that breaks the contract is refused whole (the agent
parks it); nothing else is ever serialised.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from kiosk.core import events
from kiosk.core.events import MAX_BATCH_BYTES, MAX_BATCH_EVENTS, NotAllowed
from kiosk.store.outbox import Row

__all__ = ["MAX_BATCH_BYTES", "MAX_BATCH_EVENTS", "Checked", "NotAllowed", "check", "check_row"]


class Checked:
    """One event that passed the allow-list, already serialised; only this module makes them."""

    __slots__ = ("id", "json", "kiosk", "seq")

    def __init__(self, event_id: str, seq: int, line: str, kiosk: str | None = None) -> None:
        self.id, self.seq, self.json, self.kiosk = event_id, seq, line, kiosk


def check(event: Mapping[str, Any], kiosk: str | None = None) -> Checked:
    """Allow-list and serialise one event (``kiosk``: sent for another kiosk of the branch).

    Raises:
        NotAllowed: the event breaks the contract; the message names the key at fault.
    """
    wire = events.wire(event)
    if kiosk is not None and (wire["type"] != "kiosk.health" or not events.is_ident(kiosk)):
        raise NotAllowed("kiosk: only a satellite's kiosk.health is sent for another kiosk")
    return Checked(wire["id"], wire["seq"], events.dumps(wire), kiosk)


def check_row(row: Row) -> Checked:
    """:func:`check` for an outbox row.

    Raises:
        NotAllowed: see :func:`check`.
    """
    return check(row.event(), row.kiosk)


def encode_checked(kiosk: str, checked: Iterable[Checked]) -> bytes:
    """The request body for ``POST /v1/events`` from checked events.

    Raises:
        NotAllowed: the kiosk id is not allowed.
    """
    if not events.is_ident(kiosk):
        raise NotAllowed("kiosk: not in the allowed format")
    return (
        '{"kiosk":' + json.dumps(kiosk) + ',"events":[' + ",".join(e.json for e in checked) + "]}"
    ).encode("ascii")
