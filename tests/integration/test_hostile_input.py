"""What the attacker's fuzzer sent that got a 500 (18 of 483 requests): integers of 4,300 digits
on the desk and satellite routes, JSON nested past the parser's depth, a seq at or past 2^63.
Each now gets one clear 4xx on the real servers, and nothing is stored."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
import requests

from central.server import CentralServer
from kiosk.config import Config
from kiosk.server import desks as desk_tokens
from kiosk.server import satellites
from kiosk.server.app import make_app
from kiosk.serving import ThreadedServer
from kiosk.store import Store
from tests.conftest import Clock
from tests.integration.test_central import event

pytestmark = pytest.mark.integration
HUGE = "9" * 4400  # past Python's 4,300-digit limit for int(str)
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def host(config: Config, store: Store, clock: Clock) -> Iterator[tuple[str, dict[str, str]]]:
    server = ThreadedServer(make_app(config, clock, key=b"k" * 32), graceful_timeout=1).start()
    tokens = {"desk": desk_tokens.add(store, "1"), "totem": satellites.add(store, "totem-2")}
    yield server.url, tokens
    server.stop()


@pytest.mark.parametrize(
    ("route", "who", "body"),
    [
        ("desks/1/next", "desk", '{"services": [' + HUGE + "]}"),
        ("desks/1/next", "desk", '{"services": ["A"], "x": ' + HUGE + "}"),
        ("desks/1/transfer", "desk", '{"service": ' + HUGE + "}"),
        ("desks/1/next", "desk", DEEP),
        ("tickets", "totem", '{"service": "A", "request": ' + HUGE + "}"),
        ("tickets", "totem", DEEP[:20_000] + "]" * 0),
        ("scans", "totem", '{"text": ' + HUGE + ', "request": "x"}'),
    ],
)
def test_the_branch_answers_4xx(
    host: tuple[str, dict[str, str]], route: str, who: str, body: str
) -> None:
    url, tokens = host
    answer = requests.post(f"{url}/api/v1/{route}", data=body, timeout=30,
                           headers={"Authorization": f"Bearer {tokens[who]}"})  # fmt: skip
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:200])
    assert "error" in answer.json()


@pytest.fixture
def central(central_url: str) -> Iterator[tuple[CentralServer, str]]:
    server = CentralServer(central_url).start()
    token = server.enrol("k1", "b1")
    yield server, token
    server.stop()


def batch(*events: dict) -> str:
    return json.dumps({"kiosk": "k1", "events": list(events)})


ISSUED = {"ticket": "A001", "service": "A"}


@pytest.mark.parametrize(
    "raw",
    [
        '{"kiosk": "k1", "events": [' + HUGE + "]}",
        DEEP,
        batch(event("ticket.issued", 2**63, **ISSUED)),
        batch(event("ticket.issued", 2**64 + 5, **ISSUED)),
        batch(event("kiosk.health", 1, printer="ok", backlog=2**70, version="1", clock=0)),
    ],
    ids=["huge", "deep", "seq-2^63", "seq-2^64", "backlog-2^70"],
)
def test_the_central_answers_4xx(central: tuple[CentralServer, str], raw: str) -> None:
    server, token = central
    answer = requests.post(f"{server.url}/v1/events", data=raw, timeout=30,
                           headers={"Authorization": f"Bearer {token}",
                                    "Idempotency-Key": str(uuid.uuid4())})  # fmt: skip
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:200])
    fine = event("ticket.issued", 1, ticket="A001", service="A")  # the kiosk's seq never moved
    ok = requests.post(f"{server.url}/v1/events", timeout=30,
                       json={"kiosk": "k1", "events": [fine]},
                       headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert ok.status_code == 200, ok.text
