"""The demo's second totem: a satellite of the demo's host, with its own simulated printer."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk import secrets
from kiosk.config import Config
from kiosk.server import satellites
from kiosk.store import Store

SATELLITE_ID = "demo-totem-2"


def satellite_config(config: Config, store: Store, host_url: str) -> Path:
    """Write the satellite's configuration next to the demo's data, with a fresh token, and
    return its path: the host's file with the satellite's id, role, data and [branch]."""
    folder = config.data_dir.parent / "satellite"
    token_file = folder / "secrets" / "branch-token"
    token_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    token_file.unlink(missing_ok=True)
    secrets.ensure(token_file, satellites.add(store, SATELLITE_ID, replace=True).encode())
    text = config.source.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^id = ".*"$', f'id = "{SATELLITE_ID}"\nrole = "satellite"', text, count=1)
    text = re.sub(r'(?m)^data_dir = ".*"$', f'data_dir = "{folder / "data"}"', text, count=1)
    text = re.sub(r"(?ms)^\[server\].*?(?=^\[)", "", text)  # a satellite serves nothing
    path = folder / "kiosk.toml"
    path.write_text(
        text + f'\n[branch]\nurl = "{host_url}"\ntoken_file = "{token_file}"\n', encoding="utf-8"
    )
    return path
