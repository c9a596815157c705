"""Scanners on real file descriptors: evdev's reader on a pipe of input_event records, and a
serial scanner on a pseudo-terminal; unplugging and plugging back in."""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path

import pytest

from drivers.scanner import ScanResult
from drivers.scanner.connect import listen, open_scanner
from drivers.scanner.evdev_scanner import EvdevScanner
from drivers.scanner.serial_scanner import SerialScanner
from drivers.scanner.uri import ScannerUriError, parse
from drivers.sim.scanner import KeyboardScannerSim, SerialScannerSim

pytestmark = pytest.mark.integration
PAYLOAD = "42010581000042123456789012"


class Listener:
    """Runs the real listen loop in a thread and collects what it reports."""

    def __init__(self, scanner) -> None:
        self.results: queue.Queue[ScanResult] = queue.Queue()
        self.connections: queue.Queue[bool] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=listen,
            args=(scanner, self.results.put),
            kwargs={
                "should_stop": self._stop.is_set,
                "on_connection": self.connections.put,
                "reconnect_every": 0.05,
            },
            daemon=True,
        )
        self._thread.start()

    def next(self) -> ScanResult:
        return self.results.get(timeout=10)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        assert not self._thread.is_alive()


@pytest.mark.parametrize("layout", ["us", "it", "de", "fr"])
def test_evdev_scans_through_the_event_loop(layout: str) -> None:
    sim = KeyboardScannerSim(layout)
    listener = Listener(EvdevScanner(sim.opener, layout))
    try:
        assert listener.connections.get(timeout=10) is True
        sim.type(PAYLOAD)
        sim.type("BOOK-7/a.B")
        assert listener.next() == ScanResult(PAYLOAD)
        assert listener.next() == ScanResult("BOOK-7/a.B")
    finally:
        listener.stop()
        sim.close()


def test_evdev_partial_read_and_over_long_code() -> None:
    sim = KeyboardScannerSim("us")
    listener = Listener(EvdevScanner(sim.opener, "us"))
    try:
        listener.connections.get(timeout=10)
        sim.type("STALE" + PAYLOAD, pause_after=5, pause=2.0)  # a 2 s gap after "STALE"
        assert listener.next() == ScanResult(PAYLOAD)
        sim.type("9" * 80)
        assert listener.next() == ScanResult(None, "too_long")
    finally:
        listener.stop()
        sim.close()


def test_evdev_reconnects_after_unplugging() -> None:
    sim = KeyboardScannerSim("it")
    listener = Listener(EvdevScanner(sim.opener, "it"))
    try:
        assert listener.connections.get(timeout=10) is True
        sim.type("ONE-1")
        assert listener.next() == ScanResult("ONE-1")
        sim.unplug()
        assert listener.connections.get(timeout=10) is False
        sim.plug()
        assert listener.connections.get(timeout=10) is True
        sim.type("TWO/2")
        assert listener.next() == ScanResult("TWO/2")
    finally:
        listener.stop()
        sim.close()


@pytest.mark.parametrize("ending", [b"\r", b"\n", b"\r\n"])
def test_serial_framing(ending: bytes) -> None:
    sim = SerialScannerSim()
    listener = Listener(SerialScanner(sim.path, 9600))
    try:
        assert listener.connections.get(timeout=10) is True
        sim.send(PAYLOAD.encode() + ending + b"BOOK-12" + ending)
        assert listener.next() == ScanResult(PAYLOAD)
        assert listener.next() == ScanResult("BOOK-12")
    finally:
        listener.stop()
        sim.close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_serial_framing_rules_across_reads() -> None:
    clock = FakeClock()
    scanner = SerialScanner("/nonexistent", clock=clock)
    assert scanner.feed(b"4201") == []
    clock.now += 0.01
    assert scanner.feed(b"058\r") == [ScanResult("4201058")]  # split across two reads
    assert scanner.feed(b"PART") == []
    clock.now += 1.0  # the rest never came: the partial read is dropped
    assert scanner.feed(b"NEW\n") == [ScanResult("NEW")]
    assert scanner.feed(b"X" * 100 + b"\r") == [ScanResult(None, "too_long")]
    assert scanner.feed(b"A\x1bB\r") == [ScanResult(None, "control_characters")]
    assert scanner.feed(b"\xff\xfe\r") == [ScanResult(None, "not_text")]
    assert scanner.feed(b"\r\n\r\n") == []  # blank lines are not codes
    assert scanner.feed(b"ok\r") == [ScanResult("ok")]


