"""The privacy allow-list: the only place events become JSON for the central server.

For each event type exactly the keys of DESIGN.md section 5 leave the totem, each value checked
against its format. Any other key a caller passes (a desk, an operator, free text, a scanned
code) is dropped here and never serialised; a value of the wrong shape refuses the whole event.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

COMMON = ("id", "seq", "type", "branch", "day", "at")
TICKET_EVENTS = (
    "ticket.issued",
    "ticket.called",
    "ticket.recalled",
    "ticket.done",
    "ticket.no_show",
    "ticket.transferred",
)
KEYS: dict[str, tuple[str, ...]] = {
    **{t: (*COMMON, "ticket", "service") for t in TICKET_EVENTS},
    "ticket.issued": (*COMMON, "ticket", "service", "ref"),  # ref: a re-entry's earlier ticket
    "appointment.checked_in": (*COMMON, "ticket", "service", "ref"),
    "kiosk.health": (*COMMON, "printer", "backlog"),
}
OPTIONAL = {("ticket.issued", "ref")}
PRINTER_STATES = ("ok", "paper_low", "paper_out", "cover_open", "offline", "unknown")
MAX_BATCH_EVENTS = 500
MAX_BATCH_BYTES = 256 * 1024

_UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
_TICKET = re.compile(r"^[A-Z]{1,2}\d{3}$")
_SERVICE = re.compile(r"^[A-Z]{1,2}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_APPOINTMENT_REF = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class NotAllowed(ValueError):
    """An event cannot leave the totem as it is; the message names the field, never its value."""


def _is_str(pattern: re.Pattern[str]) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and pattern.match(v) is not None


def _is_count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


CHECKS: dict[str, Callable[[Any], bool]] = {
    "id": _is_str(_UUID4),
    "seq": lambda v: _is_count(v) and v > 0,
    "type": lambda v: isinstance(v, str) and v in KEYS,
    "branch": _is_str(_ID),
    "day": _is_str(_DAY),
    "at": _is_str(_AT),
    "ticket": _is_str(_TICKET),
    "service": _is_str(_SERVICE),
    "printer": lambda v: isinstance(v, str) and v in PRINTER_STATES,
    "backlog": _is_count,
}


def to_wire(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event as it may leave the totem: only its type's keys, each checked.

    Raises:
        NotAllowed: an unknown type, a missing key, or a value of the wrong shape.
    """
    kind = event.get("type")
    if not isinstance(kind, str) or kind not in KEYS:
        raise NotAllowed("type: not an event type of the contract")
    out: dict[str, Any] = {}
    for key in KEYS[kind]:
        value = event.get(key)
        if value is None:
            if (kind, key) in OPTIONAL:
                continue
            raise NotAllowed(f"{key}: missing")
        if key == "ref":
            check = _is_str(_TICKET if kind == "ticket.issued" else _APPOINTMENT_REF)
        else:
            check = CHECKS[key]
        if not check(value):
            raise NotAllowed(f"{key}: not in the allowed format")
        out[key] = value
    return out


def encode_batch(kiosk: str, events: Iterable[Mapping[str, Any]]) -> bytes:
    """The request body for ``POST /v1/events``.

    Raises:
        NotAllowed: the kiosk id or an event is not allowed (nothing is encoded then).
    """
    if not _ID.match(kiosk):
        raise NotAllowed("kiosk: not in the allowed format")
    body = {"kiosk": kiosk, "events": [to_wire(e) for e in events]}
    return json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def encoded_size(event: Mapping[str, Any]) -> int:
    """Bytes one allowed event adds to a batch (plus its separating comma)."""
    return len(json.dumps(to_wire(event), ensure_ascii=True, separators=(",", ":"))) + 1
