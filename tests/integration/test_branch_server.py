"""The branch server over a real HTTP server on 127.0.0.1 (docs/branch-api.md)."""

from __future__ import annotations

import json
import threading
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
from tests.helpers import outbox_events, trickle
from tests.unit.test_totem import add_appointment, serve

pytestmark = pytest.mark.integration


class Branch:
    """A branch server on a free port, with desks 1, 2 and 3."""

    def __init__(self, config: Config, clock: Clock, port: int = 0) -> None:
        self.config, self.clock = config, clock
        self.server = ThreadedServer(make_app(config, clock), port=port, graceful_timeout=1).start()
        self.url = self.server.url
        with Store(config.database) as store:
            self.tokens = {
                d: desk_tokens.add(store, d, replace=True) for d in ("1", "2", "3", "12")
            }
        self.http = requests.Session()

    def post(
        self, desk: str, action: str, body: object = None, token: str | None = "mine"
    ) -> requests.Response:
        headers = {}
        if token == "mine":
            headers["Authorization"] = f"Bearer {self.tokens[desk]}"
        elif token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = body if isinstance(body, (bytes, str)) else json.dumps(body or {})
        return self.http.post(
            f"{self.url}/api/v1/desks/{desk}/{action}", data=data, headers=headers, timeout=10
        )

    def next(self, desk: str, services: list[str] | None = None) -> str | None:
        response = self.post(desk, "next", {"services": services or ["A"]})
        assert response.status_code in (200, 204), response.text
        return response.json()["ticket"] if response.status_code == 200 else None

    def stop(self) -> None:
        self.http.close()
        self.server.stop()


@pytest.fixture
def branch(config: Config, clock: Clock, store: Store):
    b = Branch(config, clock)
    yield b
    b.stop()


@pytest.fixture
def totem(config: Config, store: Store, clock: Clock) -> Totem:
    return Totem(config, store, b"k" * 32, clock=clock)


def test_priority_order(branch: Branch, totem: Totem, store: Store, clock: Clock) -> None:
    first = totem.issue_walkin("A")  # A001
    totem.issue_walkin("A")  # A002
    totem.issue_walkin("A")  # A003
    serve(store, "A001")
    clock.now += timedelta(minutes=1)
    reentry = totem.scan(first.qr).issued.ticket.code  # A004, a re-entry
    add_appointment(store, "BOOK-123456", "10:05")
    clock.now += timedelta(minutes=4)  # 10:05: the appointment is due
    appointment = totem.scan("BOOK-123456").issued.ticket.code  # A005
    order = [branch.next("1") for _ in range(4)]
    assert order == [reentry, appointment, "A002", "A003"]
    assert branch.next("1") is None  # 204 when nobody waits


