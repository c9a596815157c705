"""One table of keys (kiosk/config_keys.py) holds four things together: what `config check`
accepts, what `config set` sets, what `config show` prints, and docs/command.md's key table."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import tomlkit

from kiosk import config_keys
from kiosk.cli.app import as_toml, effective
from kiosk.config import ConfigError, load, parse
from kiosk.config_edit import EditError, set_values

ROOT = Path(__file__).resolve().parents[2]
# A value for every key that has no default (or a default worth changing), all valid together.
EVERY_VALUE = {
    "kiosk.role": "host",
    "printer.uri": "tcp://127.0.0.1:9100",
    "printer.on_fault": "block",
    "printer.width": 58,
    "scanner.uri": "serial:///dev/ttyACM0?baudrate=9600",
    "central.ca_file": "tls/central-ca.pem",
    "server.listen": "0.0.0.0:8443",
    "server.tls_cert_file": "tls/branch.pem",
    "server.tls_key_file": "secrets/branch.key",
    "server.phone_listen": "0.0.0.0:8444",
    "branch.url": "https://192.168.1.10:8080",
    "branch.token_file": "secrets/branch-token",
    "branch.ca_file": "tls/branch-ca.pem",
    "ticket.status_url": "https://coda.example.it/t/",
    "ticket.key_file": "secrets/ticket-key",
    "queue.no_show_tolerance_min": 20,
    "queue.appointment_early_min": 25,
    "queue.appointment_grace_min": 5,
    "queue.wait_floor_min": 4,
    "privacy.controller": "Comune di Prova",
    "privacy.dpo": "rpd@example.it",
    "speech.voice": "none",
    "speech.output": "aplay",
    "speech.volume": 60,
    "speech.rate": 170,
    "speech.on": True,
    "keypad.uri": "evdev:///dev/input/by-id/usb-Keypad-event-kbd",
    "ui.idle_s": 120,
    "ui.reach": True,
    "ui.screen_bottom_mm": 700,
    "ui.screen_height_mm": 1200,
    "display.url": "http://192.168.1.10:8080/display",
}


def full(config: Path) -> Path:
    """The test configuration with every key of the table given a value."""
    assert set_values(config, [(k, tomlkit.item(v).as_string()) for k, v in EVERY_VALUE.items()])
    return config


def test_every_key_of_the_table_can_be_set_and_is_accepted(
    write_config: Callable[..., Path],
) -> None:
    path = full(write_config())
    data = tomllib.loads(path.read_text())
    for key, value in EVERY_VALUE.items():
        section, name = key.split(".")
        assert data[section][name] == value, key
    table_keys = {k for k in config_keys.every_key() if not k.startswith("services[")}
    given = {k for k in table_keys if k.split(".")[1] in data.get(k.split(".")[0], {})}
    assert given == table_keys  # the test gives every key of the table a value
    load(path)  # and config check accepts the whole


def test_a_key_outside_the_table_is_refused_by_check_and_set(
    write_config: Callable[..., Path],
) -> None:
    path = write_config()
    for key in ("printer.speed", "ui.colour", "services[0].colour"):
        with pytest.raises(EditError) as refused:
            set_values(path, [(key, "1")])
        assert any("unknown key" in line for line in refused.value.lines), refused.value.lines
    with pytest.raises(EditError, match='unknown section "fleet"'):
        set_values(path, [("fleet.url", "x")])
    data = tomllib.loads(path.read_text())
    data["ui"] = {"colour": "red"}
    with pytest.raises(ConfigError, match="colour"):
        parse(data, path.parent, path)


def test_config_show_prints_every_key_and_reads_back_as_the_same_configuration(
    write_config: Callable[..., Path],
) -> None:
    path = full(write_config())
    config = load(path)
    shown = effective(config)
    for section in config_keys.TOP:
        rows = shown[section] if section != "services" else shown["services"][0]
        assert tuple(rows) == config_keys.keys(section), section
    again = path.with_name("shown.toml")
    again.write_text(as_toml(shown))
    assert effective(load(again)) == shown


def test_config_show_says_which_keys_are_not_set(write_config: Callable[..., Path]) -> None:
    text = as_toml(effective(load(write_config())))
    assert "# tls_cert_file: not set" in text and "wait_floor_min = 3" in text
    assert "idle_s = 60" in text and "# url: not set" in text


def documented_keys() -> set[str]:
    """The keys of docs/command.md's configuration table (``kiosk.id``, ``branch``: a bare name
    after a full one is in the same section)."""
    text = (ROOT / "docs" / "command.md").read_text()
    table = text[text.index("| key | what | status |") :].split("\n\n", 1)[0]
    found = set()
    for row in table.splitlines()[2:]:
        section = None
        for name in re.findall(r"`([^`]+)`", row.split("|")[1]):
            if "." in name:
                section, name = name.rsplit(".", 1)
            found.add(f"{section}.{name}")
    return found


def test_docs_command_md_lists_exactly_the_tables_keys() -> None:
    assert documented_keys() == set(config_keys.every_key())
