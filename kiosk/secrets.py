"""Secrets live in files outside the TOML, readable by the kiosk user only (0600).

A missing secret is created on first run, atomically: the bytes are written to a private
temporary file that is then hard-linked into place, so two processes starting together agree
on one secret and nobody ever reads a half-written file.
"""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

from kiosk.config import CREDENTIALS, Config


class SecretError(Exception):
    """A secret file exists but cannot be used; ``denied``: this user may not read it (not
    root, not kiosk), the file itself being fine."""

    def __init__(self, message: str, denied: bool = False) -> None:
        super().__init__(message)
        self.denied = denied


def ensure(path: Path, make: bytes | None = None) -> bytes:
    """Read the secret at ``path``, creating it (0600, folder 0700) when missing.

    Args:
        path: where the secret lives.
        make: the content to create it with; 32 random bytes, hex-encoded, when None.

    Raises:
        SecretError: the file is empty, unreadable, or readable by others.
    """
    if not path.exists():
        _create(path, make if make is not None else os.urandom(32).hex().encode("ascii"))
    return read(path)


def central_token(config: Config) -> None:
    """Create the central token file on first run (to be registered with the central server's
    operator); under systemd the units receive it as a credential instead."""
    if not os.environ.get(CREDENTIALS) and not config.central_token_file.exists():
        ensure(config.central_token_file, new_token())


def ticket_key(config: Config) -> bytes:
    """The payload signing key; on first run this also creates the central token file."""
    central_token(config)
    return ensure(config.ticket_key_file)


def new_token() -> bytes:
    """A fresh bearer token for the central server (to be registered with its operator)."""
    # os.urandom, as the secrets module uses, without loading hmac and random at the UI's start
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=")


def read(path: Path) -> bytes:
    """Read an existing secret, refusing one that group or others can read.

    Raises:
        SecretError: missing, empty, unreadable or too open.
    """
    try:
        mode = path.stat().st_mode
        data = path.read_bytes().strip()
    except FileNotFoundError:
        raise SecretError(f"{path}: missing") from None
    except PermissionError:
        raise SecretError(f"{path}: permission denied", denied=True) from None
    except OSError as exc:
        raise SecretError(f"{path}: cannot be read ({exc.strerror})") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretError(f"{path}: readable by others (mode {stat.S_IMODE(mode):o}); chmod 600 it")
    if not data:
        raise SecretError(f"{path}: empty")
    return data


def _create(path: Path, content: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, content + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass  # another process created it first; theirs wins
    finally:
        tmp.unlink()


# What `python -m kiosk.secrets FOLDER` makes: the credentials the units load from FOLDER.
_MADE_AT_INSTALL = {"ticket-key": None, "central-token": new_token}


def make_missing(folder: Path) -> list[str]:
    """Create the totem's own secrets in ``folder`` where missing (the package's postinst, and
    kiosk-secrets.service at an image's first boot, so no two totems share one).

    Returns:
        the names created.
    """
    made = []
    for name, make in _MADE_AT_INSTALL.items():
        if not (folder / name).exists():
            ensure(folder / name, make() if make else None)
            made.append(name)
    return made


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 2:
        print("usage: python -m kiosk.secrets FOLDER", file=sys.stderr)
        raise SystemExit(2)
    for made_name in make_missing(Path(sys.argv[1])):
        print(f"created {sys.argv[1]}/{made_name}")
