"""Secrets: created on first run with 0600 in a 0700 folder, never half-written, never too open."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

import pytest

from kiosk import secrets


def test_created_when_missing_with_private_permissions(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "ticket-key"
    value = secrets.ensure(path)
    assert len(value) == 64  # 32 random bytes, hex
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert secrets.ensure(path) == value  # stable across runs
    assert [p.name for p in path.parent.iterdir()] == ["ticket-key"]  # no temporary left


def test_given_content(tmp_path: Path) -> None:
    assert secrets.ensure(tmp_path / "t", b"abc") == b"abc"


@pytest.mark.parametrize(
    ("mode", "content", "message"),
    [(0o644, b"x", "readable by others"), (0o600, b"\n", "empty"), (0o640, b"x", "chmod 600")],
)
def test_refused(tmp_path: Path, mode: int, content: bytes, message: str) -> None:
    path = tmp_path / "t"
    path.write_bytes(content)
    path.chmod(mode)
    with pytest.raises(secrets.SecretError, match=message):
        secrets.ensure(path)


def _make(path: str, queue) -> None:
    queue.put(secrets.ensure(Path(path)))


def test_two_processes_creating_at_once_agree(tmp_path: Path) -> None:
    path = tmp_path / "s" / "key"
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_make, args=(str(path), queue)) for _ in range(4)]
    for p in procs:
        p.start()
    values = {queue.get(timeout=30) for _ in procs}
    for p in procs:
        p.join(timeout=30)
    assert values == {path.read_bytes().strip()}