def test_two_desks_pressing_next_at_once_never_share_a_ticket(branch: Branch, totem: Totem) -> None:
    for _ in range(120):
        totem.issue_walkin("A")
    got: dict[str, list[str]] = {"1": [], "2": []}
    start = threading.Barrier(2)

    def desk(name: str) -> None:
        session = requests.Session()
        start.wait()
        while True:
            r = session.post(f"{branch.url}/api/v1/desks/{name}/next", json={"services": ["A"]},
                             headers={"Authorization": f"Bearer {branch.tokens[name]}"}, timeout=30)  # fmt: skip
            assert r.status_code in (200, 204), r.text
            if r.status_code == 204:
                return
            got[name].append(r.json()["ticket"])

    threads = [threading.Thread(target=desk, args=(n,)) for n in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    calls = got["1"] + got["2"]
    assert len(calls) == len(set(calls)) == 120
    assert got["1"] and got["2"]  # both desks really took part


def test_recall_done_no_show_transfer(branch: Branch, totem: Totem, store: Store) -> None:
    totem.issue_walkin("A")
    totem.issue_walkin("A")
    totem.issue_walkin("B")
    assert branch.next("3") == "A001"
    assert branch.post("3", "recall").json() == {"ticket": "A001"}
    assert branch.post("3", "done").json() == {"ticket": "A001"}
    assert branch.post("3", "done").status_code == 409  # nothing to finish now
    assert branch.next("3") == "A002"
    assert branch.post("3", "no-show").json() == {"ticket": "A002"}
    assert branch.next("3", ["B"]) == "B001"
    assert branch.post("3", "transfer", {"service": "A"}).json() == {"ticket": "B001"}
    totem.issue_walkin("A")  # A003 came after, but a transferred citizen goes first
    assert branch.next("1", ["A"]) == "B001"
    assert branch.next("1", ["A"]) == "A003"
    statuses = {r["code"]: r["status"] for r in store.query("SELECT code, status FROM tickets")}
    assert statuses == {"A001": "done", "A002": "no_show", "B001": "done", "A003": "called"}
    # A desk's work writes no event: nothing per ticket but its issue ever leaves the branch,
    # and no column of the outbox could hold a desk.
    assert [e["type"] for e in outbox_events(store)] == ["ticket.issued"] * 4
    assert "desk" not in {c["name"] for c in store.query("PRAGMA table_info(outbox)")}
    assert branch.http.get(f"{branch.url}/api/v1/calls?limit=2").json() == {
        "calls": [
            {"ticket": "A003", "desk": "1", "at": "2026-11-23T10:00:00+01:00"},
            {"ticket": "B001", "desk": "1", "at": "2026-11-23T10:00:00+01:00"},
        ]
    }


def test_no_show_who_returns_is_called_again_near_the_front(
    branch: Branch, totem: Totem, clock: Clock
) -> None:
    late = totem.issue_walkin("A")
    totem.issue_walkin("A")
    totem.issue_walkin("A")
    assert branch.next("1") == "A001"
    branch.post("1", "no-show")
    clock.now += timedelta(minutes=5)
    assert totem.scan(late.qr).reason == "requeued"
    assert branch.next("2") == "A001"


@pytest.mark.parametrize(
    ("desk", "token", "status"),
    [
        ("1", None, 401),
        ("1", "not-a-token", 401),
        ("1", "desk2", 403),
        ("9", "desk2", 403),
        ("bad!", None, 404),
    ],
)
def test_token_checks(
    branch: Branch, totem: Totem, desk: str, token: str | None, status: int
) -> None:
    totem.issue_walkin("A")
    real = branch.tokens["2"] if token == "desk2" else token
    response = branch.post(desk, "next", {"services": ["A"]}, token=real)
    assert response.status_code == status
    assert "error" in response.json()


def test_revoked_token_is_refused(branch: Branch, store: Store) -> None:
    assert desk_tokens.remove(store, "1")
    assert branch.post("1", "next", {"services": ["A"]}).status_code == 401


def test_another_desks_ticket_is_403(branch: Branch, totem: Totem) -> None:
    totem.issue_walkin("A")
    assert branch.next("1") == "A001"
    response = branch.post("2", "done", {"ticket": "A001"})
    assert response.status_code == 403 and "another desk" in response.json()["error"]


@pytest.mark.parametrize(
    ("action", "body", "status", "message"),
    [
        ("next", b"{not json", 400, "not valid JSON"),
        ("next", b"[1, 2]", 400, "JSON object"),
        ("next", {"services": "A"}, 422, "services"),
        ("next", {"services": ["Z"]}, 422, "unknown services: Z"),
        ("transfer", {}, 422, "service"),
        ("frobnicate", {}, 404, "no desk action"),
        ("next", b"[" * 5000 + b"]" * 5000, 400, "nested too deeply"),
        ("next", b'{"services": ["A"], "pad": "' + b"x" * 65536 + b'"}', 413, "16 KiB"),
    ],
)
def test_bad_requests_get_a_clear_4xx(
    branch: Branch, action: str, body, status: int, message: str
) -> None:
    response = branch.post("1", action, body)
    assert response.status_code == status
    assert message in response.json()["error"]


def test_queue_view(branch: Branch, totem: Totem) -> None:
    totem.issue_walkin("A")
    totem.issue_walkin("A")
    services = branch.http.get(f"{branch.url}/api/v1/queue").json()["services"]
    a = services[0]
    assert {k: a[k] for k in ("code", "waiting", "wait_min", "available", "reason")} == {
        "code": "A", "waiting": 2, "wait_min": 8, "available": True, "reason": "open",
    }  # fmt: skip
    assert services[1]["reason"] == "open"  # B: Monday 10:00 is open


def test_announcement_audio_is_made_offline(branch: Branch) -> None:
    response = branch.http.get(
        f"{branch.url}/api/v1/announcement", params={"ticket": "A042", "desk": "3"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/wav"
    assert response.content[:4] == b"RIFF" and len(response.content) > 10_000
    assert (
        branch.http.get(
            f"{branch.url}/api/v1/announcement", params={"ticket": "x", "desk": "3"}
        ).status_code
        == 400
    )


def test_pages_are_served(branch: Branch) -> None:
    for path in ("/display", "/desk/3"):
        response = branch.http.get(branch.url + path)
        assert response.status_code == 200 and "<!doctype html>" in response.text.lower()
    desk = branch.http.get(branch.url + "/desk/3").text
    # a clerk is told whom to ask for the desk's code, never to run a command
    assert "Lo chieda al tecnico o al responsabile" in desk and "kiosk desk add" not in desk


def read_events(response: requests.Response, count: int) -> list[tuple[str, dict]]:
    """Parse ``count`` call events from an SSE response (id, data)."""
    events, current_id = [], ""
    for line in response.iter_lines(decode_unicode=True):
        if line.startswith("id: "):
            current_id = line[4:]
        elif line.startswith("data: "):
            events.append((current_id, json.loads(line[6:])))
            if len(events) == count:
                return events
    raise AssertionError("stream ended")


def test_sse_delivers_calls(branch: Branch, totem: Totem) -> None:
    totem.issue_walkin("A")
    totem.issue_walkin("A")
    with requests.get(f"{branch.url}/api/v1/calls/stream", stream=True, timeout=10) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        branch.next("2")
        branch.post("2", "recall")
        events = read_events(stream, 2)
    assert [e[1] for e in events] == [
        {"ticket": "A001", "desk": "2", "at": "2026-11-23T10:00:00+01:00"},
        {"ticket": "A001", "desk": "2", "at": "2026-11-23T10:00:00+01:00"},
    ]


def test_sse_reconnects_after_a_server_restart_and_catches_up(
    config: Config, clock: Clock, totem: Totem
) -> None:
    first = Branch(config, clock)
    port = int(first.url.rsplit(":", 1)[1])
    for _ in range(3):
        totem.issue_walkin("A")
    with requests.get(f"{first.url}/api/v1/calls/stream", stream=True, timeout=10) as stream:
        first.next("1")
        [(last_id, _)] = read_events(stream, 1)
        first.stop()  # the server goes away; the stream ends
    second = Branch(config, clock, port=port)
    try:
        second.next("1")  # called while the display was away
        with requests.get(f"{second.url}/api/v1/calls/stream", stream=True, timeout=10,
                          headers={"Last-Event-ID": last_id}) as stream:  # fmt: skip
            second.next("1")
            events = read_events(stream, 2)
        assert [e[1]["ticket"] for e in events] == ["A002", "A003"]
    finally:
        second.stop()


def test_a_slow_display_does_not_hold_up_the_others(branch: Branch, totem: Totem) -> None:
    for _ in range(80):
        totem.issue_walkin("A")
    slow = requests.get(f"{branch.url}/api/v1/calls/stream", stream=True, timeout=30)  # never read
    fast = [
        requests.get(f"{branch.url}/api/v1/calls/stream", stream=True, timeout=30)
        for _ in range(20)
    ]
    try:
        results: list[list] = [[] for _ in fast]
        readers = [
            threading.Thread(target=lambda i=i: results[i].extend(read_events(fast[i], 80)))
            for i in range(len(fast))
        ]
        for r in readers:
            r.start()
        for _ in range(80):
            branch.next("1")
        for r in readers:
            r.join(timeout=60)
        assert all(len(r) == 80 for r in results)
        assert branch.http.get(f"{branch.url}/api/v1/queue", timeout=5).status_code == 200
    finally:
        slow.close()
        for f in fast:
            f.close()


def test_desk_state_for_the_console(branch: Branch, totem: Totem) -> None:
    totem.issue_walkin("A")
    branch.next("1")
    r = branch.http.get(
        f"{branch.url}/api/v1/desks/1", headers={"Authorization": f"Bearer {branch.tokens['1']}"}
    )
    assert r.json() == {"desk": "1", "ticket": "A001"}


def test_a_huge_body_is_refused_without_being_read(branch: Branch) -> None:
    """A body sent without a length, in chunks, is cut off as soon as it passes 16 KiB."""
    sent = 0

    def chunks():
        nonlocal sent
        for _ in range(4096):  # 64 MiB if it were all read
            sent += 16384
            yield b"x" * 16384

    response = branch.http.post(
        f"{branch.url}/api/v1/desks/1/next",
        data=chunks(),
        headers={"Authorization": f"Bearer {branch.tokens['1']}"},
        timeout=30,
    )
    assert response.status_code == 413


def test_one_client_cannot_hold_more_than_its_share_of_streams(
    branch: Branch, totem: Totem
) -> None:
    from kiosk.server.app import STREAMS_PER_CLIENT

    url = f"{branch.url}/api/v1/calls/stream"
    opened = []
    try:
        for _ in range(STREAMS_PER_CLIENT):
            r = requests.get(url, stream=True, timeout=10)
            assert r.status_code == 200
            lines = r.iter_lines()  # kept: dropping it would close the stream
            next(lines)  # the stream is really open ("retry: ...")
            opened.append((r, lines))
        refused = requests.get(url, stream=True, timeout=10)
        assert refused.status_code == 503 and refused.headers["Retry-After"]
        totem.issue_walkin("A")
        assert branch.next("1") == "A001"  # a desk is still served meanwhile
        opened.pop()[0].close()
        for _ in range(50):  # the server notices the closed stream
            again = requests.get(url, stream=True, timeout=10)
            if again.status_code == 200:
                again.close()
                break
            time.sleep(0.1)
        else:
            pytest.fail("a closed stream's place was never freed")
    finally:
        for r, _lines in opened:
            r.close()


def test_headers_sent_a_byte_at_a_time_are_cut_off(config: Config, clock: Clock) -> None:
    """Slowloris: a client that never finishes its headers is closed after the deadline,
    while a normal request on another connection is answered."""
    import socket

    server = ThreadedServer(make_app(config, clock), graceful_timeout=1, header_timeout=1.0)
    server.start()
    try:
        host, port = server.url.removeprefix("http://").split(":")
        slow = socket.create_connection((host, int(port)), timeout=10)
        closed_after = None
        started = time.monotonic()
        for byte in b"GET /api/v1/info HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"y" * 100:
            try:
                slow.sendall(bytes([byte]))
                assert requests.get(f"{server.url}/api/v1/info", timeout=5).status_code == 200
            except OSError:
                closed_after = time.monotonic() - started
                break
            slow.settimeout(0.1)
            try:
                if slow.recv(1) == b"":  # the server hung up
                    closed_after = time.monotonic() - started
                    break
            except TimeoutError:
                pass
        assert closed_after is not None, "the server waited for ever"
        slow.close()
    finally:
        server.stop()


def test_a_trickled_body_is_cut_at_its_deadline(
    branch: Branch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A desk's post whose body trickles a byte at a time: 408 at the deadline, not a
    connection held for ever (the same guard as the central's)."""
    import socket

    import kiosk.serving

    monkeypatch.setattr(kiosk.serving, "BODY_TIMEOUT", 1.0)
    port = int(branch.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(
            f"POST /api/v1/desks/1/next HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
            f"Authorization: Bearer {branch.tokens['1']}\r\n\r\n".encode()
        )
        answer, _ = trickle(sock)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]


def test_a_done_press_never_moves_the_public_figures(branch: Branch, totem: Totem) -> None:
    """/api/v1/queue (and the home screen, from the same figures) take in only the citizens
    served before the last quarter hour, as the phone page does: a done press changes nothing
    a tokenless client can see; the quarter hour's tick does (the attacker saw 13 -> 10 min at
    the second a desk pressed done)."""

    def wait_a() -> int:
        services = branch.http.get(f"{branch.url}/api/v1/queue", timeout=10).json()["services"]
        return next(s["wait_min"] for s in services if s["code"] == "A")

    start = branch.clock.now
    for _ in range(12):
        totem.issue_walkin("A")
    branch.next("1")
    for minute in range(2, 14, 2):  # quick citizens (2 min against 8 configured), before 10:15
        branch.clock.now = start + timedelta(minutes=minute)
        before, home = wait_a(), [st.wait_min for st in totem.states()]
        assert branch.post("1", "done").status_code == 200
        assert wait_a() == before, f"the wait moved at a done press ({minute} min)"
        assert [st.wait_min for st in totem.states()] == home  # the totem's home screen
        branch.next("1")
    branch.clock.now = start + timedelta(minutes=14)
    untouched = wait_a()  # still the configured pace: nobody was served before 10:00
    branch.clock.now = start + timedelta(minutes=16)  # the quarter hour's tick: 10:15
    assert wait_a() < untouched, "the tick should take in the quick citizens served by 10:15"


def test_a_script_cannot_make_the_branch_speak_without_end(branch: Branch) -> None:
    """The tokenless announcement ran espeak-ng for every ticket and desk a script asked for
    (58 a second): now a client gets 10 at once and one a second, then 429 with Retry-After;
    a display, asking once per call, never meets the limit."""
    url = f"{branch.url}/api/v1/announcement"
    answers = [
        branch.http.get(url, params={"ticket": f"A{n:03d}", "desk": "3"}, timeout=30)
        for n in range(1, 31)
    ]
    spoken = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code == 429]
    assert 10 <= len(spoken) <= 15 and len(spoken) + len(refused) == 30
    assert refused[0].headers["Retry-After"] == "5"
    time.sleep(1.2)  # the budget refills: a display's next call is spoken
    again = branch.http.get(f"{branch.url}/api/v1/announcement",
                            params={"ticket": "B001", "desk": "1"}, timeout=30)  # fmt: skip
    assert again.status_code == 200
