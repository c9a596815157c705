"""Per-ticket statuses sealed for the central's phone page (contract v3 ``service.sealed``).

Each waiting or called ticket's status is locked with keys derived from the ticket's seal
(:func:`kiosk.core.payload.seal_secret`), a secret printed only in the QR's URL fragment, which
a browser never sends. The central keeps the latest boxes of each service and hands them to any
phone; the phone derives the same keys in the page (WebCrypto) and opens its own box.

What the central sees at every tick is the same for a queue that moved and one that did not:
every box is sealed again (fresh nonce, and a handle that depends on the tick, so no box can be
followed from one tick to the next), padded with random decoys of the same length to the next
of :data:`BUCKETS`, in the order of their handles (as good as shuffled). A ticket's status
changes inside its box only.

    seal (12 bytes) --HMAC "box"----> AES-256-GCM key      box = nonce | AES-GCM(status, aad)
                    --HMAC "handle"-> handle key           h   = HMAC(handle key, aad)[:16]
    aad = "branch|service|tick"  (tick: the minute, as the event's ``at``)

Pure but for randomness: the nonces and decoys come from ``os.urandom``.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

BUCKETS = (8, 16, 32, 64, 128, 256)
MOST = BUCKETS[-1]
PLAIN_BYTES = 128  # every status JSON is padded with spaces to this length
NONCE_BYTES = 12
TAG_BYTES = 16
HANDLE_BYTES = 16
BOX_CHARS = len(base64.urlsafe_b64encode(bytes(NONCE_BYTES + PLAIN_BYTES + TAG_BYTES)).rstrip(b"="))
HANDLE_CHARS = len(base64.urlsafe_b64encode(bytes(HANDLE_BYTES)).rstrip(b"="))


class Unsealable(ValueError):
    """A box that is not this seal's, or not a box at all."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def bucket(n: int) -> int:
    """How many boxes ``n`` real ones are padded to (at most :data:`MOST`)."""
    return next((b for b in BUCKETS if b >= n), MOST)


def aad(branch: str, service: str, tick: str) -> bytes:
    """What a box is bound to: a box replayed at another tick or service does not open."""
    return f"{branch}|{service}|{tick}".encode("ascii")


class Keys:
    """The two keys one ticket's seal gives."""

    def __init__(self, seal: str) -> None:
        import hashlib  # here: kiosk.core.events reads this module's sizes on the UI's start
        import hmac

        raw = _unb64(seal)
        self.box = hmac.new(raw, b"box", hashlib.sha256).digest()
        self.handle_key = hmac.new(raw, b"handle", hashlib.sha256).digest()

    def handle(self, bound: bytes) -> str:
        import hashlib
        import hmac

        return _b64(hmac.new(self.handle_key, bound, hashlib.sha256).digest()[:HANDLE_BYTES])

    def seal(self, status: Mapping[str, Any], bound: bytes) -> str:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        plain = json.dumps(status, separators=(",", ":"), ensure_ascii=True).encode("ascii")
        if len(plain) > PLAIN_BYTES:
            raise ValueError(f"a status of {len(plain)} bytes does not fit a box")
        nonce = os.urandom(NONCE_BYTES)
        padded = plain.ljust(PLAIN_BYTES, b" ")
        return _b64(nonce + AESGCM(self.box).encrypt(nonce, padded, bound))

    def open(self, box: str, bound: bytes) -> dict[str, Any]:
        """The status in ``box`` (what the phone page does, in Python: for tests and tools).

        Raises:
            Unsealable: not this seal's box, or altered.
        """
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            raw = _unb64(box)
            plain = AESGCM(self.box).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], bound)
            value = json.loads(plain)
        except (InvalidTag, ValueError) as exc:
            raise Unsealable("not this ticket's box") from exc
        if not isinstance(value, dict):
            raise Unsealable("not a status")
        return value


def boxes(
    branch: str,
    service: str,
    tick: str,
    statuses: Sequence[tuple[str, Mapping[str, Any]]],
    least: int = 0,
) -> list[dict[str, str]]:
    """The ``boxes`` of a ``service.sealed`` event: each ``(seal, status)`` sealed, then random
    decoys up to the bucket (and to ``least``, the most sent earlier that day), in handle
    order. Past :data:`MOST`, the first ones only (the caller gives them in call order: the
    nearest to their turn)."""
    bound = aad(branch, service, tick)
    out = [
        {"h": (keys := Keys(seal)).handle(bound), "box": keys.seal(status, bound)}
        for seal, status in statuses[:MOST]
    ]
    raw_box = NONCE_BYTES + PLAIN_BYTES + TAG_BYTES
    while len(out) < bucket(max(len(out), min(least, MOST))):
        out.append({"h": _b64(os.urandom(HANDLE_BYTES)), "box": _b64(os.urandom(raw_box))})
    return sorted(out, key=lambda b: b["h"])


def find(
    seal: str, branch: str, service: str, tick: str, found: Sequence[Mapping[str, str]]
) -> dict[str, Any] | None:
    """The status sealed for ``seal`` among ``found`` boxes, or None (the phone page's
    search, in Python)."""
    keys, bound = Keys(seal), aad(branch, service, tick)
    mine = keys.handle(bound)
    for item in found:
        if item.get("h") == mine:
            return keys.open(item["box"], bound)
    return None