def test_serial_reconnects_when_the_device_comes_back(tmp_path: Path) -> None:
    link = tmp_path / "usb-Scanner-if00"  # like /dev/serial/by-id/...
    first = SerialScannerSim()
    os.symlink(first.path, link)
    listener = Listener(SerialScanner(str(link), 9600))
    second = None
    try:
        assert listener.connections.get(timeout=10) is True
        first.send(b"FIRST\r")
        assert listener.next() == ScanResult("FIRST")
        link.unlink()
        first.close()  # unplugged: the terminal hangs up
        assert listener.connections.get(timeout=10) is False
        second = SerialScannerSim()
        os.symlink(second.path, link)
        assert listener.connections.get(timeout=10) is True
        second.send(b"SECOND\r")
        assert listener.next() == ScanResult("SECOND")
    finally:
        listener.stop()
        if second:
            second.close()


@pytest.mark.parametrize(
    ("uri", "fields"),
    [
        (
            "evdev:///dev/input/by-id/usb-Scanner-event-kbd?layout=it",
            {"path": "/dev/input/by-id/usb-Scanner-event-kbd", "layout": "it"},
        ),
        ("evdev://0c2e:0b61?layout=fr", {"vendor": 0x0C2E, "product": 0x0B61, "layout": "fr"}),
        ("serial:///dev/ttyACM0?baudrate=115200", {"path": "/dev/ttyACM0", "baudrate": 115200}),
        ("none://", {"scheme": "none"}),
    ],
)
def test_scanner_uris(uri: str, fields: dict) -> None:
    parsed = parse(uri)
    for key, value in fields.items():
        assert getattr(parsed, key) == value


@pytest.mark.parametrize(
    "uri",
    ["evdev://?layout=us", "evdev:///dev/x?layout=jp", "serial:///dev/x?baudrate=fast", "hid://x"],
)
def test_bad_scanner_uris(uri: str) -> None:
    with pytest.raises(ScannerUriError):
        parse(uri)


def test_open_scanner_kinds() -> None:
    assert open_scanner("none://") is None
    assert isinstance(open_scanner("serial:///dev/ttyACM0"), SerialScanner)
    evdev_scanner = open_scanner("evdev:///dev/input/does-not-exist?layout=de")
    assert isinstance(evdev_scanner, EvdevScanner) and evdev_scanner.connect() is False


def test_scanner_listen_shows_the_kind_never_the_content(write_config) -> None:
    import subprocess
    import sys

    sim = SerialScannerSim()
    text = (
        write_config()
        .read_text()
        .replace(
            '[scanner]\nuri = "none://"', f'[scanner]\nuri = "serial://{sim.path}?baudrate=9600"'
        )
    )
    path = write_config(text)
    kiosk = Path(sys.executable).with_name("kiosk")
    proc = subprocess.Popen(
        [kiosk, "--config", str(path), "scanner", "listen", "--count", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("listening to serial://")
        assert proc.stdout.readline().startswith("scanner connected")
        sim.send(PAYLOAD.encode() + b"\r" + b"BOOK-SECRET-42\r")
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
        sim.close()
    assert proc.returncode == 0, err
    assert out.splitlines() == [
        "totem ticket (26 digits), 26 characters",
        "other code, 14 characters",
    ]
    assert PAYLOAD not in out + err and "SECRET" not in out + err
