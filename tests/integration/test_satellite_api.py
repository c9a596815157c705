"""The host's side of satellite totems (POST /api/v1/tickets and /api/v1/scans): a totem token,
one ticket per request id however often it is asked (the answer lost on the way, two copies at
once), numbers gapless across the host's own touches and a satellite's."""

from __future__ import annotations

import socket
import threading
import uuid
from datetime import timedelta

import pytest
import requests

from kiosk.config import Config
from kiosk.server import satellites
from kiosk.server.app import make_app
from kiosk.serving import ThreadedServer
from kiosk.store import Store, purge
from kiosk.totem import Totem
from tests.conftest import Clock
from tests.helpers import run_kiosk
from tests.unit.test_totem import serve

pytestmark = pytest.mark.integration
KEY = b"k" * 32


class Host:
    def __init__(self, config: Config, store: Store, clock: Clock) -> None:
        self.server = ThreadedServer(make_app(config, clock, key=KEY), graceful_timeout=1).start()
        self.url = self.server.url
        self.token = satellites.add(store, "totem-2")
        self.http = requests.Session()

    def post(self, what: str, body: dict, token: str | None = None) -> requests.Response:
        auth = {"Authorization": f"Bearer {token or self.token}"}
        return self.http.post(f"{self.url}/api/v1/{what}", json=body, headers=auth, timeout=10)

    def issue(self, service: str = "A", request: str | None = None) -> requests.Response:
        return self.post("tickets", {"service": service, "request": request or str(uuid.uuid4())})


@pytest.fixture
def host(config: Config, store: Store, clock: Clock):
    h = Host(config, store, clock)
    yield h
    h.http.close()
    h.server.stop()


def codes(store: Store) -> list[str]:
    return [r["code"] for r in store.query("SELECT code FROM tickets ORDER BY number")]


def test_a_satellite_issues_with_its_token_and_gets_what_it_prints(host: Host) -> None:
    answer = host.issue("A")
    assert answer.status_code == 200
    got = answer.json()
    assert (got["ticket"], got["service"], got["printed"], got["kind"]) == (
        "A001", "A", False, "walkin",
    )  # fmt: skip
    assert got["qr"] == got["payload"] and len(got["payload"]) == 26
    assert got["ahead"] == 0 and "issued_at" in got
    refused = {
        "no token": host.post("tickets", {"service": "A", "request": str(uuid.uuid4())}, "x"),
        "no request id": host.post("tickets", {"service": "A"}),
        "not a uuid": host.issue("A", request="touch-1"),
        "no such service": host.issue("Q"),
    }
    assert {k: r.status_code for k, r in refused.items()} == {
        "no token": 401, "no request id": 422, "not a uuid": 422, "no such service": 422,
    }  # fmt: skip
    assert "kiosk totem add" in refused["no token"].json()["error"]
    assert refused["no such service"].json()["error"] == "service: one of A, B"


def test_the_same_request_asked_again_is_the_same_ticket(host: Host, store: Store) -> None:
    request = str(uuid.uuid4())
    first, again = host.issue("A", request).json(), host.issue("A", request).json()
    assert first["ticket"] == again["ticket"] == "A001" and first["payload"] == again["payload"]
    assert codes(store) == ["A001"]
    assert host.issue("A").json()["ticket"] == "A002"  # a new touch, a new ticket


