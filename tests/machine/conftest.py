"""The booted totem: the image named by TOTEM_IMAGE (built by `make image-test` with the key
TOTEM_IMAGE_KEY), booted once for the module under QEMU, with the printer simulator and a
central service on the host."""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from drivers.sim.printer import SimPrinter, TcpServer
from tests.helpers import free_port
from tests.machine.qemu import Totem

KIOSK = Path(sys.executable).with_name("kiosk")


def _required(name: str) -> Path:
    value = os.environ.get(name)
    if not value or not Path(value).is_file():
        pytest.fail(f"{name} names no file ({value!r}): run these tests with make image-test")
    return Path(value)


@pytest.fixture(scope="session")
def image() -> Path:
    return _required("TOTEM_IMAGE")


@pytest.fixture(scope="session")
def image_key() -> Path:
    return _required("TOTEM_IMAGE_KEY")


@pytest.fixture(scope="session")
def printer() -> Iterator[SimPrinter]:
    sim = SimPrinter()
    server = TcpServer(sim).start()
    sim.port = server.port  # type: ignore[attr-defined]
    yield sim
    server.stop()


@pytest.fixture(scope="session")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """`kiosk central serve` on the host (embedded SQLite), the totem enrolled."""
    folder = tmp_path_factory.mktemp("central")
    database = f"sqlite:///{folder / 'central.sqlite3'}"
    port = free_port()
    base = [str(KIOSK), "--config", "/nonexistent/kiosk.toml", "central"]
    add = subprocess.run(
        [*base, "kiosk", "add", "qemu-totem-1", "--branch", "qemu-branch", "--database", database],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    with (folder / "serve.log").open("w") as log:
        proc = subprocess.Popen(
            [*base, "serve", "--listen", f"127.0.0.1:{port}", "--database", database],
            stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
    time.sleep(1)
    yield {"port": str(port), "token": add.stdout.strip(), "database": database}
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


class Page(http.server.BaseHTTPRequestHandler):
    """One page in one colour, edge to edge: what a display shows when its browser is full
    screen with nothing of its own (no address bar, no tabs, no dialog)."""

    COLOUR = (0x1B, 0x7F, 0x4C)
    asked: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Page.asked.append(self.path)
        colour = "".join(f"{c:02x}" for c in self.COLOUR)
        body = (
            "<!doctype html><html><head><title>display</title><style>html,body{margin:0;"
            f"height:100%;background:#{colour};cursor:none}}</style></head><body></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def page() -> Iterator[type[Page]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Page.port = server.server_address[1]  # type: ignore[attr-defined]
    yield Page
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def totem(
    image: Path, image_key: Path, printer: SimPrinter, central: dict[str, str],
    page: type[Page], tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Totem]:  # fmt: skip
    folder = tmp_path_factory.mktemp("totem")
    machine = Totem(
        image=image, folder=folder, key=image_key,
        printer_port=printer.port,  # type: ignore[attr-defined]
        central_port=int(central["port"]), page_port=page.port,  # type: ignore[attr-defined]
    )  # fmt: skip
    try:
        machine.start()
        machine.boot_seconds = machine.wait_ssh()
        yield machine
    finally:
        machine.stop()
        keep = os.environ.get("TOTEM_KEEP")
        if keep:  # the console, the screens and QEMU's log, for a person to look at
            subprocess.run(["cp", "-r", str(folder), keep], check=False)
