"""The waiting-room displays that have a token (only its SHA-256 is stored): their call
streams come from a pool of their own, which nobody without a token can fill."""

from __future__ import annotations

from kiosk.store.db import Store


def set_token(store: Store, display: str, digest: str) -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT INTO displays (name, token_sha256) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET token_sha256 = excluded.token_sha256",
            (display, digest),
        )


def remove_token(store: Store, display: str) -> bool:
    with store.write() as conn:
        return conn.execute("DELETE FROM displays WHERE name = ?", (display,)).rowcount == 1


def token_digests(store: Store) -> list[tuple[str, str]]:
    """``(display, token_sha256)`` of every display, ordered by name."""
    return [
        (str(d), str(t))
        for d, t in store.rows("SELECT name, token_sha256 FROM displays ORDER BY name")
    ]
