"""A wrong clock never purges the live day: `faketime '+1 day' kiosk purge`, for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.store import Store

pytestmark = pytest.mark.integration
KIOSK = Path(sys.executable).with_name("kiosk")


def kiosk(
    config: Path, *args: str, fake: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [str(KIOSK), "--config", str(config), *args]
    if fake:
        command = ["faketime", fake, *command]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


@pytest.mark.parametrize("only_the_wall_clock", [True, False])
def test_a_clock_a_day_ahead_purges_nothing(write_config, only_the_wall_clock: bool) -> None:
    path = write_config()
    for _ in range(3):
        assert kiosk(path, "issue", "A").returncode == 0
    # libfaketime moves the boot clock too unless told not to; a real jump moves only the wall.
    env = {"FAKETIME_DONT_FAKE_MONOTONIC": "1"} if only_the_wall_clock else {}
    wrong = kiosk(path, "purge", "--json", fake="+1 day", env=env)
    assert wrong.returncode == 1, wrong.stderr
    error = json.loads(wrong.stdout) if wrong.stdout.strip() else {}
    message = error.get("error") or wrong.stderr
    assert "nothing deleted" in message and "clock" in message
    with Store(path.parent / "data" / "kiosk.sqlite3") as store:
        assert store.scalar("SELECT COUNT(*) FROM tickets") == 3
    # With the real clock the purge runs, and today is today: nothing of it goes.
    right = kiosk(path, "purge")
    assert right.returncode == 0 and right.stdout.startswith("deleted 0 tickets"), right.stderr
    issued = json.loads(kiosk(path, "issue", "A", "--json").stdout)
    assert issued["ticket"] == "A004"
