"""The branch server serves https from configured files, so desk tablets never send their
token in the clear; a half TLS configuration is a configuration error."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.helpers import free_port

pytestmark = pytest.mark.integration
KIOSK = Path(sys.executable).with_name("kiosk")


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "branch.pem", folder / "branch.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    key.chmod(0o600)
    return cert, key


def test_the_branch_server_serves_https(write_config, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    port, phones = free_port(), free_port()
    text = write_config().read_text() + (
        f'\n[server]\nlisten = "127.0.0.1:{port}"\nphone_listen = "127.0.0.1:{phones}"\n'
        f'tls_cert_file = "{cert}"\ntls_key_file = "{key}"\n'
    )
    path = tmp_path / "tls.toml"
    path.write_text(text)
    server = subprocess.Popen([str(KIOSK), "--config", str(path), "serve"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert server.stdout is not None
        assert server.stdout.readline().startswith(f"branch server on https://127.0.0.1:{port}")
        assert server.stdout.readline().startswith(f"phones only on https://127.0.0.1:{phones}")
        for _ in range(50):
            try:
                answer = requests.get(
                    f"https://127.0.0.1:{port}/api/v1/info", verify=cert, timeout=5
                )
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert answer.status_code == 200 and "branch_name" in answer.json()
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/api/v1/info", timeout=5)  # no plain http
        guest = f"https://127.0.0.1:{phones}"  # the phones' listener, for the guest Wi-Fi
        assert requests.get(f"{guest}/api/v1/info", verify=cert, timeout=5).status_code == 404
        forged = requests.get(f"{guest}/t/{'1' * 26}", verify=cert, timeout=5)
        assert forged.status_code == 404 and 'id="status">null<' in forged.text
    finally:
        server.terminate()
        server.communicate(timeout=30)  # and closes its pipes


def test_half_a_tls_configuration_is_refused(write_config, tmp_path: Path) -> None:
    path = tmp_path / "half.toml"
    path.write_text(write_config().read_text() + '\n[server]\ntls_cert_file = "/etc/x.pem"\n')
    done = subprocess.run([str(KIOSK), "config", "check", str(path), "--json"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 2
    error = json.loads(done.stdout)
    assert error["key"] == "server.tls_key_file" and "tls_cert_file" in error["error"]
