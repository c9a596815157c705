"""Desks are numbers with a device token, never people. Only the token's hash is stored."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from kiosk.store import Store
from kiosk.store import desks as store_desks

DESK = re.compile(r"\A[A-Za-z0-9]{1,8}\Z", re.ASCII)


class DeskError(ValueError):
    """A desk name is malformed or unknown."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_name(desk: str) -> str:
    if not DESK.match(desk):
        raise DeskError(f'desk "{desk}" is not 1-8 letters or digits')
    return desk


def add(store: Store, desk: str) -> str:
    """Create (or replace) a desk's token; returns the token, which is never stored."""
    check_name(desk)
    token = secrets.token_urlsafe(24)
    store_desks.set_token(store, desk, _hash(token))
    return token


def remove(store: Store, desk: str) -> bool:
    """Revoke a desk's token; False when there was no such desk."""
    return store_desks.remove_token(store, desk)


def names(store: Store) -> list[str]:
    return [desk for desk, _digest in store_desks.token_digests(store)]


def authorise(store: Store, desk: str, token: str | None) -> str:
    """``ok``, ``unknown`` (no valid token: 401) or ``other_desk`` (another desk's token: 403)."""
    if not token:
        return "unknown"
    digest = _hash(token)
    rows = store_desks.token_digests(store)
    owner = next((desk for desk, known in rows if hmac.compare_digest(known, digest)), None)
    if owner is None:
        return "unknown"
    return "ok" if owner == desk else "other_desk"
