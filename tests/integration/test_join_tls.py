"""A branch's https and a satellite in two commands: `kiosk tls make` on the host (a small
authority kept there, the host's certificate it signs, the config set, the key handed to
kiosk-serve as a credential), then `kiosk totem join` on the other totem (the four keys set
at once, only after the host took the token). Real processes, real TLS on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import ALL_WEEK, CONFIG_TEMPLATE
from tests.helpers import free_port

pytestmark = pytest.mark.integration
KIOSK = Path(sys.executable).with_name("kiosk")


def kiosk(config: Path, *args: str, units: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **({"KIOSK_UNIT_DIR": str(units)} if units else {})}
    return subprocess.run(
        [str(KIOSK), "--config", str(config), *args],
        capture_output=True, text=True, timeout=60, check=False, env=env,
    )  # fmt: skip


def totem(folder: Path, kiosk_id: str, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = CONFIG_TEMPLATE.format(hours_a=ALL_WEEK, cap_a=120).replace("test-totem", kiosk_id)
    path = folder / "kiosk.toml"
    path.write_text(text + extra)
    return path


@pytest.fixture
def host(tmp_path: Path) -> Iterator[tuple[Path, str, Path]]:
    """The host, with its own certificate, serving https: (config, url, units folder)."""
    port = free_port()
    units = tmp_path / "systemd"
    units.mkdir()
    config = totem(tmp_path / "host", "test-totem", f'\n[server]\nlisten = "127.0.0.1:{port}"\n')
    made = kiosk(config, "tls", "make", "--name", "127.0.0.1", "--name", "totem-1.lan", "--json",
                 units=units)  # fmt: skip
    assert made.returncode == 0, made.stderr
    server = subprocess.Popen([str(KIOSK), "--config", str(config), "serve"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    url = f"https://127.0.0.1:{port}"
    try:
        assert server.stdout is not None
        assert server.stdout.readline().startswith(f"branch server on {url}")
        yield config, url, units
    finally:
        server.terminate()
        server.communicate(timeout=30)


def wait_for(url: str, ca: Path) -> requests.Response:
    for _ in range(100):
        try:
            return requests.get(f"{url}/api/v1/info", verify=ca, timeout=5)
        except requests.exceptions.ConnectionError:
            time.sleep(0.05)
    raise AssertionError(f"{url} never answered")


def test_tls_make_gives_the_host_a_certificate_its_authority_vouches_for(host) -> None:
    config, url, units = host
    folder = config.parent
    ca, cert, key = folder / "tls/ca.pem", folder / "tls/branch.pem", folder / "secrets/branch.key"
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    assert oct((folder / "secrets/ca.key").stat().st_mode & 0o777) == "0o600"
    assert wait_for(url, ca).status_code == 200  # verified against the branch's authority
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{url}/api/v1/info", timeout=5)  # the system's store does not know it
    text = config.read_text()
    assert f'tls_cert_file = "{cert}"' in text and f'tls_key_file = "{key}"' in text
    dropin = units / "kiosk-serve.service.d" / "branch-tls-key.conf"
    assert f"LoadCredential=branch-tls-key:{key}\n" in dropin.read_text()
    again = kiosk(config, "tls", "make", "--name", "192.168.1.10", "--json", units=units)
    assert again.returncode == 0 and json.loads(again.stdout)["new_ca"] is False
    verified = subprocess.run(["openssl", "verify", "-CAfile", str(ca), str(cert)],
                              capture_output=True, text=True, check=False)  # fmt: skip
    assert verified.returncode == 0, verified.stderr  # what trusts the authority still does


def test_tls_make_refuses_a_name_that_cannot_be_in_a_certificate(tmp_path: Path) -> None:
    config = totem(tmp_path / "host", "test-totem")
    before = config.read_text()
    for name in ("not a name!", "999.1.1.1", ""):
        done = kiosk(config, "tls", "make", "--name", name)
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--name" in done.stderr
    assert config.read_text() == before and not (config.parent / "tls").exists()


def test_totem_join_makes_a_satellite_in_one_step_only_once_the_host_took_it(
    host, tmp_path: Path
) -> None:
    config, url, units = host
    ca = config.parent / "tls/ca.pem"
    wait_for(url, ca)
    token = kiosk(config, "totem", "add", "test-totem-2")
    assert token.returncode == 0, token.stderr
    satellite = totem(tmp_path / "satellite", "test-totem-2")
    token_file = tmp_path / "satellite" / "branch-token"
    token_file.write_text("wrong-token\n")
    token_file.chmod(0o600)
    before = satellite.read_text()
    untrusted = kiosk(satellite, "totem", "join", url, "--token-file", str(token_file))
    assert untrusted.returncode == 1 and "certificate is not trusted" in untrusted.stderr
    assert "--ca-file" in untrusted.stderr and untrusted.stderr.count("\n") == 1
    bad_port = kiosk(satellite, "totem", "join", "https://127.0.0.1:99999", "--token-file",
                     str(token_file), "--ca-file", str(ca))  # fmt: skip
    assert bad_port.returncode == 2 and "port" in bad_port.stderr
    refused = kiosk(satellite, "totem", "join", url, "--token-file", str(token_file),
                    "--ca-file", str(ca), units=units)  # fmt: skip
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "does not accept this totem's token" in refused.stderr
    assert satellite.read_text() == before  # nothing written
    away = kiosk(satellite, "totem", "join", "https://127.0.0.1:9", "--token-file",
                 str(token_file), "--ca-file", str(ca))  # fmt: skip
    assert away.returncode == 1 and satellite.read_text() == before
    token_file.write_text(token.stdout)
    joined = kiosk(satellite, "totem", "join", url, "--token-file", str(token_file),
                   "--ca-file", str(ca), "--json", units=units)  # fmt: skip
    assert joined.returncode == 0, joined.stderr
    text = satellite.read_text()
    assert 'role = "satellite"' in text and f'url = "{url}"' in text and str(ca) in text
    dropin = units / "kiosk-ui.service.d" / "branch-token.conf"
    assert f"LoadCredential=branch-token:{token_file}\n" in dropin.read_text()
    issued = kiosk(satellite, "issue", "A", "--json")
    assert issued.returncode == 0, issued.stderr
    assert json.loads(issued.stdout)["ticket"] == "A001"  # the host's queue numbered it
    status = kiosk(config, "status", "--json")
    assert '"issued": 1' in status.stdout


def test_no_drop_in_for_a_configuration_no_unit_runs_on(tmp_path: Path) -> None:
    """A technician's test configuration (not /etc/kiosk/kiosk.toml) never touches the units'
    drop-ins, whether or not systemd runs here."""
    config = totem(tmp_path / "host", "test-totem")
    seen = Path("/etc/systemd/system/kiosk-serve.service.d/branch-tls-key.conf")
    before = seen.read_bytes() if seen.exists() else None
    done = kiosk(config, "tls", "make", "--name", "127.0.0.1", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["dropin"] is None
    assert (seen.read_bytes() if seen.exists() else None) == before
