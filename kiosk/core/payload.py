"""The signed ticket scan payload printed as QR and CODE128 on every ticket.

Layout, 18 or 19 characters of uppercase letters and digits, so QR uses its compact
alphanumeric mode, CODE128 fits 80 mm paper with two-dot modules, and every keyboard layout
types it back the same::

    T  K3  AB2  A042  MMMMMMMM
    |  |   |    |     +- 8 base32 characters (40 bits) of HMAC-SHA256 over the rest
    |  |   |    +------- ticket code (one or two letters, three digits)
    |  |   +------------ branch-local day, base32 days since 2024-01-01
    |  +---------------- 2 base32 characters naming the branch (a tag, not a secret)
    +------------------- format version

No personal data: branch, day and ticket number only. A payload altered in any character, or
signed with another installation's key, is refused; guessing a valid one takes 2^40 scans.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, timedelta

from kiosk.core.tickets import parse_code

VERSION = "T"
MAC_CHARS = 8
MAX_LENGTH = 19  # the contract allows 32; shorter keeps the CODE128 readable on paper
EPOCH = date(2024, 1, 1)
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
PATTERN = re.compile(
    rf"^T([A-Z2-7]{{2}})([A-Z2-7]{{3}})([A-Z]{{1,2}}\d{{3}})([A-Z2-7]{{{MAC_CHARS}}})$"
)


class PayloadError(ValueError):
    """A scanned payload is malformed, altered, forged, or from another branch."""


@dataclass(frozen=True)
class TicketPayload:
    """What a genuine payload says."""

    day: date
    code: str


def _b32(data: bytes, chars: int) -> str:
    return base64.b32encode(data).decode("ascii")[:chars]


def branch_tag(branch: str) -> str:
    """Two base32 characters derived from the branch id."""
    return _b32(hashlib.sha256(branch.encode("utf-8")).digest(), 2)


def _day(day: date) -> str:
    n = (day - EPOCH).days
    if not 0 <= n < 32**3:
        raise ValueError(f"{day} is outside the payload's calendar")
    return _B32[n // 1024] + _B32[n // 32 % 32] + _B32[n % 32]


def _undo_day(text: str) -> date:
    n = _B32.index(text[0]) * 1024 + _B32.index(text[1]) * 32 + _B32.index(text[2])
    return EPOCH + timedelta(days=n)


def _mac(key: bytes, body: str) -> str:
    return _b32(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest(), MAC_CHARS)


def sign(key: bytes, branch: str, day: date, code: str) -> str:
    """The payload for ticket ``code`` issued on ``day`` at ``branch``."""
    parse_code(code)
    body = f"{VERSION}{branch_tag(branch)}{_day(day)}{code}"
    return body + _mac(key, body)


def looks_like_payload(text: str) -> bool:
    """The shape of a payload (not a proof that it is genuine)."""
    return PATTERN.match(text) is not None


def verify(key: bytes, branch: str, text: str) -> TicketPayload:
    """Check a scanned payload and say which ticket it names.

    Raises:
        PayloadError: the text is not a payload of this installation and branch.
    """
    match = PATTERN.match(text)
    if not match:
        raise PayloadError("not a ticket payload")
    tag, day, code, mac = match.groups()
    if not hmac.compare_digest(mac, _mac(key, text[:-MAC_CHARS])):
        raise PayloadError("signature does not match")
    if tag != branch_tag(branch):
        raise PayloadError("ticket of another branch")
    return TicketPayload(_undo_day(day), code)


def with_status_url(status_url: str | None, payload: str) -> str:
    """What the QR code holds: the payload, or the status URL carrying it."""
    return f"{status_url}{payload}" if status_url else payload


def extract(text: str) -> str:
    """The payload part of a scan: the text itself, or the tail of a status URL."""
    if "://" in text:
        return text.rsplit("/", 1)[-1].rsplit("=", 1)[-1].rsplit("#", 1)[-1]
    return text
