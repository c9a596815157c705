"""The attacker's carving, done again: the totem's data folder on a real ext4 file system
(loop-mounted), a day through the store, the night's purge, then the raw image read byte by
byte. Yesterday's tickets, payloads, booking hash and desk must be nowhere on the disk, not
only nowhere in the files; today's tickets are found (the carving works). The same day
scrubbed without writing the WAL over first leaves them on the raw disk (the test can fail)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import load
from kiosk.store import Store
from kiosk.store import purge as retention
from tests.conftest import ALL_WEEK, CONFIG_TEMPLATE, Clock, rome
from tests.unit.test_purge import yesterday_and_today

pytestmark = pytest.mark.integration


@contextlib.contextmanager
def ext4(image: Path, mount: Path) -> Iterator[Path]:
    """A fresh ext4 file system in ``image``, mounted at ``mount`` (the kernel's own ext4, as
    on the totem: data written where it is, ordered with its metadata)."""
    with image.open("wb") as f:
        f.truncate(48 * 1024 * 1024)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-E", "nodiscard", str(image)], check=True)
    mount.mkdir()
    subprocess.run(["mount", "-o", "loop,data=ordered", str(image), str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def carve(tmp_path: Path, name: str) -> tuple[bytes, list[bytes], list[bytes]]:
    """Run Monday and Tuesday on a fresh file system, purge Monday, unmount; the raw image's
    bytes, Monday's secrets and Tuesday's codes."""
    image = tmp_path / f"{name}.img"
    with ext4(image, tmp_path / name) as root:
        (root / "kiosk.toml").write_text(CONFIG_TEMPLATE.format(hours_a=ALL_WEEK, cap_a=120))
        config = load(root / "kiosk.toml")
        clock = Clock(rome(2026, 11, 23, 10, 0))
        store = Store(config.database)
        try:
            secret, kept = yesterday_and_today(config, store, clock)
            clock.now = rome(2026, 11, 24, 9, 30)
            retention.purge(store, "2026-11-24", clock())
        finally:
            store.close()
        os.sync()
    return image.read_bytes(), secret, kept


def test_the_purged_day_is_gone_from_the_raw_disk(tmp_path: Path) -> None:
    raw, secret, kept = carve(tmp_path, "totem")
    assert all(code in raw for code in kept)  # the carving finds what is there
    found = [s for s in secret if s in raw]
    assert found == [], f"on the raw disk after the purge: {found[:5]}"


def test_without_writing_the_wal_over_the_day_stays_on_the_raw_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "_write_over", lambda store, wal: None)  # the scrub before
    raw, secret, _kept = carve(tmp_path, "unzeroed")
    assert [s for s in secret if s in raw]
