"""What an attacker without a token can make the central service hold: nothing. `kiosk central
serve` with its defaults mounts no testing layer in front of the service; a body is refused at
its limit before it is read (declared or chunked), a request without a token before its body;
a body that trickles is cut at its deadline; the process has files for a thousand clients.
Real processes and raw sockets: the attacker's own tools."""

from __future__ import annotations

import resource
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

import kiosk.serving
from central.server import CentralServer
from kiosk.core.events import MAX_BATCH_BYTES
from tests.helpers import free_port, trickle
from tests.integration.test_central_processes import central, serve, stop

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str, int]]:
    """`kiosk central serve` with nothing but --listen and --database: (port, token, pid)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('central') / 'central.sqlite3'}"
    token = central(url, "kiosk", "add", "roma-1", "--branch", "roma").stdout.strip()
    port = free_port()
    proc = serve(url, port)
    yield port, token, proc.pid
    stop(proc)


def head(port: int, token: str | None, extra: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=15)
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    sock.sendall(
        f"POST /v1/events HTTP/1.1\r\nHost: central\r\nContent-Type: application/json\r\n"
        f"{auth}{extra}\r\n".encode()
    )
    return sock


def status_of(sock: socket.socket) -> int:
    """The answer's status line, read while the body is still unsent (15 s at most)."""
    answer = b""
    while b"\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    return int(answer.split(b" ", 2)[1])


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def test_without_a_token_it_answers_before_the_body(service: tuple[int, str, int]) -> None:
    """The attacker's 300 MiB: 401 after the first 64 KiB, the rest never asked for (a testing
    layer in front would have read it all first, and the answer would never come)."""
    port, _, _ = service
    with head(port, None, "Transfer-Encoding: chunked\r\n") as sock:
        sock.sendall(chunk(b"x" * 65536))
        assert status_of(sock) == 401
    with head(port, "not-a-token", f"Content-Length: {300 << 20}\r\n") as sock:
        sock.sendall(b"x" * 65536)
        assert status_of(sock) == 401


def test_a_body_past_the_limit_is_refused_at_once(service: tuple[int, str, int]) -> None:
    port, token, _ = service
    with head(port, token, f"Content-Length: {MAX_BATCH_BYTES + 1}\r\n") as sock:
        assert status_of(sock) == 413  # declared: not a byte read
    with head(port, token, "Transfer-Encoding: chunked\r\n") as sock:
        for _ in range(5):  # 320 KiB and never a last chunk
            sock.sendall(chunk(b"x" * 65536))
        assert status_of(sock) == 413


def test_the_service_has_files_for_a_thousand_clients(service: tuple[int, str, int]) -> None:
    _, _, pid = service
    limits = Path(f"/proc/{pid}/limits").read_text().splitlines()
    soft = next(line.split()[3] for line in limits if line.startswith("Max open files"))
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    wanted = kiosk.serving.FILES if hard == resource.RLIM_INFINITY else min(65536, hard)
    assert int(soft) == wanted


def test_a_working_batch_still_goes_in(service: tuple[int, str, int]) -> None:
    port, token, _ = service
    answer = requests.post(f"http://127.0.0.1:{port}/v1/events", timeout=15,
                           headers={"Authorization": f"Bearer {token}"},
                           json={"kiosk": "roma-1", "events": []})  # fmt: skip
    assert answer.status_code == 200 and answer.json() == {"acked": []}


def test_testing_options_still_mount_the_layer(tmp_path: Path) -> None:
    """Asked for, the layer is there (the sync agent's tests use it): every batch 503."""
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    token = central(url, "kiosk", "add", "roma-1", "--branch", "roma").stdout.strip()
    port = free_port()
    proc = serve(url, port, "--error-rate", "1")
    try:
        answer = requests.post(f"http://127.0.0.1:{port}/v1/events", timeout=15,
                               headers={"Authorization": f"Bearer {token}"},
                               json={"kiosk": "roma-1", "events": []})  # fmt: skip
        assert answer.status_code in (500, 502, 503)
    finally:
        stop(proc)


def test_a_trickled_body_is_cut_at_its_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Headers in time, then a byte every half second: 408 at the deadline, the connection
    closed (the sign-in form: no token needed to reach it, the attacker's 1,100 posts)."""
    monkeypatch.setattr(kiosk.serving, "BODY_TIMEOUT", 1.0)
    server = CentralServer(tmp_path / "central.sqlite3", record=False).start()
    port = int(server.url.rsplit(":", 1)[1])
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
            sock.sendall(
                b"POST /signin HTTP/1.1\r\nHost: 127.0.0.1\r\nSec-Fetch-Site: same-origin\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
            )
            answer, took = trickle(sock, b"t")
            assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
            assert 0.9 < took < 5
            sock.settimeout(5)
            try:
                while sock.recv(4096):  # then closed by the server
                    pass
            except ConnectionResetError:
                pass  # closed with the trickle's last bytes unread: a reset is a close too
    finally:
        server.stop()
