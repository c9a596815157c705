"""Running the real `kiosk` entry point in-process, as a technician's shell would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.cli import context, main
from kiosk.core.seats import Seat
from kiosk.store import Store
from kiosk.store.outbox import Outbox


def run_kiosk(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``kiosk ARGS`` through the real entry point; returns (exit code, stdout, stderr)."""
    capsys.readouterr()
    try:
        with away_from_midnight():
            main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@contextmanager
def away_from_midnight() -> Iterator[None]:
    """The wall clock, moved three hours when Rome's midnight is near.

    The test configuration's services close at Rome's midnight: a ticket asked for at 23:57
    is refused as closing, and a day can change between two commands. Moved by a constant, the
    clock still runs and stays on the same Rome day.
    """
    real = context.utc_now
    hour = real().astimezone(ZoneInfo("Europe/Rome")).hour
    shift = timedelta(hours=-3 if hour >= 21 else 3 if hour < 3 else 0)
    context.utc_now = lambda: real() + shift
    try:
        yield
    finally:
        context.utc_now = real


def outbox_events(store: Store, kind: str | None = None) -> list[dict[str, Any]]:
    """The events waiting in the outbox, oldest first, as they would leave (or of one type)."""
    found = [row.event() for row in Outbox(store).ready(limit=10**6)]
    return [e for e in found if kind is None or e["type"] == kind]


def free_port() -> int:
    """A free port for a server a test starts in another process.

    Taken below the kernel's ephemeral range, which port 0 and every outgoing connection draw
    from: a port picked there could be taken by some client's connection before the server
    binds it.
    """
    import random
    import socket
    from pathlib import Path

    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for _ in range(200):
        port = random.randint(max(1024, low - 12000), low - 1)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def trickle(sock: Any, byte: bytes = b" ", limit: float = 10.0) -> tuple[bytes, float]:
    """Send a request body a byte every half second on ``sock`` (its headers sent) until the
    server answers: the answer's first bytes and the seconds it took (a slow-body attack)."""
    import time

    started, answer = time.monotonic(), b""
    sock.settimeout(0.5)
    while not answer and time.monotonic() - started < limit:
        try:
            sock.sendall(byte)
            answer = sock.recv(4096)
        except TimeoutError:
            continue
    return answer, time.monotonic() - started


def seat(desk: str = "1") -> Seat:
    """A desk as the store sees it, with a day key of the tests' own (the branch server keeps
    the real one in its memory: kiosk.server.deskbook)."""
    return Seat(b"the tests' day key", desk)


def printed_code(paper: Any) -> str | None:
    """The ticket number a desk's scanner reads from a printed ticket's CODE128 (the number
    itself is a picture in the bold type): service letters at digits 7-10 (A=10, 00 for none),
    the number at 11-13 (kiosk.core.payload)."""
    from drivers.sim.escpos import Barcode

    bars = [item.data for item in paper.items if isinstance(item, Barcode)]
    if not bars:
        return None
    digits = bars[0]
    first, second, number = int(digits[7:9]), int(digits[9:11]), int(digits[11:14])
    return chr(55 + first) + (chr(55 + second) if second else "") + f"{number:03d}"
