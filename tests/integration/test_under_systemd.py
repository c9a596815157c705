"""The long-running processes talk to systemd: READY=1 when they serve, WATCHDOG=1 from their
main loop while it turns, STOPPING=1 on SIGTERM. A real AF_UNIX datagram socket stands in for
the service manager's $NOTIFY_SOCKET; the processes are the real `kiosk` command."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.notify import Notifier
from tests.integration.test_sync_crash import config_for, free_port

pytestmark = pytest.mark.integration
KIOSK = Path(sys.executable).with_name("kiosk")


class Manager:
    """The service manager's end: collects every datagram with the time it arrived."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.messages: list[tuple[float, str]] = []

    def wait_for(self, text: str, timeout: float) -> float:
        """Read until a message containing ``text`` arrives; returns when it did."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096).decode()
            except TimeoutError:
                break
            self.messages.append((time.monotonic(), data))
            if text in data:
                return self.messages[-1][0]
        raise AssertionError(f"no {text!r} within {timeout} s; got {self.messages}")

    def collect(self, seconds: float) -> None:
        """Read everything that arrives for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                self.messages.append((time.monotonic(), self.sock.recv(4096).decode()))
            except TimeoutError:
                break

    def close(self) -> None:
        self.sock.close()

    def count(self, text: str) -> int:
        return sum(text in m for _, m in self.messages)