def test_an_answer_lost_after_the_host_committed_then_retried_is_one_ticket(
    host: Host, store: Store
) -> None:
    request = str(uuid.uuid4())
    body = f'{{"service": "A", "request": "{request}"}}'.encode()
    port = int(host.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(
            b"POST /api/v1/tickets HTTP/1.1\r\nHost: host\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {host.token}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        for _ in range(100):  # the host commits...
            if codes(store):
                break
            threading.Event().wait(0.05)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    # ...and the connection is reset before the satellite read the answer
    assert codes(store) == ["A001"]  # the host committed
    assert host.issue("A", request).json()["ticket"] == "A001"  # the retry: the same ticket
    assert codes(store) == ["A001"]


def test_two_copies_of_one_request_at_once_are_one_ticket(host: Host, store: Store) -> None:
    for _ in range(5):
        request = str(uuid.uuid4())
        answers: list[str] = []
        threads = [
            threading.Thread(
                target=lambda: answers.append(host.issue("A", request).json()["ticket"])
            )
            for _ in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(set(answers)) == 1 and len(answers) == 4
    assert codes(store) == [f"A{n:03d}" for n in range(1, 6)]


def test_the_host_and_a_satellite_at_once_are_gapless(
    host: Host, config: Config, store: Store, clock: Clock
) -> None:
    """The bar: 20 tickets from the host's own touches and 20 from a satellite at the same
    time are A001 to A040."""
    errors: list[BaseException] = []

    def host_touches() -> None:
        try:
            with Store(config.database) as mine:
                totem = Totem(config, mine, KEY, clock=clock)
                for _ in range(20):
                    totem.issue_walkin("A")
        except BaseException as exc:
            errors.append(exc)

    def satellite_touches() -> None:
        for _ in range(20):
            if host.issue("A").status_code != 200:
                errors.append(AssertionError("refused"))

    threads = [threading.Thread(target=host_touches), threading.Thread(target=satellite_touches)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert codes(store) == [f"A{n:03d}" for n in range(1, 41)]


def test_a_scan_at_a_satellite_of_a_host_ticket_and_its_retry(
    host: Host, config: Config, store: Store, clock: Clock
) -> None:
    earlier = Totem(config, store, KEY, clock=clock).issue_walkin("A")  # at the host
    serve(store, "A001")
    request = str(uuid.uuid4())
    scan = {"text": earlier.qr, "request": request, "lang": "en"}
    first = host.post("scans", scan).json()
    assert (first["result"], first["reason"], first["ticket"]) == ("reentry", "served", "A002")
    assert first["reentry_of"] == "A001" and first["kind"] == "reentry"
    again = host.post("scans", scan).json()  # the answer was lost: the same re-entry
    assert (again["result"], again["ticket"]) == ("reentry", "A002")
    other = host.post("scans", {**scan, "request": str(uuid.uuid4())}).json()
    assert (other["result"], other["reason"]) == ("rejected", "already_returned")
    # and the other way round: a ticket the satellite issued, scanned at the host
    satellite_ticket = host.issue("A").json()
    serve(store, satellite_ticket["ticket"])
    back = Totem(config, store, KEY, clock=clock).scan(satellite_ticket["qr"])
    assert (back.result, back.reason) == ("reentry", "served")
    assert codes(store) == ["A001", "A002", "A003", "A004"]


def test_totem_tokens_from_the_command(capsys, config: Config) -> None:
    code, token, _ = run_kiosk(capsys, "--config", str(config.source), "totem", "add", "totem-3")
    assert code == 0 and len(token.strip()) >= 30
    code, _, err = run_kiosk(capsys, "--config", str(config.source), "totem", "add", "totem-3")
    assert code == 2 and "--replace" in err
    code, _, err = run_kiosk(capsys, "--config", str(config.source), "totem", "add", "Totem 3")
    assert code == 2 and err.startswith('totem: "Totem 3" is not') and err.count("\n") == 1
    code, out, _ = run_kiosk(capsys, "--config", str(config.source), "totem", "list", "--json")
    assert code == 0 and '"totem-3"' in out
    assert run_kiosk(capsys, "--config", str(config.source), "totem", "remove", "totem-3")[0] == 0
    assert run_kiosk(capsys, "--config", str(config.source), "totem", "remove", "totem-3")[0] == 2


def test_a_day_s_requests_go_with_its_tickets(host: Host, store: Store, clock: Clock) -> None:
    host.issue("A")
    assert store.scalar("SELECT COUNT(*) FROM requests") == 1
    tomorrow = (clock.now + timedelta(days=1)).astimezone(clock.now.tzinfo)
    report = purge.purge(store, tomorrow.date().isoformat(), tomorrow)
    assert report.requests == 1 and store.scalar("SELECT COUNT(*) FROM requests") == 0


def test_a_satellite_token_is_no_booking_code_oracle(host: Host) -> None:
    """A stolen totem token tried 1,237 booking codes a second through /api/v1/scans: now a
    satellite gets 10 scans at once and one every 2 s, then 429 with Retry-After; the host's
    own tickets and other satellites are untouched."""
    answers = [
        host.post("scans", {"text": f"BOOK-{n:08d}", "request": str(uuid.uuid4())}).status_code
        for n in range(25)
    ]
    assert answers[:10] == [200] * 10
    assert answers.count(429) >= 14
    refused = host.post("scans", {"text": "BOOK-00000099", "request": str(uuid.uuid4())})
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert host.issue("A").status_code == 200  # issuing is not a guess: never throttled
