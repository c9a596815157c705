"""The central service on 127.0.0.1 (embedded SQLite) and a totem enrolled with it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from central.server import CentralServer
from kiosk import secrets
from kiosk.config import Config, load
from kiosk.store import Store
from kiosk.totem import Totem
from sync.agent import SyncAgent
from sync.client import CentralClient
from tests.conftest import Clock


@pytest.fixture
def central(tmp_path: Path, clock: Clock):
    # The totem is enrolled with the central (which keeps the token hashed), as by
    # `kiosk central kiosk add test-totem --branch test-branch`. Its clock is the totem's:
    # a kiosk may fetch only the appointments of a day that is today somewhere.
    secrets.ensure(tmp_path / "secrets" / "central-token", b"good-token-123")
    server = CentralServer(tmp_path / "central.sqlite3", now=clock).start()
    server.enrol("test-totem", "test-branch", "good-token-123")
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
    return SyncAgent(synced, sync_store, client, clock=clock, key=b"k" * 32)


@pytest.fixture(scope="session")
def postgres_cluster():
    """One throwaway PostgreSQL for the whole run (tests/postgres.py)."""
    from tests.postgres import cluster

    with cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def central_url(request, tmp_path: Path) -> str:
    """A new, empty central database: embedded SQLite, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.sqlite3'}"
    from uuid import uuid4

    from tests.postgres import fresh_database

    return fresh_database(request.getfixturevalue("postgres_cluster"), f"t{uuid4().hex[:12]}")
