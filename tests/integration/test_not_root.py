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


@pytest.mark.parametrize("data", ["intact", "deleted"])
def test_a_witness_folder_of_someone_elses_is_said_as_such(
    write_config: Callable[..., Path], tmp_path: Path, data: str
) -> None:
    config = write_config()
    assert kiosk(config, "issue", "A", privileged=True).returncode == 0
    witness = tmp_path / "data-witness"
    for path in (witness, *witness.iterdir()):
        os.chown(path, NOBODY, NOBODY)
    witness.chmod(0o700)
    for path in (tmp_path / "data", *(tmp_path / "data").rglob("*")):
        os.chmod(path, 0o777 if path.is_dir() else 0o666)  # the data folder is not the cause
    if data == "deleted":
        shutil.rmtree(tmp_path / "data")
    done = kiosk(config, "issue", "A")
    assert done.returncode == 1 and done.stderr.strip().endswith(AS_WHOM), done.stderr
    checks = {c["name"]: c for c in json.loads(kiosk(config, "doctor", "--json").stdout)["checks"]}
    assert "permission denied" in checks["database"]["detail"], checks["database"]
    assert checks["database"]["fix"] == AS_WHOM


def test_a_configuration_of_someone_elses_is_the_permission_line(
    tmp_path: Path, write_config
) -> None:
    config = write_config()
    os.chown(config, NOBODY, NOBODY)
    config.chmod(0o600)
    for args in (["status"], ["config", "check"], ["doctor"]):
        done = kiosk(config, *args)
        assert done.returncode == 1, (args, done)
        assert done.stderr.strip() == f"{config}: permission denied; {AS_WHOM}", args


def test_config_set_in_a_folder_of_someone_elses_names_the_file(tmp_path: Path) -> None:
    from tests.conftest import ALL_WEEK, CONFIG_TEMPLATE

    folder = tmp_path / "etc"
    folder.mkdir()
    config = folder / "kiosk.toml"
    config.write_text(CONFIG_TEMPLATE.format(hours_a=ALL_WEEK, cap_a=120))
    before = config.read_text()
    os.chown(folder, NOBODY, NOBODY)
    folder.chmod(0o755)  # the file can be read, not replaced
    done = kiosk(config, "config", "set", "queue.wait_floor_min=4")
    assert done.returncode == 1
    assert done.stderr.strip() == f"{config}: permission denied; {AS_WHOM}"
    assert config.read_text() == before
