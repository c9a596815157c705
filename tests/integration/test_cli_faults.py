"""A technician's mistakes get one line and an exit code, never Qt's advice or uvicorn's."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
KIOSK = Path(sys.executable).with_name("kiosk")


def test_kiosk_ui_without_a_screen(write_config) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "DISPLAY")}  # fmt: skip
    done = subprocess.run([str(KIOSK), "--config", str(write_config()), "ui"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("ui: no screen here") and done.stderr.count("\n") == 1


def test_kiosk_central_on_a_busy_port(write_config) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [str(KIOSK), "--config", str(write_config()), "central", "serve", "--listen", f"127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert (
        done.returncode == 1
        and "serving" not in done.stdout
        and "central service on" not in done.stdout
    )
    assert done.stderr.strip() == f"--listen 127.0.0.1:{port}: Address already in use"


def test_a_config_nested_too_deeply_is_one_line(tmp_path: Path) -> None:
    """The attacker's deep nesting gave "internal error (RecursionError)"; check and set both
    say what is wrong, exit 2, and leave the file as it was."""
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\nid = "x"\nbranch_name = ' + "[" * 5000 + "]" * 5000 + "\n")
    before = path.read_bytes()
    for args in (["config", "check"], ["config", "set", "kiosk.id", "y"], ["status"]):
        done = subprocess.run([str(KIOSK), "--config", str(path), *args],
                              capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
        assert done.returncode == 2, (args, done.stderr)
        lines = (done.stdout + done.stderr).strip().splitlines()
        assert len(lines) == 1 and "nested" in lines[0] and "internal error" not in lines[0]
    assert path.read_bytes() == before


def test_a_value_with_a_terminal_escape_is_never_echoed_raw(tmp_path: Path) -> None:
    """The attacker's config value carried ESC [2J (clear the screen): `config check` names
    the key and shows the value without the control characters."""
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\nid = "x\\u001b[2J\\u0007\\u009bRED"\nbranch = "b"\n')
    done = subprocess.run([str(KIOSK), "--config", str(path), "config", "check"],
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2
    said = done.stdout + done.stderr
    assert said.startswith("kiosk.id: ")
    assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F for c in said)
