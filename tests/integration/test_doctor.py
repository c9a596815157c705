"""`kiosk doctor --json` against the demo configuration, with the central service on
127.0.0.1 and the simulated printer: healthy, out of paper, a refused token, no server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from central.server import CentralServer
from kiosk import secrets

pytestmark = pytest.mark.integration
ROOT = Path(__file__).parents[2]
KIOSK = Path(sys.executable).with_name("kiosk")


@pytest.fixture
def demo(tmp_path: Path):
    """The demo's configuration, its data under tmp_path, its central server running."""
    (tmp_path / "config").mkdir()
    token = tmp_path / ".demo" / "secrets" / "central-token"
    secrets.ensure(token, b"demo-token-abc")
    server = CentralServer(tmp_path / "central.sqlite3").start()
    server.enrol("demo-totem-1", "demo-branch", "demo-token-abc")
    text = (ROOT / "config/demo.toml").read_text()
    path = tmp_path / "config" / "demo.toml"
    path.write_text(text.replace("http://127.0.0.1:8765", server.url))
    # The totem has been used: a ticket issued (which creates the ticket key) and sent.
    for args in (["issue", "A"], ["sync", "--once"]):
        subprocess.run([str(KIOSK), "--config", str(path), *args], check=True, capture_output=True)
    yield path, server
    server.stop()


def doctor(path: Path) -> tuple[int, dict]:
    done = subprocess.run(
        [str(KIOSK), "--config", str(path), "doctor", "--json"],
        capture_output=True, text=True, timeout=120, env={**os.environ},
    )  # fmt: skip
    assert done.stderr == "", done.stderr
    return done.returncode, json.loads(done.stdout)


def by_name(result: dict) -> dict[str, dict]:
    return {c["name"]: c for c in result["checks"]}


def test_healthy_demo(demo) -> None:
    path, _ = demo
    code, result = doctor(path)
    checks = by_name(result)
    assert code == 0 and result["ok"] is True, result
    for name in ("config", "database", "ticket key", "printer", "central", "sync", "disk"):
        assert checks[name]["status"] == "ok", checks[name]
    assert "token accepted" in checks["central"]["detail"]
    assert "integrity ok, WAL, secure_delete on" in checks["database"]["detail"]
    # The clock is compared with the central server's when the kernel says it is unsynced.
    assert checks["clock"]["status"] in ("ok", "warn")
    assert checks["scanner"]["status"] == "skipped"  # the demo has no scanner
    assert all(c["fix"] == "" for c in result["checks"] if c["status"] == "ok")


def test_paper_out_is_named_with_its_fix(demo) -> None:
    path, _ = demo
    subprocess.run(
        [str(KIOSK), "--config", str(path), "printer", "simulate", "--set", "paper_out"],
        check=True, capture_output=True,
    )  # fmt: skip
    code, result = doctor(path)
    printer = by_name(result)["printer"]
    assert code == 1 and result["ok"] is False
    assert printer["status"] == "failed" and printer["detail"].startswith("paper out")
    assert "load a new roll" in printer["fix"]


def test_wrong_token_is_named_with_its_fix(demo) -> None:
    path, server = demo
    from central import store

    store.remove_kiosk(server.db, "demo-totem-1")  # revoked at the central server
    server.enrol("demo-totem-1", "demo-branch", "another-token")
    code, result = doctor(path)
    central = by_name(result)["central"]
    assert code == 1
    assert central["status"] == "failed"
    assert "token was refused (HTTP 401)" in central["detail"]
    assert "central-token" in central["fix"] and "restart kiosk-sync" in central["fix"]
    # The token itself never appears in what the doctor prints.
    assert "demo-token-abc" not in json.dumps(result)


def test_unreachable_central_and_bad_config(demo, tmp_path: Path) -> None:
    path, _ = demo
    text = path.read_text()
    start = text.index('url = "http://127.0.0.1:') + len('url = "')
    end = text.index('"', start)
    path.write_text(text[:start] + "http://127.0.0.1:9" + text[end:])
    code, result = doctor(path)
    central = by_name(result)["central"]
    assert code == 1 and central["status"] == "failed" and "not reachable" in central["detail"]
    assert "nothing is lost" in central["fix"]
    path.write_text(text.replace('timezone = "Europe/Rome"', 'timezone = "Mars/Olympus"'))
    code, result = doctor(path)
    assert code == 1
    assert by_name(result)["config"]["status"] == "failed"
    assert "kiosk.timezone" in by_name(result)["config"]["detail"]


