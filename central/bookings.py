"""Appointments from the booking system, as CSV or JSON: checked, and each raw booking code
hashed the moment it is read, so no code is ever stored, logged or echoed in an error.

CSV: a header row with ``code`` (or ``code_sha256``), ``service``, ``slot`` and optionally
``ref``. JSON: ``{"appointments": [{...}]}`` or a bare list of the same objects.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from kiosk.core.bookings import sha256_hex as code_hash

SERVICE = re.compile(r"[A-Z]{1,2}", re.ASCII)
SLOT = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]", re.ASCII)
REF = re.compile(r"[A-Za-z0-9._:-]{1,64}", re.ASCII)
SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)
MOST = 20_000
SHORTEST = 10  # a booking code is a password: fewer characters are cracked from their hash


def weak_codes(data: bytes, kind: str) -> str | None:
    """A warning when raw codes in ``data`` (already parsed by :func:`parse`) are shorter than
    :data:`SHORTEST` characters, naming how many, never which."""
    rows = _csv(data.decode("utf-8-sig")) if kind == "csv" else _json(data.decode("utf-8-sig"))
    short = sum(
        1
        for row in rows
        if isinstance(row.get("code"), str) and 0 < len(row["code"].strip()) < SHORTEST
    )
    if not short:
        return None
    return (
        f"{short} booking code(s) shorter than {SHORTEST} characters: a code is a password, and"
        f" short ones are guessed or cracked from their hash; issue codes of at least {SHORTEST}"
        " random letters and digits (docs/central.md)"
    )


class BadBookings(ValueError):
    """The file or body is not a list of appointments; the message names the row and key."""


def parse(data: bytes, kind: str) -> list[dict[str, str]]:
    """Appointments from ``data`` (``kind`` "csv" or "json"), codes already hashed.

    Raises:
        BadBookings: naming the row and key at fault, never the code.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadBookings("not UTF-8 text") from None
    rows = _csv(text) if kind == "csv" else _json(text)
    if len(rows) > MOST:
        raise BadBookings(f"{len(rows)} appointments; at most {MOST} a day")
    out = [_item(i, row) for i, row in enumerate(rows, start=1)]
    refs = [item["ref"] for item in out if item.get("ref")]
    if len(refs) != len(set(refs)):
        raise BadBookings("ref: the same ref appears twice")
    return out


def _csv(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"service", "slot"} <= set(reader.fieldnames):
        raise BadBookings("the CSV header must name code (or code_sha256), service and slot")
    return list(reader)


def _json(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except ValueError:
        raise BadBookings("not JSON") from None
    if isinstance(data, dict):
        data = data.get("appointments")
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise BadBookings('expected {"appointments": [{"code", "service", "slot"}, ...]}')
    return data


def _item(n: int, row: dict[str, Any]) -> dict[str, str]:
    code, digest = row.get("code"), row.get("code_sha256")
    if isinstance(code, str) and code.strip():
        digest = code_hash(code.strip())  # the raw code goes no further than this line
    elif not (isinstance(digest, str) and SHA256.fullmatch(digest)):
        raise BadBookings(f"appointment {n}: code: missing (or code_sha256: not 64 hex digits)")
    item = {"code_sha256": digest}
    for key, pattern, what in (
        ("service", SERVICE, "a service code (A to ZZ)"),
        ("slot", SLOT, "a time HH:MM"),
    ):
        value = row.get(key)
        if not (isinstance(value, str) and pattern.fullmatch(value)):
            # The value is not repeated: columns swapped by mistake would put a code here.
            raise BadBookings(f"appointment {n}: {key}: not {what}")
        item[key] = value
    ref = row.get("ref")
    if ref not in (None, ""):
        if not (isinstance(ref, str) and REF.fullmatch(ref)):
            raise BadBookings(f"appointment {n}: ref: not 1-64 letters, digits or ._:-")
        item["ref"] = ref
    return item
