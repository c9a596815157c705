"""The central server contract, version 3 (docs/central-api.md): what may leave the totem.

The one place that says which event types exist, which keys each carries and which values each
key may take. The outbox refuses to hold an event that breaks it, the sync agent's allow-list
serialises only what passes it, and tests hold it against the documented table. Pure: no I/O.

Version 1 also sent a ticket's call, recall, end of service, no-show and transfer. Linked by
``seq`` and time, those rebuilt each desk's day. Version 2 kept only what the waiting-room
screens show (``service.status``), but with desks that serve different services, which number
left the waiting list still said which desk called it. Version 3 tells the central about service
only as hourly counts, with times only over at least five citizens (``service.hour``), and
carries each ticket's status for the citizen's phone sealed with a key the central never holds
(``service.sealed``, :mod:`kiosk.core.sealed`), all of it sent again at every tick.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.core import sealed, tickets

VERSION = 3
COMMON = ("id", "seq", "type", "branch", "day", "at")

# Per type, the keys after COMMON, in the order they are written.
KEYS: dict[str, tuple[str, ...]] = {
    "ticket.issued": ("ticket", "service", "ref"),
    "appointment.checked_in": ("ticket", "service", "ref"),
    "service.sealed": ("service", "tick", "boxes"),
    "service.hour": (
        "service",
        "span",
        "issued",
        "served",
        "no_show",
        "wait_p50",
        "wait_p90",
        "service_p50",
    ),
    "kiosk.health": ("printer", "backlog"),
}
TYPES = tuple(KEYS)
# Keys that may be left out: a walk-in ticket has no earlier ticket.
OPTIONAL = frozenset({("ticket.issued", "ref")})
# Keys that are always present but may be null.
NULLABLE = frozenset(
    {
        ("service.hour", "wait_p50"),
        ("service.hour", "wait_p90"),
        ("service.hour", "service_p50"),
    }
)
# Version 1 and 2 types: still found in an upgraded totem's outbox, dropped there, never sent.
RETIRED_V1 = (
    "ticket.called",
    "ticket.recalled",
    "ticket.done",
    "ticket.no_show",
    "ticket.transferred",
)
RETIRED = (*RETIRED_V1, "service.status")

PRINTER_STATES = ("ok", "paper_low", "paper_out", "cover_open", "offline", "unknown")
MAX_BATCH_EVENTS = 500
MAX_BATCH_BYTES = 256 * 1024
MIN_SERVED = 5  # service.hour carries times only over at least this many served citizens
TICK_S = 60  # the wall-clock tick: every service sealed again, spans closed, on it only
MAX_MINUTES = 24 * 60


class NotAllowed(ValueError):
    """An event breaks the contract; the message names the key, never its value."""


def _pattern(regex: str) -> Callable[[Any], bool]:
    compiled = re.compile(regex, re.ASCII)
    return lambda v: type(v) is str and compiled.fullmatch(v) is not None


def _count(v: Any) -> bool:
    return type(v) is int and v >= 0


def _minutes(v: Any) -> bool:
    return type(v) is int and 0 <= v <= MAX_MINUTES


def _matches(compiled: re.Pattern[str]) -> Callable[[Any], bool]:
    return lambda v: type(v) is str and compiled.fullmatch(v) is not None


is_uuid4 = _pattern(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
is_ident = _pattern(r"[a-z0-9][a-z0-9-]{0,62}")  # kiosk and branch ids (kiosk.config checks them)
is_ticket = _matches(tickets.TICKET_CODE)
is_service = _matches(tickets.SERVICE_CODE)
# The opaque reference the central server gives an appointment (sync.appointments checks it).
is_appointment_ref = _pattern(r"[A-Za-z0-9._:-]{1,64}")
is_day = _pattern(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
# RFC 3339 with an offset, in whole minutes: the seconds are always 00.
is_minute = _pattern(r"\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:00[+-]\d{2}:\d{2}")
_HOUR = r"([01]\d|2[0-3]):00"
is_span = _pattern(rf"{_HOUR}-({_HOUR}|24:00)")


_is_handle = _pattern(rf"[A-Za-z0-9_-]{{{sealed.HANDLE_CHARS}}}")
_is_box = _pattern(rf"[A-Za-z0-9_-]{{{sealed.BOX_CHARS}}}")


def _boxes(v: Any) -> bool:
    """A bucket's worth of sealed boxes, each ``{"h", "box"}``, no handle twice."""
    return (
        type(v) is list
        and len(v) in sealed.BUCKETS
        and all(
            type(b) is dict and set(b) == {"h", "box"} and _is_handle(b["h"]) and _is_box(b["box"])
            for b in v
        )
        and len({b["h"] for b in v}) == len(v)
    )


