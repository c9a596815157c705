"""A citizen's phone asks where its ticket is (GET /api/v1/tickets/{payload}), from the live
queue with the desks' own call order; a forged payload learns nothing."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
import requests

from kiosk.config import Config
from kiosk.server import desks as desk_tokens
from kiosk.server.app import make_app
from kiosk.serving import ThreadedServer
from kiosk.store import Store
from kiosk.totem import Totem
from tests.conftest import Clock

pytestmark = pytest.mark.integration
KEY = b"k" * 32


@pytest.fixture
def branch(config: Config, store: Store, clock: Clock):
    server = ThreadedServer(make_app(config, clock, key=KEY), graceful_timeout=1).start()
    token = desk_tokens.add(store, "1")
    yield server, {"Authorization": f"Bearer {token}"}
    server.stop()


def test_a_ticket_follows_its_way_from_waiting_to_the_desk(
    branch, config: Config, store: Store, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    server, auth = branch
    totem = Totem(config, store, KEY, clock=clock)
    # Every logger that could see the payload at DEBUG, whatever an earlier test set them to.
    for name in ("kiosk", "uvicorn", "starlette", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)
    with caplog.at_level(logging.DEBUG):
        issued = [totem.issue_walkin("A") for _ in range(3)]
        third = issued[2].payload
        url = f"{server.url}/api/v1/tickets/{third}"
        answer = requests.get(url, timeout=5)
        assert answer.status_code == 200 and "set-cookie" not in answer.headers
        status = answer.json()
        assert (status["ticket"], status["state"], status["ahead"], status["now"]) == (
            "A003", "waiting", 2, None,
        )  # fmt: skip
        low, high = status["wait"]
        assert 0 <= low < high  # a range, never a single promise
        for _ in range(3):
            requests.post(f"{server.url}/api/v1/desks/1/next", json={"services": ["A"]},
                          headers=auth, timeout=5)  # fmt: skip
        status = requests.get(url, timeout=5).json()
        assert (status["state"], status["desk"], status["now"]) == ("called", "1", "A003")
        requests.post(f"{server.url}/api/v1/desks/1/done", headers=auth, timeout=5)
        assert requests.get(url, timeout=5).json()["state"] == "done"
        page = requests.get(f"{server.url}/t/{third}", timeout=5)
        assert page.status_code == 200 and "set-cookie" not in page.headers
        forged = requests.get(f"{server.url}/t/{third[:-1]}0{third[-1]}"[:-1], timeout=5)
        assert forged.status_code == 404
    # The logs were heard (the client's own lines name the ticket route; the payload in them
    # is redacted when the kiosk's log handler is installed), but never a server's line with
    # the payload or the client.
    assert any("/api/v1/tickets/" in r.getMessage() for r in caplog.records
               if r.name.startswith("urllib3"))  # fmt: skip
    server_lines = [r.getMessage() for r in caplog.records
                    if r.name.startswith(("kiosk", "uvicorn", "starlette"))]  # fmt: skip
    assert not any(third in line for line in server_lines)  # ...the payload
    assert not any("127.0.0.1" in line for line in server_lines)  # ...or the client


@pytest.mark.parametrize("change", ["last digit", "another key", "not digits", "too short"])
def test_a_forged_payload_gets_no_position(
    branch, config: Config, store: Store, clock: Clock, change: str
) -> None:
    server, _auth = branch
    payload = Totem(config, store, KEY, clock=clock).issue_walkin("A").payload
    forged = {
        "last digit": payload[:-1] + str((int(payload[-1]) + 1) % 10),
        "another key": Totem(config, store, b"x" * 32, clock=clock).issue_walkin("A").payload,
        "not digits": "A001",
        "too short": payload[:20],
    }[change]
    answer = requests.get(f"{server.url}/api/v1/tickets/{forged}", timeout=5)
    assert answer.status_code == 404
    assert answer.json() == {"error": "not a ticket of this office"}


def test_yesterdays_ticket_is_unknown(branch, config: Config, store: Store, clock: Clock) -> None:
    server, _auth = branch
    payload = Totem(config, store, KEY, clock=clock).issue_walkin("A").payload
    clock.now += timedelta(days=1)
    status = requests.get(f"{server.url}/api/v1/tickets/{payload}", timeout=5).json()
    assert status == {"ticket": "A001", "service": "A", "state": "unknown", "now": None}


def test_one_client_asking_too_often_is_slowed_down(
    branch, config: Config, store: Store, clock: Clock
) -> None:
    server, _auth = branch
    payload = Totem(config, store, KEY, clock=clock).issue_walkin("A").payload
    codes = [
        requests.get(f"{server.url}/api/v1/tickets/{payload}", timeout=5).status_code
        for _ in range(40)
    ]
    assert codes[:30] == [200] * 30 and 429 in codes[30:]


def read_statuses(lines, until, limit: int = 20) -> list[dict]:
    """Status events from a stream's lines until one satisfies ``until``."""
    import json as _json

    found = []
    for line in lines:
        if line.startswith("data: "):
            found.append(_json.loads(line[6:]))
            if until(found[-1]) or len(found) >= limit:
                break
    return found


