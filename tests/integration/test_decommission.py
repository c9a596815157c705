"""`kiosk decommission`: refuses without confirmation or with unsent events; otherwise every
file of the data folder and the secrets is overwritten with zeros and deleted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_sync_crash import config_for

pytestmark = pytest.mark.integration
KIOSK = Path(sys.executable).with_name("kiosk")


def kiosk(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KIOSK), "--config", str(path), *args],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_decommission_wipes_data_and_secrets(write_config, central, tmp_path: Path) -> None:
    path = config_for(write_config, central.url)
    for _ in range(3):
        assert kiosk(path, "issue", "A").returncode == 0
    assert kiosk(path, "desk", "add", "1").returncode == 0
    data, secrets = tmp_path / "data", tmp_path / "secrets"
    db = data / "kiosk.sqlite3"
    assert db.exists() and (secrets / "central-token").exists()
    key = Path(str(data / "secrets" / "ticket-key"))
    assert key.exists()
    # Second names for two files: after the wipe they must hold only zeros.
    keep = tmp_path / "links"
    keep.mkdir()
    os.link(db, keep / "db")
    os.link(secrets / "central-token", keep / "token")

    refused = kiosk(path, "decommission")
    assert refused.returncode == 2 and refused.stderr.strip() == (
        "decommission: add --yes to confirm (it wipes this totem's data)"
    )
    unsent = kiosk(path, "decommission", "--yes")
    assert unsent.returncode == 1
    assert "3 event(s) not yet sent" in unsent.stderr and "kiosk sync --once" in unsent.stderr
    assert db.exists() and key.exists()  # nothing touched

    assert kiosk(path, "sync", "--once").returncode == 0
    sizes = {n: (keep / n).stat().st_size for n in ("db", "token")}  # as the wipe finds them
    done = kiosk(path, "decommission", "--yes")
    assert done.returncode == 0, done.stderr
    assert "overwrote and deleted" in done.stdout
    assert list(data.iterdir()) == [] and not (secrets / "central-token").exists()
    # The marker's copy (the day's last numbers) is gone too; the machine starts as new.
    assert [p.name for p in (tmp_path / "data-witness").iterdir()] == ["born"]
    for name, size in sizes.items():
        content = (keep / name).read_bytes()
        assert len(content) == size and content == bytes(size), name
    assert path.exists()  # the configuration is kept


def test_discard_unsent_when_the_central_is_gone(write_config, tmp_path: Path) -> None:
    path = write_config()
    assert kiosk(path, "issue", "A").returncode == 0
    done = kiosk(path, "decommission", "--yes", "--discard-unsent")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "data" / "kiosk.sqlite3").exists()
    assert not (tmp_path / "data" / "kiosk.sqlite3-wal").exists()
