"""A full disk is named as a full disk, by the commands and by the doctor, on a real small file
system filled up (a tmpfs: CI runs as root)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
KIOSK = Path(sys.executable).with_name("kiosk")


@pytest.fixture
def small_disk(tmp_path: Path):
    assert os.geteuid() == 0, "mounting a small file system needs root (as make test runs)"
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_is_called_full(write_config, small_disk: Path) -> None:
    text = write_config().read_text().replace('data_dir = "data"', f'data_dir = "{small_disk}"')
    path = small_disk.parent / "full.toml"
    path.write_text(text)

    def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(KIOSK), "--config", str(path), *args],
                              capture_output=True, text=True, timeout=60, check=False)  # fmt: skip

    assert kiosk("issue", "A").returncode == 0
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    (small_disk / "filler").write_bytes(b"\0" * (free - 2048))
    issued = kiosk("issue", "A")
    assert issued.returncode == 1
    assert issued.stderr.strip() == f"database: the disk is full; free space in {small_disk}"
    done = kiosk("doctor", "--json")
    report = json.loads(done.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert (
        "disk is full" in checks["database"]["detail"] and "free space" in checks["database"]["fix"]
    )
    assert checks["disk"]["status"] == "failed" and "MiB free" in checks["disk"]["detail"]
    (small_disk / "filler").unlink()  # room again: the day goes on where it was
    again = json.loads(kiosk("issue", "A", "--json").stdout)
    assert again["ticket"] == "A002"
