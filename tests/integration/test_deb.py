"""`make deb`: the package a town installs. Its layout, its conffile, what it depends on, the
program it carries running from the extracted tree, and its maintainer scripts keeping the
day (only a purge deletes /var/lib/kiosk). Installing, upgrading and purging it on a booted
system is tests/machine's."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).parents[2]
VERSION = re.search(r'^version = "(.*)"', (ROOT / "pyproject.toml").read_text(), re.M)[1]  # type: ignore[index]
UNITS = ("kiosk-ui.service", "kiosk-sync.service", "kiosk-serve.service", "kiosk-purge.service",
         "kiosk-purge.timer", "kiosk-secrets.service")  # fmt: skip


@pytest.fixture(scope="module")
def deb() -> Path:
    done = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "deb"],
        capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    path = ROOT / "dist" / f"kiosk_{VERSION}_amd64.deb"
    assert path.is_file()
    return path


@pytest.fixture(scope="module")
def tree(deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("deb")
    subprocess.run(["dpkg-deb", "-R", str(deb), str(tree)], check=True)
    return tree


def field(deb: Path, name: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "-f", str(deb), name], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_layout(tree: Path) -> None:
    kiosk = tree / "opt/kiosk/bin/kiosk"
    assert kiosk.read_text().splitlines()[0] == "#!/opt/kiosk/bin/python"  # not the build tree
    assert (tree / "usr/bin/kiosk").readlink() == Path("/opt/kiosk/bin/kiosk")
    cfg = (tree / "opt/kiosk/pyvenv.cfg").read_text()
    assert "home = /usr/bin" in cfg, cfg  # made with Debian's /usr/bin/python3
    for unit in UNITS:
        assert (tree / "lib/systemd/system" / unit).read_bytes() == (
            ROOT / "systemd" / unit
        ).read_bytes()
    assert (tree / "lib/udev/rules.d/60-kiosk.rules").read_bytes() == (
        ROOT / "systemd/60-kiosk.rules"
    ).read_bytes()
    sysusers = (tree / "usr/lib/sysusers.d/kiosk.conf").read_text()
    assert "u kiosk" in sysusers and "m kiosk dialout" in sysusers
    tmpfiles = (tree / "usr/lib/tmpfiles.d/kiosk.conf").read_text()
    assert "d /var/lib/kiosk 0750 kiosk kiosk" in tmpfiles
    assert (tree / "usr/share/doc/kiosk/technician.md").is_file()  # as the units' Documentation=
    # Only the runtime dependencies: no test tools in the totem's environment.
    site = tree / "opt/kiosk/lib/python3.11/site-packages"
    assert (site / "PySide6").is_dir() and (site / "kiosk/server/static/display.html").is_file()
    assert not (site / "pytest").exists() and not (site / "mypy").exists()
    assert not (tree / "var/lib/kiosk").exists()  # the day is never in the package


def test_configuration_is_a_conffile_left_unconfigured(tree: Path) -> None:
    """The example, with the totem's id and branch for the technician to set: until then the
    configuration is refused, naming both, and the screen says "not configured"."""
    from kiosk.config import ConfigError, load

    assert (tree / "DEBIAN/conffiles").read_text().split() == ["/etc/kiosk/kiosk.toml"]
    shipped = (tree / "etc/kiosk/kiosk.toml").read_text()
    example = (ROOT / "config/kiosk.example.toml").read_text()
    changed = [a for a, b in zip(shipped.splitlines(), example.splitlines(), strict=True) if a != b]
    assert changed == ['id = ""', 'branch = ""']
    with pytest.raises(ConfigError) as refused:
        load(tree / "etc/kiosk/kiosk.toml")
    assert [p.split(":")[0] for p in refused.value.problems] == ["kiosk.id", "kiosk.branch"]


def test_depends_on_what_the_units_need(deb: Path) -> None:
    depends = {d.split()[0] for d in field(deb, "Depends").split(", ")}
    # found by booting: cage will not start without Xwayland; seatd gives it the seat
    assert {
        "cage",
        "xwayland",
        "seatd",
        "espeak-ng",
        "fonts-noto-core",
        "python3.11",
        "fonts-material-design-icons-iconfont",
    } <= depends
    assert field(deb, "Version") == VERSION


def test_the_packaged_program_runs(tree: Path) -> None:
    done = subprocess.run(
        [str(tree / "opt/kiosk/bin/python"), "-m", "kiosk", "--config",
         str(ROOT / "config/kiosk.example.toml"), "config", "check"],  # as once configured
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_only_a_purge_deletes_the_day(tree: Path, tmp_path: Path) -> None:
    """The postrm, run as dpkg runs it, on a stand-in root (the script names absolute paths,
    so it runs with them rewritten into a folder)."""
    script = (tree / "DEBIAN/postrm").read_text()
    assert "rm -rf /var/lib/kiosk /var/lib/kiosk-witness /etc/kiosk" in script
    script = script.replace("/var/lib/kiosk", str(tmp_path / "var/lib/kiosk")).replace(
        "/etc/kiosk", str(tmp_path / "etc/kiosk")
    )
    day = tmp_path / "var/lib/kiosk/kiosk.sqlite3"
    day.parent.mkdir(parents=True)
    day.write_bytes(b"today")
    witness = tmp_path / "var/lib/kiosk-witness/kiosk.sqlite3.marker"
    witness.parent.mkdir(parents=True)
    witness.write_bytes(b"today's numbers")
    (tmp_path / "postrm").write_text(script)
    stubs = tmp_path / "bin"  # systemd's helpers must not touch this machine's units
    stubs.mkdir()
    for tool in ("deb-systemd-helper", "deb-systemd-invoke", "systemctl"):
        (stubs / tool).write_text("#!/bin/sh\nexit 0\n")
        (stubs / tool).chmod(0o755)
    env = {"PATH": f"{stubs}:/usr/bin:/bin"}
    for action in ("remove", "upgrade", "failed-upgrade"):
        subprocess.run(["/bin/sh", str(tmp_path / "postrm"), action], env=env, check=True)
        assert day.read_bytes() == b"today", action
        assert witness.read_bytes() == b"today's numbers", action
    subprocess.run(["/bin/sh", str(tmp_path / "postrm"), "purge"], env=env, check=True)
    assert not day.parent.exists() and not witness.parent.exists()


def test_postinst_makes_the_totems_own_secrets(tree: Path, tmp_path: Path) -> None:
    python = tree / "opt/kiosk/bin/python"
    folder = tmp_path / "secrets"
    for _ in range(2):  # a second configure keeps them
        subprocess.run([str(python), "-m", "kiosk.secrets", str(folder)], check=True)
        if not _:
            first = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == first
    assert sorted(first) == ["central-token", "ticket-key"]
    assert all((folder / n).stat().st_mode & 0o777 == 0o600 for n in first)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (
        "/opt/kiosk/bin/python -m kiosk.secrets /etc/kiosk/secrets"
        in (tree / "DEBIAN/postinst").read_text()
    )
