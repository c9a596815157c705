"""The signed ticket scan payload printed as QR and CODE128 on every ticket.

Layout (31 characters at most, uppercase so QR can use its compact alphanumeric mode and any
1-D scanner in any keyboard layout reads it back)::

    T1.BBBB.YYMMDD.A042.MMMMMMMMMM
    |  |    |      |    +- 10 base32 characters (50 bits) of HMAC-SHA256 over the rest
    |  |    |      +------ ticket code
    |  |    +------------- branch-local day
    |  +------------------ 4 base32 characters naming the branch (a tag, not a secret)
    +--------------------- format version

No personal data: branch, day and ticket number only. A payload altered in any character, or
signed with another installation's key, is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

from kiosk.core.tickets import parse_code

VERSION = "T1"
MAC_CHARS = 10
MAX_LENGTH = 32
_PAYLOAD = re.compile(
    rf"^T1\.([A-Z2-7]{{4}})\.(\d{{6}})\.([A-Z]{{1,2}}\d{{3}})\.([A-Z2-7]{{{MAC_CHARS}}})$"
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
    """Four base32 characters derived from the branch id."""
    return _b32(hashlib.sha256(branch.encode("utf-8")).digest(), 4)


def _mac(key: bytes, body: str) -> str:
    return _b32(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest(), MAC_CHARS)


def sign(key: bytes, branch: str, day: date, code: str) -> str:
    """The payload for ticket ``code`` issued on ``day`` at ``branch``."""
    parse_code(code)
    body = f"{VERSION}.{branch_tag(branch)}.{day:%y%m%d}.{code}"
    payload = f"{body}.{_mac(key, body)}"
    assert len(payload) <= MAX_LENGTH
    return payload


def verify(key: bytes, branch: str, text: str) -> TicketPayload:
    """Check a scanned payload and say which ticket it names.

    Raises:
        PayloadError: the text is not a payload of this installation and branch.
    """
    match = _PAYLOAD.match(text)
    if not match:
        raise PayloadError("not a ticket payload")
    tag, yymmdd, code, mac = match.groups()
    body = text[: -(MAC_CHARS + 1)]
    if not hmac.compare_digest(mac, _mac(key, body)):
        raise PayloadError("signature does not match")
    if tag != branch_tag(branch):
        raise PayloadError("ticket of another branch")
    try:
        day = date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    except ValueError as exc:
        raise PayloadError("not a ticket payload") from exc
    return TicketPayload(day, code)


def with_status_url(status_url: str | None, payload: str) -> str:
    """What the QR code holds: the payload, or the status URL carrying it."""
    return f"{status_url}{payload}" if status_url else payload


def extract(text: str) -> str:
    """The payload part of a scan: the text itself, or the tail of a status URL."""
    if "://" in text:
        return text.rsplit("/", 1)[-1].rsplit("=", 1)[-1].rsplit("#", 1)[-1]
    return text