def test_unit_states(tmp_path: Path) -> None:
    """systemd cannot run here (no PID 1), so a stand-in systemctl answers for four units."""
    from kiosk.doctor import Doctor

    fake = tmp_path / "systemctl"
    fake.write_text(
        "#!/bin/sh\n"
        'case "$1 $2" in\n'
        '  "is-active kiosk-sync.service") echo failed;;\n'
        '  "is-enabled kiosk-purge.timer") echo disabled;;\n'
        '  "is-active kiosk-purge.timer") echo inactive;;\n'
        "  is-active*) echo active;;\n"
        "  is-enabled*) echo enabled;;\n"
        "esac\n"
    )
    fake.chmod(0o755)
    checks = {c.name: c for c in Doctor(tmp_path / "x.toml", lambda p: None, str(fake)).units()}  # type: ignore[arg-type,return-value]
    assert checks["kiosk-ui.service"].status == "ok"
    assert checks["kiosk-sync.service"].status == "failed"
    assert "journalctl -u kiosk-sync.service" in checks["kiosk-sync.service"].fix
    assert checks["kiosk-purge.timer"].fix == "systemctl enable --now kiosk-purge.timer"


def doctor_json(path: Path) -> tuple[int, dict]:
    done = subprocess.run([str(KIOSK), "--config", str(path), "doctor", "--json"],
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert "internal error" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)  # one whole JSON document, always


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        ("garbage header", "not a Totem database"),
        ("garbage pages", ""),
        ("another file", "not a Totem database"),
    ],
)
def test_doctor_stands_on_a_damaged_database_and_names_it(demo, damage: str, words: str) -> None:
    path, _ = demo
    database = path.parent.parent / ".demo" / "data" / "kiosk.sqlite3"
    subprocess.run([str(KIOSK), "--config", str(path), "purge"], check=True, capture_output=True)
    if damage == "garbage header":
        with open(database, "r+b") as f:
            f.write(b"\xde\xad\xbe\xef" * 16)
    elif damage == "garbage pages":
        with open(database, "r+b") as f:
            f.seek(4096)
            f.write(os.urandom(4096 * 3))
    else:
        database.write_text("these are not the tickets you are looking for\n" * 100)
    code, report = doctor_json(path)
    checks = {c["name"]: c for c in report["checks"]}
    assert code == 1 and report["ok"] is False
    assert checks["database"]["status"] == "failed" and words in checks["database"]["detail"]
    assert checks["database"]["fix"]
    # Every other check still ran, each on its own.
    assert {"ticket key", "printer", "sync", "clock", "disk"} <= set(checks)
    assert checks["disk"]["status"] in ("ok", "warn")


@pytest.mark.parametrize(
    "args", [["purge"], ["sync", "--once"], ["desk", "add", "7"], ["issue", "A"]]
)
def test_commands_refuse_a_database_with_garbage_in_its_pages(demo, args: list[str]) -> None:
    path, _ = demo
    database = path.parent.parent / ".demo" / "data" / "kiosk.sqlite3"
    subprocess.run([str(KIOSK), "--config", str(path), "purge"], check=True, capture_output=True)
    with open(database, "r+b") as f:
        f.seek(4096)
        f.write(os.urandom(4096 * 3))
    done = subprocess.run([str(KIOSK), "--config", str(path), *args],
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 1, done.stdout
    assert done.stderr.startswith("database: ") and "kiosk doctor" in done.stderr
    assert done.stderr.count("\n") == 1


def test_a_silent_network_printer_is_not_told_about_baud_rates(write_config) -> None:
    """A TCP port that takes the connection and never answers a status request: the fix speaks
    of the printer's protocol, not of a serial line's baud rate."""
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        text = write_config().read_text()
        path = write_config(text.replace('[printer]\nuri = "none://"',
                                         f'[printer]\nuri = "tcp://127.0.0.1:{port}"', 1))  # fmt: skip
        _, result = doctor(path)
    printer = by_name(result)["printer"]
    assert printer["status"] == "failed" and printer["detail"].startswith("unknown"), printer
    assert "baud" not in printer["fix"] and "ESC/POS" in printer["fix"]