def start(args: list[str], manager: Manager, **extra: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "NOTIFY_SOCKET": str(manager.path),
        "WATCHDOG_USEC": "800000",  # pings every 0.2 s
        "QT_QPA_PLATFORM": "offscreen",
        **extra,
    }
    return subprocess.Popen(
        [str(KIOSK), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def check_lifecycle(
    proc: subprocess.Popen[str],
    manager: Manager,
    ready_within: float,
    stderr: list[str] | None = None,
) -> None:
    try:
        ready = manager.wait_for("READY=1", ready_within)
        manager.wait_for("WATCHDOG=1", 5)
        manager.collect(2.0)
        pings = [at for at, m in manager.messages if "WATCHDOG=1" in m]
        gaps = [b - a for a, b in itertools.pairwise(pings)]
        assert len(pings) >= 4 and max(gaps) < 0.8  # always within WATCHDOG_USEC
        # A stopped (hung) process sends nothing more: the watchdog would fire.
        os.kill(proc.pid, signal.SIGSTOP)
        before = len(manager.messages)
        with pytest.raises(AssertionError):
            manager.wait_for("WATCHDOG=1", 1.0)
        assert len(manager.messages) == before
        os.kill(proc.pid, signal.SIGCONT)
        manager.wait_for("WATCHDOG=1", 5)
        proc.send_signal(signal.SIGTERM)
        manager.wait_for("STOPPING=1", 10)
        assert proc.wait(timeout=15) == 0
        assert ready > 0
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate()
        manager.close()
        if stderr is not None:
            stderr.extend(err.splitlines())


def test_sync_agent_notifies_ready_watchdog_and_stopping(write_config, central, tmp_path) -> None:
    manager = Manager(tmp_path / "notify.sock")
    proc = start(["--config", str(config_for(write_config, central.url)), "sync"], manager)
    err_lines: list[str] = []
    check_lifecycle(proc, manager, ready_within=20, stderr=err_lines)
    assert any(  # one line per event, with its level
        line.startswith("INFO kiosk.sync: sync agent started") for line in err_lines
    ), err_lines


def test_branch_server_pings_only_while_it_answers(write_config, tmp_path) -> None:
    manager = Manager(tmp_path / "notify.sock")
    listen = f"127.0.0.1:{free_port()}"
    proc = start(["--config", str(write_config()), "serve", "--listen", listen], manager)
    check_lifecycle(proc, manager, ready_within=20)


def test_touch_ui_notifies_once_its_window_is_up(write_config, tmp_path) -> None:
    manager = Manager(tmp_path / "notify.sock")
    proc = start(["--config", str(write_config()), "ui", "--windowed"], manager)
    check_lifecycle(proc, manager, ready_within=30)


def test_journal_lines_carry_the_priority(write_config, central, tmp_path) -> None:
    manager = Manager(tmp_path / "notify.sock")
    path = config_for(write_config, central.url)
    proc = start(["--config", str(path), "sync"], manager, JOURNAL_STREAM="8:1234")
    manager.wait_for("READY=1", 20)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=15)
    manager.close()
    lines = err.splitlines()
    assert "<6>kiosk.sync: sync agent started (central http://127.0.0.1:" in lines[0]
    assert all(line.startswith(("<3>", "<4>", "<6>")) for line in lines), lines


def test_notifier_is_silent_outside_systemd_and_spaces_its_pings(tmp_path) -> None:
    assert not Notifier({}).enabled
    Notifier({}).ping()  # no socket, no error
    manager = Manager(tmp_path / "n.sock")
    now = [0.0]
    notifier = Notifier(
        {"NOTIFY_SOCKET": str(manager.path), "WATCHDOG_USEC": "4000000"}, clock=lambda: now[0]
    )
    assert notifier.watchdog_interval == 1.0
    for t in (0.0, 0.5, 0.99, 1.0, 1.5, 2.1):
        now[0] = t
        notifier.ping()
    notifier.ready("up")
    manager.sock.settimeout(1)
    got = [manager.sock.recv(100).decode() for _ in range(4)]
    notifier.close()
    manager.close()
    assert got == ["WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1", "READY=1\nSTATUS=up"]


def test_notifier_reaches_an_abstract_socket() -> None:
    name = f"kiosk-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(b"\0" + name.encode())
    sock.settimeout(2)
    notifier = Notifier({"NOTIFY_SOCKET": "@" + name})
    notifier.stopping()
    notifier.close()
    assert sock.recv(100) == b"STOPPING=1"
    sock.close()


def test_secrets_come_from_credentials_when_systemd_passes_them(
    write_config, central, tmp_path
) -> None:
    """Under the unit, /etc/kiosk/secrets is hidden; the token arrives in $CREDENTIALS_DIRECTORY."""
    path = config_for(write_config, central.url)
    (tmp_path / "secrets" / "central-token").unlink()  # the configured file is not there
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "central-token").write_text("good-token-123\n")
    (creds / "central-token").chmod(0o400)
    env = {**os.environ, "CREDENTIALS_DIRECTORY": str(creds)}
    subprocess.run([str(KIOSK), "--config", str(path), "issue", "A"], env=env, check=True)
    done = subprocess.run(
        [str(KIOSK), "--config", str(path), "sync", "--once"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [e.get("ticket") for e in central.events() if e["type"] == "ticket.issued"] == ["A001"]
    # Nothing was created where the unit cannot write.
    assert not (tmp_path / "secrets" / "central-token").exists()


def test_an_unconfigured_totem_says_so_and_starts_once_configured(write_config, tmp_path) -> None:
    """A freshly flashed totem: under systemd the UI stays up with the notice on the screen
    (READY=1, status "not configured", the watchdog fed) and exits RECONFIGURED once the
    technician's edit makes the file valid, so systemd starts the real UI."""
    from kiosk.ui.unconfigured import RECONFIGURED

    path = write_config()
    good = path.read_text()
    path.write_text(good.replace('id = "test-totem"', 'id = ""'))
    manager = Manager(tmp_path / "notify.sock")
    proc = start(["--config", str(path), "ui"], manager)
    try:
        manager.wait_for("STATUS=not configured", 30)
        manager.collect(1.5)
        assert manager.count("WATCHDOG=1") >= 3
        assert proc.poll() is None
        path.write_text(good.replace('id = "test-totem"', 'id = "Not An Id"'))  # still wrong
        manager.collect(1.5)
        assert proc.poll() is None
        path.write_text(good)  # the technician's last edit
        assert proc.wait(timeout=20) == RECONFIGURED
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate()
        manager.close()
    assert err.splitlines()[0].startswith("kiosk.id: not set"), err


def test_at_a_terminal_an_unconfigured_ui_is_one_line_per_problem(write_config) -> None:
    path = write_config()
    path.write_text(path.read_text().replace('id = "test-totem"', 'id = ""'))
    done = subprocess.run(
        [str(KIOSK), "--config", str(path), "ui"], capture_output=True, text=True, timeout=60,
        env={k: v for k, v in os.environ.items() if k != "NOTIFY_SOCKET"},
    )  # fmt: skip
    assert done.returncode == 2 and done.stderr.startswith("kiosk.id: not set"), done.stderr
