"""`make image` refuses a wrong IMAGE_SSH_KEY with one line (exit 2) before any work: a totem
nobody can log in to would be flashed for nothing. The whole build is `make image-test`'s."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).parents[2]


def build(key: str | None, out: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "IMAGE_SSH_KEY"}
    if key is not None:
        env["IMAGE_SSH_KEY"] = key
    env["IMAGE_OUT"] = str(out)
    return subprocess.run(
        [str(ROOT / "scripts/image.sh")], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("key", "said"),
    [
        (None, "IMAGE_SSH_KEY is not set"),
        ("", "IMAGE_SSH_KEY is not set"),
        ("hunter2", "is not an SSH public key"),
        ("ssh-ed25519 AAAAnotbase64!!", "is not an SSH public key"),
    ],
)
def test_a_wrong_key_is_refused_in_one_line(key: str | None, said: str, tmp_path: Path) -> None:
    done = build(key, tmp_path / "totem.img")
    assert done.returncode == 2
    assert done.stdout == "" and len(done.stderr.splitlines()) == 1, done.stderr
    assert said in done.stderr and done.stderr.startswith("image: ")
    assert not (tmp_path / "totem.img").exists()


def test_a_private_key_or_two_keys_are_refused(tmp_path: Path) -> None:
    private = tmp_path / "id"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(private)], check=True)
    done = build(str(private), tmp_path / "totem.img")
    assert done.returncode == 2 and "is not an SSH public key" in done.stderr
    assert "PRIVATE" not in done.stderr  # the key itself is never repeated
    public = (tmp_path / "id.pub").read_text()
    two = tmp_path / "two.pub"
    two.write_text(public + public)
    done = build(str(two), tmp_path / "totem.img")
    assert done.returncode == 2 and "is not an SSH public key" in done.stderr
