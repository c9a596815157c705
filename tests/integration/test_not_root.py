"""A technician who is neither root nor kiosk is told so, in one line, by every command: the
real cause and what to do, never a reset (the data is fine), never a traceback.

The commands run as root without the capabilities that let root read anyone's files
(setpriv drops CAP_DAC_OVERRIDE and its kin from the bounding set), on a data folder and
secrets owned by another user, 0700: the kernel refuses them exactly as it refuses a
technician's own account."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.permission import AS_WHOM

pytestmark = pytest.mark.integration
KIOSK = Path(sys.executable).with_name("kiosk")
NOBODY = 65534
UNPRIVILEGED = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner,-chown", "--"]
COMMANDS = (
    ["status"], ["issue", "A"], ["scan", "12345"], ["desk", "add", "1"], ["desk", "list"],
    ["totem", "list"], ["display", "list"], ["store", "reset", "--yes"], ["purge"],
    ["sync", "--once"], ["sync", "status"], ["serve"],
)  # fmt: skip


def kiosk(config: Path, *args: str, privileged: bool = False) -> subprocess.CompletedProcess[str]:
    prefix = [] if privileged else UNPRIVILEGED
    return subprocess.run(
        [*prefix, str(KIOSK), "--config", str(config), *args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.fixture
def someone_elses(write_config: Callable[..., Path], tmp_path: Path) -> Path:
    assert os.geteuid() == 0 and shutil.which("setpriv"), "needs root and util-linux's setpriv"
    config = write_config()
    assert kiosk(config, "issue", "A", privileged=True).returncode == 0
    for folder in (tmp_path / "data", tmp_path / "secrets"):
        for path in (folder, *folder.rglob("*")):
            os.chown(path, NOBODY, NOBODY)
        folder.chmod(0o700)
    return config


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_each_command_says_to_run_as_root_or_kiosk(someone_elses: Path, command: list[str]) -> None:
    done = kiosk(someone_elses, *command)
    assert done.returncode == 1, done
    [line] = done.stderr.strip().splitlines()
    assert line.endswith(f": permission denied; {AS_WHOM}"), line
    assert "reset" not in line and "internal error" not in line


def test_json_errors_say_it_too(someone_elses: Path) -> None:
    done = kiosk(someone_elses, "status", "--json")
    assert done.returncode == 1 and done.stderr == ""
    assert json.loads(done.stdout)["error"].endswith(AS_WHOM)


def test_the_doctor_names_the_cause_without_a_traceback(someone_elses: Path) -> None:
    done = kiosk(someone_elses, "doctor", "--json")
    assert "Traceback" not in done.stderr and "failed unexpectedly" not in done.stderr
    checks = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
    for name in ("database", "ticket key", "central", "sync"):
        assert "permission denied" in checks[name]["detail"], checks[name]
        assert checks[name]["fix"] == AS_WHOM
    assert "report this" not in done.stdout


def test_the_data_was_fine_all_along(someone_elses: Path) -> None:
    for command in COMMANDS:
        kiosk(someone_elses, *command)
    again = kiosk(someone_elses, "issue", "A", "--json", privileged=True)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["ticket"] == "A002"  # the day went on: nothing was reset
