"""Displays with a token have a pool of streams of their own: when the public pool is full (the
attacker's 32 addresses x 32 streams), a real display with its token still gets the calls; one
without a token is refused as before, and the branch API stays open to the LAN."""

from __future__ import annotations

import json

import pytest
import requests

from kiosk.config import Config
from kiosk.server import app as server_app
from kiosk.server import displays
from kiosk.store import Store
from kiosk.totem import Totem
from tests.conftest import Clock
from tests.helpers import run_kiosk
from tests.integration.test_branch_server import Branch
from tests.integration.test_display_page import browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.integration


@pytest.fixture
def crowded(config: Config, clock: Clock, store: Store, monkeypatch: pytest.MonkeyPatch):
    """A branch server whose public pool holds two streams per address, both taken."""
    monkeypatch.setattr(server_app, "STREAMS_PER_CLIENT", 2)
    totem = Totem(config, store, b"k" * 32, clock=clock)
    for _ in range(3):
        totem.issue_walkin("A")
    branch = Branch(config, clock)
    taken = [
        requests.get(f"{branch.url}/api/v1/calls/stream", stream=True, timeout=10) for _ in range(2)
    ]
    assert [t.status_code for t in taken] == [200, 200]
    yield branch
    for t in taken:
        t.close()
    branch.stop()


def test_a_display_with_its_token_gets_a_stream_when_the_public_pool_is_full(
    crowded: Branch, store: Store
) -> None:
    url = f"{crowded.url}/api/v1/calls/stream"
    refused = requests.get(url, stream=True, timeout=10)
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    token = displays.add(store, "hall-left")
    mine = requests.get(url, stream=True, timeout=10, cookies={displays.COOKIE: token})
    assert mine.status_code == 200
    mine.close()
    wrong = requests.get(url, stream=True, timeout=10, cookies={displays.COOKIE: "x" * 32})
    assert wrong.status_code == 503  # a made-up token is no token: the public pool, full
    assert displays.remove(store, "hall-left")
    revoked = requests.get(url, stream=True, timeout=10, cookies={displays.COOKIE: token})
    assert revoked.status_code == 503


def test_the_display_page_keeps_its_token_out_of_the_address_and_gets_the_calls(
    browser,  # noqa: F811
    crowded: Branch,
    store: Store,
) -> None:
    token = displays.add(store, "hall-right")
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(f"{crowded.url}/display#display={token}")
        page.wait_for_function("!document.body.classList.contains('offline')", timeout=10_000)
        assert "#" not in page.url  # the token left the address bar (and any bookmark, log)
        crowded.next("2")
        page.wait_for_function(
            "document.getElementById('ticket').textContent === 'A001'", timeout=5000
        )
    finally:
        page.close()


def test_display_commands(capsys, config: Config, store: Store) -> None:
    source = str(config.source)
    code, out, err = run_kiosk(capsys, "--config", source, "display", "add", "hall-left", "--json")
    made = json.loads(out)
    assert code == 0 and made["display"] == "hall-left"
    assert made["url"] == f"http://THIS-TOTEM:8080/display#display={made['token']}"
    assert displays.owner(store, made["token"]) == "hall-left"
    code, out, err = run_kiosk(capsys, "--config", source, "display", "add", "hall-left")
    assert code == 2 and err.startswith("display: display hall-left already has a token")
    code, out, err = run_kiosk(capsys, "--config", source, "display", "add", "Hall Left")
    assert code == 2 and '"Hall Left" is not a display name' in err
    code, out, _ = run_kiosk(capsys, "--config", source, "display", "list")
    assert code == 0 and out.strip() == "hall-left"
    code, out, _ = run_kiosk(capsys, "--config", source, "display", "remove", "hall-left")
    assert code == 0 and out.strip() == "display hall-left: token revoked"
    code, _, err = run_kiosk(capsys, "--config", source, "display", "remove", "hall-left")
    assert code == 2 and err.strip() == 'display: "hall-left" does not exist'
