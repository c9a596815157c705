"""The whole command run for real: the installed entry point, and `kiosk demo` with every
part of the product (the central server and the sync agent as their own processes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import free_port, run_kiosk

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_installed_entry_point_runs(write_config) -> None:
    path = write_config()
    kiosk = Path(sys.executable).with_name("kiosk")
    result = subprocess.run(
        [kiosk, "--config", str(path), "issue", "Q"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr == 'service: "Q" is not a configured service (A, B)\n'
    assert result.stdout == ""


def test_demo_runs(capsys, tmp_path: Path) -> None:

    port = free_port()
    text = (ROOT / "config" / "demo.toml").read_text().replace("../.demo", str(tmp_path))
    text = text.replace("http://127.0.0.1:8765", f"http://127.0.0.1:{port}")
    branch_port = free_port()
    text = text.replace('listen = "127.0.0.1:8080"', f'listen = "127.0.0.1:{branch_port}"')
    path = tmp_path / "demo.toml"
    path.write_text(text)
    code, out, err = run_kiosk(capsys, "--config", str(path), "demo", "--no-wait")
    assert code == 0, err
    assert "ticket A001" in out and "rejected (not_genuine)" in out
    assert "page: 200" in out and "cookie: none" in out and "'ticket': 'A001'" in out
    second = out.split("A second totem (a satellite)")[1].split("==")[0]
    assert "A002" in second and "printed" in second  # numbered by the host, printed there
    assert "would delete 0 tickets" in out
    assert "desk 1 now serves A001" in out
    assert "a citizen scans their booking QR: checkin" in out
    assert "sync: outbox drained" in out and "outbox  0 waiting" in out
    outside = out.split("the central's phone page")[1].split("==")[0]
    assert "sealed boxes it cannot open, per service: A 8, B 8" in outside
    assert "the ticket's seal opens its own box: {'ticket': 'B001', 'state': 'waiting'" in outside
    # The satellite's health reached the central through this totem: nothing refused.
    assert "refused by the central server" not in out and "parked" not in err
