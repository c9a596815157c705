"""The udev rules give stable names and group access, and never open devices to everyone."""

from __future__ import annotations

import re
from pathlib import Path

RULES = Path(__file__).resolve().parents[2] / "systemd" / "60-kiosk.rules"


def rules() -> list[str]:
    text = RULES.read_text().replace("\\\n", " ")
    return [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]


def test_no_world_access() -> None:
    for rule in rules():
        mode = re.search(r'MODE="(\d+)"', rule)
        assert mode, rule
        assert mode.group(1)[-1] == "0", f"world access in: {rule}"
        assert 'GROUP="kiosk"' in rule


def test_printer_gets_a_stable_name_and_scanner_is_hidden_from_libinput() -> None:
    text = " ".join(rules())
    assert 'SYMLINK+="kiosk-printer"' in text
    scanner = [r for r in rules() if 'SUBSYSTEM=="input"' in r]
    assert scanner and all('ENV{LIBINPUT_IGNORE_DEVICE}="1"' in r for r in scanner)


def test_every_rule_matches_on_vendor_and_product() -> None:
    for rule in rules():
        assert "ATTRS{idVendor}" in rule and "ATTRS{idProduct}" in rule
