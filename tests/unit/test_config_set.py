"""`kiosk config set KEY VALUE`: validated first, written atomically, comments kept, and the
services to restart named; a bad value leaves the file byte for byte as it was."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest

from kiosk.config import load
from tests.helpers import run_kiosk

EXAMPLE = Path(__file__).parents[2] / "config" / "kiosk.example.toml"


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(EXAMPLE.read_text())
    path.chmod(0o640)
    return path


def test_good_value_is_written_keeping_comments_and_layout(capsys, cfg: Path) -> None:
    before = cfg.read_text()
    code, out, err = run_kiosk(capsys, "--config", str(cfg), "config", "set", "printer.uri",
                               "tcp://192.168.1.50:9100")  # fmt: skip
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f'printer.uri = "tcp://192.168.1.50:9100"  written to {cfg}',
        "restart: systemctl restart kiosk-ui",
    ]
    after = cfg.read_text()
    # Exactly one line differs; every comment and blank line is where it was.
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert changed == [('uri = "tcp://127.0.0.1:9100"', 'uri = "tcp://192.168.1.50:9100"')]
    assert load(cfg).printer_uri == "tcp://192.168.1.50:9100"
    assert cfg.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in cfg.parent.iterdir()] == ["kiosk.toml"]  # no temporary file left


def test_bad_value_leaves_the_file_unchanged(capsys, cfg: Path) -> None:
    before, stat = cfg.read_bytes(), cfg.stat()
    code, out, err = run_kiosk(capsys, "--config", str(cfg), "config", "set",
                               "services[0].hours.mon", '["25:00-26:00"]')  # fmt: skip
    assert code == 2 and out == ""
    assert err == 'services[0].hours.mon: "25:00" is not a time\n'
    assert cfg.read_bytes() == before and cfg.stat().st_mtime_ns == stat.st_mtime_ns
    assert cfg.stat().st_ino == stat.st_ino


@pytest.mark.parametrize(
    ("key", "value", "line"),
    [
        ("kiosk.timezone", "Mars/Base", 'kiosk.timezone: "Mars/Base" is not a known timezone'),
        ("printer.colour", "red", "printer.colour: unknown key (allowed: uri, on_fault, width)"),
        ("services[7].minutes", "9", "services[7].minutes: there is no services[7] (0..1)"),
        ("weather.today", "1", 'weather.today: unknown section "weather"'),
        ("printer", "x", '"printer" names a whole section'),
        ("printer..uri", "x", '"printer..uri" is not a key'),
        ("services[0].minutes", "many", 'services[0].minutes: "many" is not an integer'),
        ("printer.on_fault", "explode", 'printer.on_fault: "explode" is not one of'),
    ],
)
def test_each_bad_input_gets_one_line_and_exit_2(capsys, cfg, key, value, line) -> None:
    before = cfg.read_bytes()
    code, out, err = run_kiosk(capsys, "--config", str(cfg), "config", "set", key, value)
    assert code == 2 and out == ""
    assert err.startswith(line) and err.count("\n") == 1, err
    assert cfg.read_bytes() == before


def test_values_keep_their_types_and_restarts_are_named(capsys, cfg: Path) -> None:
    k = ("--config", str(cfg), "config", "set")
    code, out, _ = run_kiosk(capsys, *k, "services[0].minutes", "10")
    assert code == 0 and "restart: systemctl restart kiosk-ui kiosk-serve kiosk-sync" in out
    code, out, _ = run_kiosk(capsys, *k, "kiosk.id", "12345")  # a string stays a string
    assert code == 0
    code, out, _ = run_kiosk(capsys, *k, "central.url", "https://c.example.org/api")
    assert code == 0 and out.endswith("restart: systemctl restart kiosk-sync\n")
    code, out, _ = run_kiosk(capsys, *k, "privacy.dpo", "dpo@example.org")
    assert code == 0
    data = tomllib.loads(cfg.read_text())
    assert data["services"][0]["minutes"] == 10
    assert data["kiosk"]["id"] == "12345"
    assert data["privacy"]["dpo"] == "dpo@example.org"
    code, out, _ = run_kiosk(capsys, *k, "services[0].minutes", "10")
    assert (code, out) == (0, "services[0].minutes = 10 (unchanged)\n")


def test_a_missing_table_is_created(capsys, tmp_path: Path, write_config) -> None:
    path = write_config()
    assert "[server]" not in path.read_text()
    code, out, _ = run_kiosk(capsys, "--config", str(path), "config", "set", "server.listen",
                             "127.0.0.1:9090")  # fmt: skip
    assert code == 0 and "restart: systemctl restart kiosk-serve" in out
    assert load(path).server_listen == "127.0.0.1:9090"


def test_an_unreadable_file_is_one_line(capsys, tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    code, _, err = run_kiosk(capsys, "--config", str(missing), "config", "set", "a.b", "1")
    assert code == 2 and err.count("\n") == 1 and "nope.toml" in err
    assert not missing.exists() and os.listdir(tmp_path) == []


def test_a_new_totem_is_named_one_key_at_a_time(capsys, tmp_path: Path) -> None:
    """The package's file leaves kiosk.id and kiosk.branch empty: each can be set alone (the
    other is said to be still missing), a bad value is still refused, and once both are set
    the file is valid and the restart is named."""
    path = tmp_path / "kiosk.toml"
    text = EXAMPLE.read_text().replace('id = "roma-m1-totem-1"', 'id = ""')
    path.write_text(text.replace('branch = "roma-m1"', 'branch = ""'))
    code, out, err = run_kiosk(capsys, "--config", str(path), "config", "set", "kiosk.id",
                               "totem-7")  # fmt: skip
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f'kiosk.id = "totem-7"  written to {path}',
        "still to set: kiosk.branch: not set (a freshly installed totem: see docs/technician.md)",
    ]
    before = path.read_bytes()
    code, out, err = run_kiosk(capsys, "--config", str(path), "config", "set", "printer.width",
                               "70")  # fmt: skip
    assert code == 2 and err.startswith("printer.width: ") and path.read_bytes() == before
    code, out, _ = run_kiosk(capsys, "--config", str(path), "config", "set", "kiosk.branch",
                             "roma-m7", "--json")  # fmt: skip
    assert code == 0
    assert '"pending": []' in out and '"restart": ["kiosk-ui", "kiosk-sync", "kiosk-serve"]' in out
    assert load(path).kiosk_id == "totem-7"


def test_keys_that_belong_together_are_set_in_one_command(capsys, tmp_path: Path) -> None:
    """`kiosk config set KEY=VALUE ...` (DESIGN 7): a satellite's role and its host cannot be
    set one at a time (each alone is invalid); together they are checked and written at once.
    A bad pair among good ones writes nothing."""
    path = tmp_path / "kiosk.toml"
    path.write_text(EXAMPLE.read_text())
    alone = run_kiosk(capsys, "--config", str(path), "config", "set", "kiosk.role", "satellite")
    assert alone[0] == 2 and "branch.url" in alone[2]
    before = path.read_bytes()
    code, _, err = run_kiosk(capsys, "--config", str(path), "config", "set", "kiosk.role=satellite",
                             "branch.url=https://192.168.1.10:8080", "printer.width=70")  # fmt: skip
    assert code == 2 and err.startswith("printer.width: ") and path.read_bytes() == before
    code, out, err = run_kiosk(capsys, "--config", str(path), "config", "set",
                               "kiosk.role=satellite", "branch.url=https://192.168.1.10:8080",
                               f"branch.token_file={tmp_path / 'branch-token'}",
                               "ui.idle_s=120")  # fmt: skip
    assert (code, err) == (0, "")
    assert out.splitlines()[:2] == [
        f'kiosk.role = "satellite"  written to {path}',
        f'branch.url = "https://192.168.1.10:8080"  written to {path}',
    ]
    assert out.splitlines()[3] == f"ui.idle_s = 120  written to {path}"
    config = load(path)
    assert (config.role, config.host_url, config.access.idle_s) == (
        "satellite", "https://192.168.1.10:8080", 120)  # fmt: skip
    code, out, _ = run_kiosk(capsys, "--config", str(path), "config", "set", "speech.rate=150",
                             "ui.idle_s=120", "--json")  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert [c["changed"] for c in data["changes"]] == [True, False]
    code, _, err = run_kiosk(capsys, "--config", str(path), "config", "set", "ui.idle_s=1",
                             "ui.idle_s=2")  # fmt: skip
    assert code == 2 and err.strip() == "ui.idle_s: given twice"
    code, _, err = run_kiosk(capsys, "--config", str(path), "config", "set", "a", "b", "c")
    assert code == 2 and err.strip() == '"a": write KEY VALUE, or KEY=VALUE for each key'
