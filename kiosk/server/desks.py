"""Desks are numbers with a device token, never people. Only the token's hash is stored."""

from __future__ import annotations

import re

from kiosk.server import tokens
from kiosk.store import Store
from kiosk.store import desks as store_desks

DESK = re.compile(r"\A[1-9][0-9]{0,2}\Z", re.ASCII)  # a desk is a number, 1 to 999


class DeskError(ValueError):
    """A desk name is malformed or unknown."""


def check_name(desk: str) -> str:
    if not DESK.match(desk):
        raise DeskError(f'"{desk}" is not a desk number (1 to 999)')
    return desk


def add(store: Store, desk: str, replace: bool = False) -> str:
    """Create a desk's token (or, with ``replace``, a new one); returns the token, which is
    never stored.

    Raises:
        DeskError: not a desk number, or the desk has a token and ``replace`` is not set.
    """
    check_name(desk)
    if not replace and desk in names(store):
        raise DeskError(
            f"desk {desk} already has a token; add --replace to give it a new one"
            " (the old one stops working)"
        )
    token = tokens.new()
    store_desks.set_token(store, desk, tokens.digest(token))
    return token


def remove(store: Store, desk: str) -> bool:
    """Revoke a desk's token; False when there was no such desk."""
    return store_desks.remove_token(store, desk)


def names(store: Store) -> list[str]:
    return [desk for desk, _digest in store_desks.token_digests(store)]


def authorise(store: Store, desk: str, token: str | None) -> str:
    """``ok``, ``unknown`` (no valid token: 401) or ``other_desk`` (another desk's token: 403)."""
    found = tokens.owner(store_desks.token_digests(store), token)
    if found is None:
        return "unknown"
    return "ok" if found == desk else "other_desk"
