"""The privacy allow-list: the only place events become JSON for the central server.

For each event type exactly the keys of DESIGN.md section 5 leave the totem, each value checked
against its format. Any other key a caller passes (a desk, an operator, free text, a scanned
code) is dropped here and never serialised; a value of the wrong shape refuses the whole event.
"""

from __future__ import annotations

import json
import operator
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

_UUID4 = re.compile(
    r"\A[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z", re.ASCII
)
_DAY = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z", re.ASCII)
_AT = re.compile(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}\Z", re.ASCII)
_TICKET = re.compile(r"\A[A-Z]{1,2}\d{3}\Z", re.ASCII)
_SERVICE = re.compile(r"\A[A-Z]{1,2}\Z", re.ASCII)
_ID = re.compile(r"\A[a-z0-9][a-z0-9-]{0,62}\Z", re.ASCII)
_APPOINTMENT_REF = re.compile(r"\A[A-Za-z0-9._:-]{1,64}\Z", re.ASCII)


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


_PATTERNS = {
    "id": _UUID4,
    "branch": _ID,
    "day": _DAY,
    "at": _AT,
    "ticket": _TICKET,
    "service": _SERVICE,
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
        pattern = _PATTERNS.get(key)
        if key == "ref":
            pattern = _TICKET if kind == "ticket.issued" else _APPOINTMENT_REF
        if pattern is not None:
            ok = type(value) is str and pattern.match(value) is not None
        else:
            ok = CHECKS[key](value)
        if not ok:
            raise NotAllowed(f"{key}: not in the allowed format")
        out[key] = value
    return out


class Checked:
    """One event that passed the allow-list, already serialised; only this module makes them."""

    __slots__ = ("id", "json", "seq")

    def __init__(self, event_id: str, seq: int, line: str) -> None:
        self.id, self.seq, self.json = event_id, seq, line


def _shape(kind: str, keys: tuple[str, ...]) -> tuple[str, re.Pattern[str]]:
    """For events of ``kind`` carrying ``keys``: a %-template writing the JSON text, and the
    grammar that text must match exactly. Strings are written unescaped, so a value that would
    need escaping (a quote, a backslash, a control character) cannot match and is refused."""
    template, grammar = [], []
    for key in keys:
        if key in ("seq", "backlog"):
            template.append(f'"{key}":%s')
            grammar.append(f'"{key}":' + ("[1-9][0-9]*" if key == "seq" else "(?:0|[1-9][0-9]*)"))
            continue
        template.append(f'"{key}":"%s"')
        if key == "type":
            value = re.escape(kind)
        elif key == "printer":
            value = "(?:" + "|".join(PRINTER_STATES) + ")"
        else:
            pattern = _PATTERNS.get(key) or (
                _TICKET if kind == "ticket.issued" else _APPOINTMENT_REF
            )
            value = pattern.pattern[2:-2]  # without the \\A and \\Z anchors
        grammar.append(f'"{key}":"{value}"')
    return "{" + ",".join(template) + "}", re.compile(r"\{" + ",".join(grammar) + r"\}\Z", re.ASCII)


# Per event type, with and without its optional keys.
_SHAPES = {
    (kind, present): _shape(kind, present)
    for kind, keys in KEYS.items()
    for present in {keys, tuple(k for k in keys if (kind, k) not in OPTIONAL)}
}
# (type, whether "ref" is set) -> the keys such an event carries; only ticket.issued may lack it
_PRESENT = {
    (kind, has_ref): present
    for (kind, present) in _SHAPES
    for has_ref in (True, False)
    if ("ref" in present) == has_ref or "ref" not in KEYS[kind]
}


# The outbox columns, in the order the sync agent selects them (see :func:`check_row`).
COLUMNS = (
    "seq",
    "id",
    "type",
    "branch",
    "day",
    "at",
    "ticket",
    "service",
    "ref",
    "printer",
    "backlog",
)
_ROW_SHAPES = {
    (kind, present): (operator.itemgetter(*(COLUMNS.index(k) for k in present)), *shape)
    for (kind, present), shape in _SHAPES.items()
}


def check_row(row: tuple[Any, ...]) -> Checked:
    """:func:`check` for an outbox row given as a tuple in :data:`COLUMNS` order.

    SQLite hands back only str, int, float, bytes or None; any but str and int fails the
    grammar (``7.0``, ``b'...'``), so the row needs no per-value type check.

    Raises:
        NotAllowed: see :func:`to_wire`.
    """
    kind = row[2]
    present = _PRESENT.get((kind, row[8] is not None))
    if present is not None:
        pick, template, grammar = _ROW_SHAPES[(kind, present)]
        line = template % pick(row)
        if grammar.match(line):
            return Checked(row[1], row[0], line)
    return check(dict(zip(COLUMNS, row, strict=True)))


def check(event: Mapping[str, Any]) -> Checked:
    """Allow-list and serialise one event, once: the text of ``json.dumps(to_wire(event))``
    (compact), checked whole against its type's grammar.

    Raises:
        NotAllowed: see :func:`to_wire`, which gives the precise reason.
    """
    kind = event.get("type")
    if type(kind) is str and kind in KEYS:
        present = tuple(k for k in KEYS[kind] if event.get(k) is not None)
        shape = _SHAPES.get((kind, present))
        if shape is not None:
            values = tuple(event[k] for k in present)
            if all(type(v) is str or type(v) is int for v in values):
                line = shape[0] % values
                if shape[1].match(line):
                    return Checked(event["id"], event["seq"], line)
    to_wire(event)  # raises with the field at fault
    raise NotAllowed("event: not in the allowed format")


def encode_checked(kiosk: str, events: Iterable[Checked]) -> bytes:
    """The request body for ``POST /v1/events`` from checked events.

    Raises:
        NotAllowed: the kiosk id is not allowed.
    """
    if not _ID.match(kiosk):
        raise NotAllowed("kiosk: not in the allowed format")
    return (
        '{"kiosk":' + json.dumps(kiosk) + ',"events":[' + ",".join(e.json for e in events) + "]}"
    ).encode("ascii")


def encode_batch(kiosk: str, events: Iterable[Mapping[str, Any]]) -> bytes:
    """The request body for ``POST /v1/events``.

    Raises:
        NotAllowed: the kiosk id or an event is not allowed (nothing is encoded then).
    """
    return encode_checked(kiosk, [check(e) for e in events])
