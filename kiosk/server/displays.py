"""Waiting-room displays with a token: named screens, never people. Only the token's hash is
stored. A display without one still works (the branch API's streams are open to the LAN), from
the public pool of streams; one with a token has a pool of its own (issue 23: 32 addresses
holding 32 streams each had filled the only pool, and a real display got 503)."""

from __future__ import annotations

import re

from kiosk.server import tokens
from kiosk.store import Store
from kiosk.store import displays as store_displays

NAME = re.compile(r"\A[a-z0-9][a-z0-9-]{0,31}\Z", re.ASCII)
COOKIE = "kiosk_display"  # where the display page keeps its token (read from the URL's fragment)


class DisplayError(ValueError):
    """A display name is malformed or already has a token."""


def add(store: Store, display: str, replace: bool = False) -> str:
    """Create a display's token (or, with ``replace``, a new one); returns the token, which
    is never stored.

    Raises:
        DisplayError: not a display name, or it has a token and ``replace`` is not set.
    """
    if not NAME.match(display):
        raise DisplayError(
            f'"{display}" is not a display name (lower-case letters, digits and -, at most 32)'
        )
    if not replace and display in names(store):
        raise DisplayError(
            f"display {display} already has a token; add --replace to give it a new one"
            " (the old one stops working)"
        )
    token = tokens.new()
    store_displays.set_token(store, display, tokens.digest(token))
    return token


def remove(store: Store, display: str) -> bool:
    """Revoke a display's token; False when there was no such display."""
    return store_displays.remove_token(store, display)


def names(store: Store) -> list[str]:
    return [name for name, _digest in store_displays.token_digests(store)]


def owner(store: Store, token: str | None) -> str | None:
    """The display this token is, or None."""
    return tokens.owner(store_displays.token_digests(store), token) if token else None