def test_the_stream_tells_the_phone_the_moment_it_is_called(
    branch, config: Config, store: Store, clock: Clock
) -> None:
    import threading
    import time

    server, auth = branch
    totem = Totem(config, store, KEY, clock=clock)
    third = [totem.issue_walkin("A") for _ in range(3)][2].payload
    with requests.get(f"{server.url}/api/v1/tickets/{third}/stream", stream=True,
                      timeout=10) as stream:  # fmt: skip
        assert stream.status_code == 200 and "set-cookie" not in stream.headers
        lines = stream.iter_lines(decode_unicode=True)  # one iterator: dropping it closes
        first = read_statuses(lines, lambda s: True)
        assert (first[0]["state"], first[0]["ahead"]) == ("waiting", 2)

        def desk() -> None:
            for _ in range(3):
                requests.post(f"{server.url}/api/v1/desks/1/next", json={"services": ["A"]},
                              headers=auth, timeout=5)  # fmt: skip

        started = time.monotonic()
        threading.Thread(target=desk).start()
        seen = read_statuses(lines, lambda s: s["state"] == "called")
        assert seen[-1]["state"] == "called" and seen[-1]["desk"] == "1"
        assert time.monotonic() - started < 5  # within the poller's second, with room
    forged = requests.get(f"{server.url}/api/v1/tickets/{third[:-1]}0/stream", timeout=5)
    assert forged.status_code in (404, 200) and (forged.status_code == 404 or third.endswith("0"))


def test_a_desk_finishing_changes_no_phone(
    branch, config: Config, store: Store, clock: Clock
) -> None:
    """A "done" or a no-show is shown on no screen; a phone must not see it either (its wait
    would time a desk's work). Only calls, which the screens show, move a phone's status."""
    server, auth = branch
    totem = Totem(config, store, KEY, clock=clock)
    for _ in range(6):
        totem.issue_walkin("A")
    seventh = totem.issue_walkin("A").payload
    url = f"{server.url}/api/v1/tickets/{seventh}"
    desk = f"{server.url}/api/v1/desks/1"
    for _ in range(5):  # five served over the morning, so today's pace exists
        requests.post(f"{desk}/next", json={"services": ["A"]}, headers=auth, timeout=5)
        clock.now += timedelta(minutes=7)
        requests.post(f"{desk}/done", headers=auth, timeout=5)
    requests.post(f"{desk}/next", json={"services": ["A"]}, headers=auth, timeout=5)
    before = requests.get(url, timeout=5).json()
    clock.now += timedelta(minutes=2)
    requests.post(f"{desk}/done", headers=auth, timeout=5)
    after_done = requests.get(url, timeout=5).json()
    assert after_done == before
    requests.post(f"{desk}/next", json={"services": ["A"]}, headers=auth, timeout=5)
    called = requests.get(url, timeout=5).json()
    assert called["state"] == "called"  # the seventh's own turn


