"""The signed ticket scan payload printed as QR and CODE128 on every ticket.

26 digits, so that CODE128 can use code set C (two digits per symbol) and fit 58 mm paper at
two-dot modules, QR uses numeric mode (a 21x21 symbol), and every scanner keyboard layout
types it back the same::

    42 01058 10 00 042 123456789012
    |  |     |  |  |   +- HMAC-SHA256 over the first 14 digits, as a 12-digit number (~40 bits)
    |  |     |  |  +----- ticket number
    |  |     +--+-------- service letters, A=10 .. Z=35; 00 when the code has one letter
    |  +----------------- branch-local day, days since 2024-01-01
    +-------------------- branch tag (a check, not a secret), from a hash of the branch id

No personal data: branch, day and ticket number only. A payload altered in any digit, or
signed with another installation's key, is refused; guessing a valid one takes ~2^40 scans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from kiosk.core.tickets import format_code, parse_code

LENGTH = 26
MAX_LENGTH = LENGTH  # the contract allows 32
MAC_DIGITS = 12
EPOCH = date(2024, 1, 1)
PATTERN = re.compile(r"\A\d{26}\Z", re.ASCII)


class PayloadError(ValueError):
    """A scanned payload is malformed, altered, forged, or from another branch."""


@dataclass(frozen=True)
class TicketPayload:
    """What a genuine payload says."""

    day: date
    code: str


def branch_tag(branch: str) -> str:
    """Two digits derived from the branch id."""
    import hashlib  # here, as below: hashlib and hmac cost 10 ms on the UI's start

    return f"{int.from_bytes(hashlib.sha256(branch.encode('utf-8')).digest()[:4], 'big') % 100:02d}"


def _mac(key: bytes, body: str) -> str:
    import hashlib
    import hmac

    digest = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**MAC_DIGITS:0{MAC_DIGITS}d}"


def _letters(service: str) -> str:
    return "".join(f"{ord(c) - ord('A') + 10:02d}" for c in service).ljust(4, "0")


def sign(key: bytes, branch: str, day: date, code: str) -> str:
    """The payload for ticket ``code`` issued on ``day`` at ``branch``.

    Raises:
        ValueError: the code is not a ticket code or the day is before 2024.
    """
    ticket = parse_code(code)
    days = (day - EPOCH).days
    if not 0 <= days <= 99_999:
        raise ValueError(f"{day} is outside the payload's calendar")
    body = f"{branch_tag(branch)}{days:05d}{_letters(ticket.service)}{ticket.number:03d}"
    return body + _mac(key, body)


def looks_like_payload(text: str) -> bool:
    """The shape of a payload (not a proof that it is genuine)."""
    return PATTERN.match(text) is not None


def verify(key: bytes, branch: str, text: str) -> TicketPayload:
    """Check a scanned payload and say which ticket it names.

    Raises:
        PayloadError: the text is not a payload of this installation and branch.
    """
    if not PATTERN.match(text):
        raise PayloadError("not a ticket payload")
    body, mac = text[:-MAC_DIGITS], text[-MAC_DIGITS:]
    import hmac

    if not hmac.compare_digest(mac, _mac(key, body)):
        raise PayloadError("signature does not match")
    return read(branch, text)


def read(branch: str, text: str) -> TicketPayload:
    """Which ticket a payload names, WITHOUT checking its signature: for the central service,
    which has no ticket key and tells anyone only what the waiting-room screens show.

    Raises:
        PayloadError: the text is not a payload of ``branch``.
    """
    if not PATTERN.match(text):
        raise PayloadError("not a ticket payload")
    body = text[:-MAC_DIGITS]
    if body[:2] != branch_tag(branch):
        raise PayloadError("ticket of another branch")
    letters = [int(body[7:9]), int(body[9:11])]
    try:
        service = "".join(chr(ord("A") + n - 10) for n in letters if n)
        code = format_code(service, int(body[11:14]))
    except ValueError:
        raise PayloadError("not a ticket payload") from None
    return TicketPayload(EPOCH + timedelta(days=int(body[2:7])), code)


SEAL_BYTES = 12  # 96 bits: the ticket's seal (kiosk.core.sealed), in the QR only
SEAL_CHARS = 16  # its base64url form


def seal_secret(key: bytes, payload: str) -> str:
    """The ticket's seal: the secret its sealed statuses are locked with for the central's phone
    page (contract v3 ``service.sealed``). Printed in the QR's URL fragment only, which a browser
    never sends; the totem recomputes it from ``key`` (its day's seal key,
    :func:`kiosk.store.state.seal_key`) whenever it seals, so it is never stored.
    """
    import base64
    import hashlib
    import hmac

    digest = hmac.new(key, b"seal|" + payload.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:SEAL_BYTES]).decode("ascii")


def with_status_url(status_url: str | None, payload: str, key: bytes) -> str:
    """What the QR code holds: the payload, or the status URL carrying it. A URL ending in
    ``#`` (the central's phone page) carries it in the fragment with the ticket's seal,
    ``.../t/roma-m1/#PAYLOAD.SEAL``: only the phone ever reads them."""
    if not status_url:
        return payload
    if status_url.endswith("#"):
        return f"{status_url}{payload}.{seal_secret(key, payload)}"
    return f"{status_url}{payload}"


def extract(text: str) -> str:
    """The payload part of a scan: the text itself, or the tail of a status URL (without the
    seal a fragment carries after the payload)."""
    if "://" in text:
        tail = text.rsplit("/", 1)[-1].rsplit("=", 1)[-1].rsplit("#", 1)[-1]
        return tail.split(".", 1)[0]
    return text
