"""Device tokens (desks, satellite totems): random, shown once, kept only as a SHA-256 hash,
compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable


def new() -> str:
    return secrets.token_urlsafe(24)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def owner(known: Iterable[tuple[str, str]], token: str | None) -> str | None:
    """Whose token this is, among ``(name, digest)`` pairs; None for none or no token."""
    if not token:
        return None
    mine = digest(token)
    return next(
        (name for name, known_digest in known if hmac.compare_digest(known_digest, mine)), None
    )
