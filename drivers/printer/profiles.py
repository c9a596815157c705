"""Where python-escpos keeps its parsed printer profiles: set before the library loads, with
nothing else imported, so the UI's start can name the folder without loading the ticket code."""

from __future__ import annotations

import os
from pathlib import Path

PROFILE_CACHE_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def use_profile_cache(folder: Path) -> None:
    """Keep python-escpos's parsed printer profiles in ``folder``.

    On import python-escpos parses its profiles (YAML, ~0.15 s) and caches the result in a
    *new* temporary directory unless told otherwise: every process paid the parse again and
    left a directory behind in /tmp. Given a folder that lasts, only the first one parses. Does
    nothing if the environment already names one, or if the folder cannot be made.
    """
    if PROFILE_CACHE_ENV in os.environ:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return
    drop_broken(folder)
    os.environ[PROFILE_CACHE_ENV] = str(folder)


def drop_broken(folder: Path) -> list[Path]:
    """Remove cached profiles that were cut short, and return them.

    python-escpos writes its cache in place, not atomically: a power cut while it writes (the
    first boot's first ticket) leaves an empty or cut file, and every later import fails with
    EOFError: no ticket ever again until someone deletes it (found by cutting the power during
    a boot under QEMU). A pickle ends with its STOP opcode, ".": a file that does not is
    removed, and the next import writes it anew."""
    dropped = []
    for cached in folder.glob("*.capabilities.pickle"):
        try:
            with cached.open("rb") as f:
                f.seek(-1, os.SEEK_END)  # an empty file cannot: OSError
                complete = f.read(1) == b"."
        except OSError:
            complete = False
        if not complete:
            cached.unlink(missing_ok=True)
            dropped.append(cached)
    return dropped
