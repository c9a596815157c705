"""`make install` into a DESTDIR, twice: the layout, the modes, the configuration never
overwritten, the installed program runs and its units verify; uninstall keeps the data
unless asked."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).parents[2]


def make(*args: str, dest: Path) -> str:
    env = {**os.environ, "DESTDIR": str(dest)}
    done = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *args, f"DESTDIR={dest}"],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def snapshot(dest: Path) -> dict[str, tuple[int, int]]:
    """Every file outside the venv's byte-code caches, with its size and mtime."""
    return {
        str(p.relative_to(dest)): (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in dest.rglob("*")
        if "__pycache__" not in p.parts and not p.is_dir()
    }


@pytest.fixture(scope="module")
def dest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("root")
    out = make("install", dest=dest)
    assert "wrote /etc/kiosk/kiosk.toml" in out
    return dest


def test_layout_and_modes(dest: Path) -> None:
    kiosk = dest / "opt/kiosk/bin/kiosk"
    assert os.access(kiosk, os.X_OK)
    assert kiosk.read_text().splitlines()[0] == "#!/opt/kiosk/bin/python"  # not the DESTDIR
    assert os.readlink(dest / "usr/local/bin/kiosk") == "/opt/kiosk/bin/kiosk"
    assert (dest / "etc/kiosk/kiosk.toml").read_text() == (
        ROOT / "config/kiosk.example.toml"
    ).read_text()
    assert mode(dest / "etc/kiosk/secrets") == 0o700
    for secret in ("ticket-key", "central-token"):
        assert mode(dest / "etc/kiosk/secrets" / secret) == 0o600
        assert len((dest / "etc/kiosk/secrets" / secret).read_text().strip()) >= 40
    assert mode(dest / "var/lib/kiosk") == 0o750
    for unit in ("kiosk-ui.service", "kiosk-sync.service", "kiosk-serve.service",
                 "kiosk-purge.service", "kiosk-purge.timer"):  # fmt: skip
        assert (dest / "etc/systemd/system" / unit).read_bytes() == (
            ROOT / "systemd" / unit
        ).read_bytes()
    assert (dest / "etc/udev/rules.d/60-kiosk.rules").is_file()
    assert "u kiosk" in (dest / "usr/lib/sysusers.d/kiosk.conf").read_text()
    assert (dest / "usr/share/doc/kiosk/technician.md").is_file()
    # Only the runtime dependencies: no test tools in the totem's environment.
    site = next((dest / "opt/kiosk/lib").glob("python3*/site-packages"))
    assert (site / "PySide6").is_dir() and (site / "kiosk/server/static/display.html").is_file()
    assert not (site / "pytest").exists() and not (site / "mypy").exists()


def test_installed_program_runs_and_checks_its_config(dest: Path) -> None:
    python = dest / "opt/kiosk/bin/python"
    done = subprocess.run(
        [str(python), "-m", "kiosk", "--config", str(dest / "etc/kiosk/kiosk.toml"), "config",
         "check"],
        capture_output=True, text=True, cwd=dest, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    imported = subprocess.run(
        [str(python), "-c", "import kiosk; print(kiosk.__file__)"],
        capture_output=True, text=True, cwd=dest, check=True,
    ).stdout  # fmt: skip
    assert imported.startswith(str(dest / "opt/kiosk/lib"))  # the installed copy, not ours


def test_installed_units_verify(dest: Path, tmp_path: Path) -> None:
    names = [p.name for p in (dest / "etc/systemd/system").iterdir()]
    for name in names:
        text = (dest / "etc/systemd/system" / name).read_text()
        (tmp_path / name).write_text(text.replace("/opt/kiosk/", f"{dest}/opt/kiosk/"))
    done = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / n) for n in names)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0 and not done.stderr, done.stderr


def test_second_install_changes_nothing_and_keeps_edits(dest: Path) -> None:
    config = dest / "etc/kiosk/kiosk.toml"
    config.write_text(config.read_text().replace('branch = "roma-m1"', 'branch = "edited"'))
    rules = dest / "etc/udev/rules.d/60-kiosk.rules"
    rules.write_text(rules.read_text() + "# a technician's line\n")
    key = (dest / "etc/kiosk/secrets/ticket-key").read_text()
    before = snapshot(dest)
    out = make("install", dest=dest)
    assert "is up to date" in out and "kept the existing /etc/kiosk/kiosk.toml" in out
    after = snapshot(dest)
    changed = {k for k in after if before.get(k) != after[k]}
    # Only the shipped copies set beside a technician's files are (re)written.
    assert changed <= {"etc/kiosk/kiosk.example.toml", "etc/udev/rules.d/60-kiosk.rules.new"}
    assert 'branch = "edited"' in config.read_text()
    assert rules.read_text().endswith("# a technician's line\n")
    assert (dest / "etc/kiosk/secrets/ticket-key").read_text() == key


def test_uninstall_keeps_data_unless_asked(dest: Path) -> None:
    (dest / "var/lib/kiosk/kiosk.sqlite3").write_bytes(b"data")
    make("uninstall", dest=dest)
    assert not (dest / "opt/kiosk").exists()
    assert not (dest / "etc/systemd/system/kiosk-ui.service").exists()
    assert not (dest / "usr/local/bin/kiosk").is_symlink()
    assert (dest / "var/lib/kiosk/kiosk.sqlite3").read_bytes() == b"data"
    assert (dest / "etc/kiosk/kiosk.toml").is_file()
    assert (dest / "etc/kiosk/secrets/central-token").is_file()
    make("uninstall", "PURGE_DATA=1", dest=dest)
    assert not (dest / "var/lib/kiosk").exists() and not (dest / "etc/kiosk").exists()