def test_phones_have_a_pool_of_their_own_and_never_take_the_screens(
    config: Config, store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk.server import app as app_module

    monkeypatch.setattr(app_module, "PHONE_STREAMS", 2)
    server = ThreadedServer(make_app(config, clock, key=KEY), graceful_timeout=1).start()
    payload = Totem(config, store, KEY, clock=clock).issue_walkin("A").payload
    url = f"{server.url}/api/v1/tickets/{payload}/stream"
    phones = [requests.get(url, stream=True, timeout=5) for _ in range(2)]
    try:
        assert [p.status_code for p in phones] == [200, 200]
        full = requests.get(url, stream=True, timeout=5)
        assert full.status_code == 503 and full.headers["retry-after"]
        display = requests.get(f"{server.url}/api/v1/calls/stream", stream=True, timeout=5)
        assert display.status_code == 200  # the waiting-room screen still gets its stream
        display.close()
    finally:
        for p in phones:
            p.close()
        server.stop()


def test_the_guest_listener_serves_phones_and_nothing_else(
    config: Config, store: Store, clock: Clock
) -> None:
    """server.phone_listen: what the guest Wi-Fi reaches. A phone there hears its call at
    once (the desks are served by the other listener's event loop); the screens' and desks'
    routes are not there at all."""
    app = make_app(config, clock, key=KEY)
    lan = ThreadedServer(app, graceful_timeout=1).start()
    guests = ThreadedServer(app.state.phone_app, graceful_timeout=1).start()
    token = desk_tokens.add(store, "1")
    payload = Totem(config, store, KEY, clock=clock).issue_walkin("A").payload
    try:
        assert requests.get(f"{guests.url}/t/{payload}", timeout=5).status_code == 200
        assert requests.get(f"{guests.url}/api/v1/tickets/{payload}", timeout=5).ok
        for path in ("/display", "/desk/1", "/api/v1/calls", "/api/v1/queue",
                     "/api/v1/announcement?ticket=A001&desk=1", "/api/v1/info"):  # fmt: skip
            assert requests.get(guests.url + path, timeout=5).status_code == 404, path
        nope = requests.post(f"{guests.url}/api/v1/desks/1/next",
                             headers={"Authorization": f"Bearer {token}"}, timeout=5)  # fmt: skip
        assert nope.status_code == 404
        with requests.get(f"{guests.url}/api/v1/tickets/{payload}/stream", stream=True,
                          timeout=10) as stream:  # fmt: skip
            lines = stream.iter_lines(decode_unicode=True)
            assert read_statuses(lines, lambda s: True)[-1]["state"] == "waiting"
            started = time.monotonic()
            requests.post(f"{lan.url}/api/v1/desks/1/next", json={"services": ["A"]},
                          headers={"Authorization": f"Bearer {token}"}, timeout=5)  # fmt: skip
            seen = read_statuses(lines, lambda s: s["state"] == "called")
            assert seen[-1]["desk"] == "1" and time.monotonic() - started < 1.0
    finally:
        guests.stop()
        lan.stop()


def test_forty_phones_behind_one_address_are_all_served(
    branch, config: Config, store: Store, clock: Clock
) -> None:
    """A guest Wi-Fi gives every phone one IPv6 /64, a NAT one IPv4 address: the budgets are
    the tickets', so 40 phones on one address are all served (the attacker saw phone 31 of 40
    refused and phone 33 get a 503), each ticket at most 2 streams, and a script guessing
    payloads from the same address is slowed without touching them."""
    import http.client

    server, _ = branch
    totem = Totem(config, store, KEY, clock=clock)
    payloads = [totem.issue_walkin("A").payload for _ in range(40)]
    host, port = server.url.removeprefix("http://").split(":")
    with requests.Session() as phones:
        for _ in range(3):  # every phone opens its page and asks twice
            for payload in payloads:
                assert phones.get(f"{server.url}/t/{payload}", timeout=10).status_code == 200
                answer = phones.get(f"{server.url}/api/v1/tickets/{payload}", timeout=10)
                assert answer.status_code == 200
        streams = []
        try:
            for payload in payloads:  # one live stream each: 40 from one address
                conn = http.client.HTTPConnection(host, int(port), timeout=10)
                conn.request("GET", f"/api/v1/tickets/{payload}/stream")
                assert conn.getresponse().status == 200
                streams.append(conn)
            for extra in (1, 2):  # a second phone on a ticket, then a third
                conn = http.client.HTTPConnection(host, int(port), timeout=10)
                conn.request("GET", f"/api/v1/tickets/{payloads[0]}/stream")
                status = conn.getresponse().status
                streams.append(conn)
                assert status == (200 if extra == 1 else 503)
        finally:
            for conn in streams:
                conn.close()
        forged = [f"{p[:-3]}{(int(p[-3:]) + 1) % 1000:03d}" for p in payloads[:30]]
        answers = [phones.get(f"{server.url}/api/v1/tickets/{f}", timeout=10).status_code
                   for f in forged]  # fmt: skip
        assert answers.count(404) <= 12 and answers.count(429) >= 18
        assert phones.get(f"{server.url}/api/v1/tickets/{payloads[5]}", timeout=10).ok
