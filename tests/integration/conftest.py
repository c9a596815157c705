"""A reference central server on 127.0.0.1 and a totem configured to talk to it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kiosk import secrets
from kiosk.config import Config, load
from kiosk.store import Store
from kiosk.totem import Totem
from sync.agent import SyncAgent
from sync.central import CentralServer
from sync.client import CentralClient
from tests.conftest import Clock


@pytest.fixture
def central(tmp_path: Path):
    # The server's copy of the token, and the totem's own file with the same value.
    expected = tmp_path / "central-side" / "expected-token"
    secrets.ensure(expected, b"good-token-123")
    secrets.ensure(tmp_path / "secrets" / "central-token", b"good-token-123")
    server = CentralServer(
        tmp_path / "central.sqlite3", expected, tmp_path / "appointments.json"
    ).start()
    yield server
    server.stop()


@pytest.fixture
def synced(write_config, central: CentralServer) -> Config:
    cfg = load(write_config())
    return replace(cfg, central_url=central.url)


@pytest.fixture
def sync_store(synced: Config):
    store = Store(synced.database)
    yield store
    store.close()


@pytest.fixture
def totem(synced: Config, sync_store: Store, clock: Clock) -> Totem:
    return Totem(synced, sync_store, b"k" * 32, clock=clock)


@pytest.fixture
def agent(synced: Config, sync_store: Store, clock: Clock) -> SyncAgent:
    client = CentralClient(synced.central_url, synced.central_token_file, timeouts=(2.0, 5.0))
    return SyncAgent(synced, sync_store, client, clock=clock)
