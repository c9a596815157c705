"""The central service's own copy of the event table of docs/central-api.md.

Written out by hand from the documentation, and deliberately sharing nothing with the totem's
:mod:`kiosk.core.events`: the server checks every body key by key against this table, so a
mistake in the totem's allow-list shows up as a rejected event, not as a silent leak. A test
holds this table, the documentation and the totem's module against each other.
"""

from __future__ import annotations

import re
from typing import Any

# type -> key -> form. "?" after a form: the key may be left out; " or null": may be null.
EVERY_EVENT = {
    "id": "uuid4",
    "seq": "positive integer",
    "type": "event type",
    "branch": "identifier",
    "day": "date",
    "at": "minute",
}
TABLE: dict[str, dict[str, str]] = {
    "ticket.issued": {
        "ticket": "ticket code",
        "service": "service code",
        "ref": "ticket code?",
    },
    "appointment.checked_in": {
        "ticket": "ticket code",
        "service": "service code",
        "ref": "appointment ref",
    },
    "service.sealed": {
        "service": "service code",
        "tick": "minute",
        "boxes": "sealed boxes",
    },
    "service.hour": {
        "service": "service code",
        "span": "hour span",
        "issued": "count",
        "served": "count",
        "no_show": "count",
        "wait_p50": "minutes or null",
        "wait_p90": "minutes or null",
        "service_p50": "minutes or null",
    },
    "kiosk.health": {
        "printer": "printer state",
        "backlog": "count",
    },
}
FEWEST_SERVED_FOR_TIMES = 5
VERSION = 3
# Version 2's waiting lists, from totems not yet upgraded: acknowledged, never kept.
RETIRED = ("service.status",)
BOX_COUNTS = (8, 16, 32, 64, 128, 256)
HANDLE = r"[A-Za-z0-9_-]{22}"  # base64url of 16 bytes
BOX = r"[A-Za-z0-9_-]{208}"  # base64url of a 12-byte nonce, 128 bytes sealed, a 16-byte tag


def _text(regex: str) -> Any:
    pattern = re.compile(regex, re.ASCII)
    return lambda v: isinstance(v, str) and pattern.fullmatch(v) is not None


BIGGEST = 2**63 - 1  # every integer fits a signed 64-bit column (PostgreSQL's bigint)


def _whole(low: int, high: int | None = None) -> Any:
    top = BIGGEST if high is None else high
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= top


_ticket = _text(r"[A-Z]{1,2}[0-9]{3}")
_handle, _box = _text(HANDLE), _text(BOX)


def _boxes(v: Any) -> bool:
    return (
        isinstance(v, list)
        and len(v) in BOX_COUNTS
        and all(
            isinstance(b, dict) and set(b) == {"h", "box"} and _handle(b["h"]) and _box(b["box"])
            for b in v
        )
        and len({b["h"] for b in v}) == len(v)
    )


FORMS: dict[str, Any] = {
    "uuid4": _text(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"),
    "positive integer": _whole(1),
    "event type": lambda v: v in TABLE or v in RETIRED,
    "identifier": _text(r"[a-z0-9][a-z0-9-]{0,62}"),
    "date": _text(r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"),
    "minute": _text(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:00[+-][0-9]{2}:[0-9]{2}"
    ),
    "ticket code": _ticket,
    "service code": _text(r"[A-Z]{1,2}"),
    "appointment ref": _text(r"[A-Za-z0-9._:-]{1,64}"),
    "sealed boxes": _boxes,
    "hour span": _text(r"([01][0-9]|2[0-3]):00-(([01][0-9]|2[0-3]):00|24:00)"),
    "count": _whole(0),
    "minutes": _whole(0, 1440),
    "printer state": lambda v: (
        v in ("ok", "paper_low", "paper_out", "cover_open", "offline", "unknown")
    ),
}


def violation(event: Any) -> str | None:
    """What is wrong with an event, naming the key (never its value); None when it is right."""
    if not isinstance(event, dict):
        return "an event is not a JSON object"
    kind = event.get("type")
    if kind in RETIRED:  # only its common keys matter: it is acknowledged and dropped
        return next(
            (
                f"{kind}: {k} is not a {f}"
                for k, f in EVERY_EVENT.items()
                if not FORMS[f](event.get(k))
            ),
            None,
        )
    if not isinstance(kind, str) or kind not in TABLE:
        return f"type: not an event type of contract version {VERSION}"
    table = {**EVERY_EVENT, **TABLE[kind]}
    for key in event:
        if key not in table:
            # The stray key itself is not repeated: a key can carry data ("booking 483920").
            return f"{kind}: a key that is not one of its own ({', '.join(sorted(table))})"
    for key, form in table.items():
        optional = form.endswith("?")
        nullable = form.endswith(" or null")
        base = form.removesuffix("?").removesuffix(" or null")
        if key not in event:
            if optional:
                continue
            return f"{kind}: {key} is missing"
        value = event[key]
        if value is None and nullable:
            continue
        if not FORMS[base](value):
            return f"{kind}: {key} is not a {base}"
    if kind == "service.hour":
        return _hour_rules(event)
    return None


def _hour_rules(event: dict[str, Any]) -> str | None:
    times = [event["wait_p50"], event["wait_p90"], event["service_p50"]]
    enough = event["served"] >= FEWEST_SERVED_FOR_TIMES
    if not enough and any(t is not None for t in times):
        return "service.hour: times over fewer than 5 served"
    if enough and any(t is None for t in times):
        return "service.hour: times missing over 5 or more served"
    if enough and event["wait_p90"] < event["wait_p50"]:
        return "service.hour: wait_p90 below wait_p50"
    start, end = event["span"].split("-")
    if end <= start:
        return "service.hour: span ends before it starts"
    return None
