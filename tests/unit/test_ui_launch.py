"""``kiosk ui``'s start without click: which command lines take it, and its one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.ui.launch import parse
from tests.helpers import run_kiosk

KIOSK = Path(sys.executable).with_name("kiosk")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["ui"], (None, False)),
        (["ui", "--windowed"], (None, True)),
        (["--config", "/etc/k.toml", "ui"], (Path("/etc/k.toml"), False)),
        (["--config=/etc/k.toml", "ui", "--windowed"], (Path("/etc/k.toml"), True)),
    ],
)
def test_plain_ui_command_lines_start_without_click(argv, expected) -> None:
    assert parse(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["status"],
        ["ui", "--help"],
        ["ui", "-h"],
        ["ui", "--windowed", "--windowed"],
        ["ui", "--fullscreen"],
        ["--config", "ui"],  # the path is missing: click says so
        ["--config", "--help", "ui"],
        ["--config=", "ui"],
        ["--help"],
        ["screenshot", "--screen", "home", "x.png"],
    ],
)
def test_everything_else_goes_through_click(argv) -> None:
    assert parse(argv) is None


def test_ui_help_still_comes_from_click(capsys) -> None:
    code, out, _ = run_kiosk(capsys, "ui", "--help")
    assert code == 0
    assert "Run the totem's full-screen touch UI." in out
    assert "--windowed" in out


def kiosk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-X", "importtime", str(KIOSK), *args],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def problems(stderr: str) -> list[str]:
    """stderr without the interpreter's import timings."""
    return [line for line in stderr.splitlines() if not line.startswith("import time:")]


def imported(stderr: str) -> set[str]:
    return {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def test_a_bad_configuration_is_one_line_per_problem_exit_2_without_loading_click(
    write_config,
) -> None:
    text = write_config().read_text().replace('timezone = "Europe/Rome"', 'timezone = "Mars/Base"')
    path = write_config(text.replace("languages = [", 'languages = ["xx", '))
    result = kiosk("--config", str(path), "ui")
    assert result.returncode == 2
    lines = problems(result.stderr)
    assert len(lines) == 2, lines
    assert any(line.startswith("kiosk.timezone:") and "Mars/Base" in line for line in lines)
    assert any(line.startswith("kiosk.languages") and '"xx"' in line for line in lines)
    assert "click" not in imported(result.stderr)
    assert "PySide6.QtWidgets" not in imported(result.stderr)  # failed before any window


def test_a_missing_configuration_file_is_one_line(tmp_path) -> None:
    result = kiosk("--config", str(tmp_path / "nowhere.toml"), "ui")
    assert result.returncode == 2
    (line,) = problems(result.stderr)
    assert "nowhere.toml" in line
    assert "Traceback" not in result.stderr


def test_the_config_path_comes_from_kiosk_config_too(tmp_path) -> None:
    result = kiosk("ui", env={"KIOSK_CONFIG": str(tmp_path / "from-env.toml")})
    assert result.returncode == 2
    assert "from-env.toml" in problems(result.stderr)[0]


def test_a_bad_scanner_address_names_the_key(write_config) -> None:
    text = (
        write_config()
        .read_text()
        .replace(
            '[scanner]\nuri = "none://"', '[scanner]\nuri = "evdev:///dev/input/event3?layout=xx"'
        )
    )
    result = kiosk("--config", str(write_config(text)), "ui")
    assert result.returncode == 2
    (line,) = problems(result.stderr)
    assert line.startswith("scanner.uri: ") and 'layout "xx"' in line


def test_a_secret_readable_by_others_is_refused_with_exit_1(write_config, tmp_path) -> None:
    path = write_config()
    key = tmp_path / "data" / "secrets" / "ticket-key"
    key.parent.mkdir(parents=True)
    key.write_text("0" * 64)
    key.chmod(0o644)
    result = kiosk("--config", str(path), "ui")
    assert result.returncode == 1, result.stderr
    (line,) = problems(result.stderr)
    assert line.startswith("secret: ")
    assert "0" * 64 not in result.stderr
