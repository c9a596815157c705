"""A satellite totem issues and scans through the host and prints on its own printer; with the
host away it refuses within 5 s and prints nothing."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from kiosk import secrets
from kiosk.config import Config, load
from kiosk.server import satellites
from kiosk.server.app import make_app
from kiosk.serving import ThreadedServer
from kiosk.store import Store
from kiosk.totem import Totem
from tests.conftest import ALL_WEEK, CONFIG_TEMPLATE, Clock
from tests.helpers import free_port, run_kiosk

pytestmark = pytest.mark.integration


def satellite_config(tmp_path: Path, host_url: str, token: str) -> Path:
    (tmp_path / "sat" / "secrets").mkdir(parents=True)
    (tmp_path / "sat" / "secrets" / "branch-token").write_text(token)
    (tmp_path / "sat" / "secrets" / "branch-token").chmod(0o600)
    text = CONFIG_TEMPLATE.format(hours_a=ALL_WEEK, cap_a=999)
    text = text.replace('id = "test-totem"', 'id = "test-totem-2"\nrole = "satellite"')
    text = text.replace('data_dir = "data"', 'data_dir = "sat/data"')
    text = text.replace('uri = "none://"', 'uri = "sim://"', 1)
    path = tmp_path / "satellite.toml"
    path.write_text(
        text + f'\n[branch]\nurl = "{host_url}"\ntoken_file = "sat/secrets/branch-token"\n'
    )
    return path


@pytest.fixture
def host(config: Config, store: Store, clock: Clock, tmp_path: Path):
    key = secrets.ensure(config.ticket_key_file)
    server = ThreadedServer(make_app(config, clock, key=key), graceful_timeout=1).start()
    token = satellites.add(store, "test-totem-2")
    yield server, satellite_config(tmp_path, server.url, token), key
    server.stop()


def test_a_satellite_issues_through_the_host_and_prints_here(
    capsys, host, config: Config, store: Store, tmp_path: Path
) -> None:
    _server, sat, _key = host
    code, out, err = run_kiosk(capsys, "--config", str(sat), "issue", "A", "--json")
    assert code == 0, out + err
    got = json.loads(out)
    assert (got["ticket"], got["printed"]) == ("A001", True)
    assert list((tmp_path / "sat" / "data" / "printer-sim").glob("job-*.png"))  # its own printer
    assert [r["code"] for r in store.query("SELECT code FROM tickets")] == ["A001"]
    assert not (tmp_path / "sat" / "data" / "kiosk.sqlite3").exists()  # no queue of its own
    code, out, _ = run_kiosk(capsys, "--config", str(sat), "scan", got["payload"], "--json")
    assert code == 0 and json.loads(out)["reason"] == "still_waiting"


def test_a_satellite_config_needs_its_host(tmp_path: Path) -> None:
    path = satellite_config(tmp_path, "http://127.0.0.1:9", "t")
    path.write_text(path.read_text().split("[branch]")[0])
    from kiosk.config import ConfigError

    with pytest.raises(ConfigError) as found:
        load(path)
    assert 'branch.url: required with kiosk.role = "satellite"' in found.value.problems


def test_with_the_host_away_a_satellite_refuses_within_5_s_and_prints_nothing(
    capsys, tmp_path: Path
) -> None:
    sat = satellite_config(tmp_path, f"http://127.0.0.1:{free_port()}", "token")
    started = time.monotonic()
    code, out, err = run_kiosk(capsys, "--config", str(sat), "issue", "A")
    assert time.monotonic() - started < 5
    assert code == 1 and err.startswith("branch: the host http://127.0.0.1:") and out == ""
    assert err.count("\n") == 1
    assert not list((tmp_path / "sat").glob("**/job-*"))


def test_a_wrong_token_is_said_plainly(capsys, host, tmp_path: Path) -> None:
    _server, sat, _key = host
    (tmp_path / "sat" / "secrets" / "branch-token").write_text("not-the-token")
    code, _, err = run_kiosk(capsys, "--config", str(sat), "issue", "A")
    assert code == 1 and "does not accept this totem's token" in err


def test_host_and_satellite_at_once_are_gapless(capsys, host, config: Config, clock: Clock) -> None:
    """20 from the host's own touches and 20 from the satellite at the same time: A001-A040."""
    _server, sat, key = host
    from kiosk.satellite import SatelliteTotem

    errors: list[BaseException] = []

    def at_host() -> None:
        with Store(config.database) as mine:
            totem = Totem(config, mine, key, clock=clock)
            for _ in range(20):
                totem.issue_walkin("A")

    def at_satellite() -> None:
        try:
            totem = SatelliteTotem(load(sat), clock=clock)
            for _ in range(20):
                totem.issue_walkin("A")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=at_host), threading.Thread(target=at_satellite)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store(config.database) as s:
        codes = [r["code"] for r in s.query("SELECT code FROM tickets ORDER BY number")]
    assert codes == [f"A{n:03d}" for n in range(1, 41)]


def test_the_doctor_of_a_satellite_checks_its_host(capsys, host, tmp_path: Path) -> None:
    _server, sat, _key = host
    code, out, _ = run_kiosk(capsys, "--config", str(sat), "doctor", "--json")
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    assert checks["host"]["status"] == "ok" and "token accepted" in checks["host"]["detail"]
    assert "database" not in checks and "central" not in checks  # it has neither
    assert "host" in checks["clock"]["detail"] or checks["clock"]["status"] == "ok"
    (tmp_path / "sat" / "secrets" / "branch-token").write_text("stale")
    code, out, _ = run_kiosk(capsys, "--config", str(sat), "doctor", "--json")
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    assert checks["host"]["status"] == "failed"
    assert "kiosk totem add test-totem-2 --replace" in checks["host"]["fix"]


def test_a_satellite_trusts_the_host_s_certificate_by_its_ca_file(
    capsys, config: Config, store: Store, clock: Clock, tmp_path: Path
) -> None:
    from tests.integration.test_branch_tls import self_signed

    cert, key_file = self_signed(tmp_path)
    key = secrets.ensure(config.ticket_key_file)
    server = ThreadedServer(
        make_app(config, clock, key=key), tls=(cert, key_file), graceful_timeout=1
    ).start()
    try:
        sat = satellite_config(tmp_path, server.url, satellites.add(store, "test-totem-2"))
        assert server.url.startswith("https://")
        code, _, err = run_kiosk(capsys, "--config", str(sat), "issue", "A")
        assert code == 1 and "SSLError" in err  # an unknown certificate is not trusted
        sat.write_text(sat.read_text() + f'ca_file = "{cert}"\n')
        code, out, err = run_kiosk(capsys, "--config", str(sat), "issue", "A", "--json")
        assert code == 0, out + err
        assert json.loads(out)["ticket"] == "A001"
    finally:
        server.stop()


def test_a_satellite_keeps_no_queue_and_says_where_it_is(capsys, tmp_path: Path) -> None:
    sat = satellite_config(tmp_path, "http://127.0.0.1:9", "t")
    for args in (["serve"], ["desk", "add", "1"], ["totem", "list"], ["status"],
                 ["store", "reset", "--yes"], ["sync", "--once"]):  # fmt: skip
        code, out, err = run_kiosk(capsys, "--config", str(sat), *args)
        assert code == 2, args
        assert "satellite of http://127.0.0.1:9" in err and err.count("\n") == 1, args
    code, out, _ = run_kiosk(capsys, "--config", str(sat), "purge")
    assert code == 0 and "a satellite keeps no queue" in out
    assert not (tmp_path / "sat" / "data" / "kiosk.sqlite3").exists()