# key -> check, for the keys whose check does not depend on the type.
_VALUES: dict[str, Callable[[Any], bool]] = {
    "id": is_uuid4,
    "seq": lambda v: type(v) is int and v > 0,
    "branch": is_ident,
    "day": is_day,
    "at": is_minute,
    "ticket": is_ticket,
    "service": is_service,
    "tick": is_minute,
    "boxes": _boxes,
    "span": is_span,
    "issued": _count,
    "served": _count,
    "no_show": _count,
    "wait_p50": _minutes,
    "wait_p90": _minutes,
    "service_p50": _minutes,
    "printer": lambda v: type(v) is str and v in PRINTER_STATES,
    "backlog": _count,
}


def value_ok(kind: str, key: str, value: Any) -> bool:
    """Whether ``value`` is allowed for ``key`` in an event of type ``kind`` (null aside)."""
    if key == "ref":
        return is_ticket(value) if kind == "ticket.issued" else is_appointment_ref(value)
    return _VALUES[key](value)


def _consistent(kind: str, event: Mapping[str, Any]) -> None:
    """Rules across keys."""
    if kind == "service.hour":
        times = [event["wait_p50"], event["wait_p90"], event["service_p50"]]
        if event["served"] < MIN_SERVED and any(t is not None for t in times):
            raise NotAllowed(f"wait_p50: must be null when served < {MIN_SERVED}")
        if event["served"] >= MIN_SERVED and any(t is None for t in times):
            raise NotAllowed(f"wait_p50: required when served >= {MIN_SERVED}")
        if times[0] is not None and times[0] > times[1]:
            raise NotAllowed("wait_p90: smaller than wait_p50")
        start, end = event["span"].split("-")
        if end <= start:
            raise NotAllowed("span: must end after it starts")


def wire(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event exactly as it may leave the totem: its type's keys, in contract order.

    Raises:
        NotAllowed: an unknown or retired type, a key the type does not have, a missing key,
            or a value outside what its key allows.
    """
    kind = event.get("type")
    if type(kind) is not str or kind not in KEYS:
        raise NotAllowed(f"type: not an event type of contract version {VERSION}")
    allowed = COMMON + KEYS[kind]
    extra = sorted(set(event) - set(allowed))
    if extra:
        raise NotAllowed(f"{extra[0]}: not a key of {kind}")
    out: dict[str, Any] = {}
    for key in allowed:
        if key not in event:
            if (kind, key) in OPTIONAL:
                continue
            raise NotAllowed(f"{key}: missing")
        value = event[key]
        if key == "type":
            out[key] = value
            continue
        if value is None and (kind, key) in NULLABLE:
            out[key] = None
            continue
        if value is None and (kind, key) in OPTIONAL:
            continue
        if not value_ok(kind, key, value):
            raise NotAllowed(f"{key}: not in the allowed format")
        out[key] = value
    _consistent(kind, out)
    return out


def body_of(event: Mapping[str, Any]) -> dict[str, Any]:
    """The type's own keys of a checked event (what the outbox keeps beside the common ones)."""
    return {k: event[k] for k in KEYS[event["type"]] if k in event}


def loads_body(text: str) -> dict[str, Any]:
    """The type's own keys from their stored JSON text.

    Raises:
        NotAllowed: the text is not a JSON object.
    """
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        raise NotAllowed("body: not JSON") from None
    if type(value) is not dict:
        raise NotAllowed("body: not a JSON object")
    return value


def dumps(value: Any) -> str:
    """Compact, ASCII-only JSON: the one text form of an event."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)


def minute(now: datetime, tz: ZoneInfo) -> str:
    """``2026-11-23T09:15:00+01:00``: branch-local, in whole minutes, with the offset."""
    return now.astimezone(tz).replace(second=0, microsecond=0).isoformat()
