"""The logs of a whole demo run hold none of its codes or tokens.

`kiosk demo` runs everything (reference central server, branch server, sync agent, the touch
UI offscreen, simulated printer and scanner) at DEBUG level, and a technician's commands run
beside it: tickets issued and scanned, a booking checked in, a desk calling, a refused
token, doctor and status. Everything any of them wrote to stderr (the journal under systemd)
is then searched for every payload, booking code, scanned text, token and key of the run.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import requests

from kiosk import secrets
from kiosk.core import payload
from kiosk.store import Store
from tests.helpers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).parents[2]
KIOSK = Path(sys.executable).with_name("kiosk")
SCANNED_JUNK = "SECRET-SCAN-7731"


def test_no_code_or_token_in_the_logs_of_a_demo_run(tmp_path: Path) -> None:
    central, branch = free_port(), free_port()
    (tmp_path / "config").mkdir()
    path = tmp_path / "config" / "demo.toml"
    path.write_text(
        (ROOT / "config/demo.toml").read_text()
        .replace("127.0.0.1:8765", f"127.0.0.1:{central}")
        .replace("127.0.0.1:8080", f"127.0.0.1:{branch}")
    )  # fmt: skip
    env = {
        **os.environ,
        "KIOSK_LOG_LEVEL": "DEBUG",
        "QT_QPA_PLATFORM": "offscreen",
        "WAYLAND_DISPLAY": "kiosk-test",  # the demo starts the touch UI when there is a screen
    }
    demo = subprocess.Popen(
        [str(KIOSK), "--config", str(path), "demo"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    logs: list[str] = []  # every stderr line of every process
    stdout: list[str] = []
    desk_token = ""
    try:
        assert demo.stdout is not None
        for line in demo.stdout:
            stdout.append(line)
            if "desk console:" in line:
                desk_token = line.split("(token: ")[1].rstrip(")\n")
                break
        assert desk_token, "".join(stdout)

        def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
            done = subprocess.run(
                [str(KIOSK), "--config", str(path), *args],
                env=env, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            logs.extend(done.stderr.splitlines())
            return done

        issued = json.loads(kiosk("issue", "A", "--json").stdout)  # stdout: the contract's JSON
        assert kiosk("scan", issued["payload"]).returncode == 0
        kiosk("scan", SCANNED_JUNK)
        kiosk("scan", "BOOK-DEMO-0001")  # already checked in by the demo
        base = f"http://127.0.0.1:{branch}/api/v1/desks/1"
        auth = {"Authorization": f"Bearer {desk_token}"}
        assert requests.post(f"{base}/next", headers=auth, timeout=10).status_code == 200
        assert requests.post(f"{base}/done", headers=auth, timeout=10).status_code in (200, 204)
        wrong = {"Authorization": "Bearer not-the-token-of-desk-1"}
        assert requests.post(f"{base}/next", headers=wrong, timeout=10).status_code == 401
        for args in (["status"], ["sync", "status"], ["doctor"], ["printer", "status"]):
            kiosk(*args)
        for _ in range(150):  # the demo's sync agent sends the new events
            status = json.loads(kiosk("sync", "status", "--json").stdout)
            if status["backlog"] == 0:
                break
            time.sleep(0.2)
    finally:
        demo.send_signal(signal.SIGTERM)
        out, err = demo.communicate(timeout=60)
    stdout.append(out)
    logs.extend(err.splitlines())
    assert demo.returncode == 0, err

    # What the run used and must never log.
    data = tmp_path / ".demo"
    key = secrets.read(data / "secrets" / "ticket-key")
    central_token = secrets.read(data / "secrets" / "central-token").decode()
    with Store(data / "data" / "kiosk.sqlite3") as store:
        tickets = store.query("SELECT day, code FROM tickets")
    payloads = [
        payload.sign(key, "demo-branch", date.fromisoformat(t["day"]), t["code"]) for t in tickets
    ]
    assert issued["payload"] in payloads and len(payloads) >= 4
    forbidden = [*payloads, "BOOK-DEMO-0001", SCANNED_JUNK, central_token, desk_token,
                 key.decode()]  # fmt: skip

    text = "\n".join(logs)
    # The run did log: every process, one line per event, with levels.
    for expected in ("sync: ", "touch UI started", "scan of a ", "scan refused"):
        assert expected in text, expected
    # No ticket number either: the journal outlives the day's purge, and an issue's line with
    # its time was the day's arrivals again (issue 23).
    codes = {t["code"] for t in tickets}
    assert len(codes) >= 4
    logged = [code for code in codes if re.search(rf"\b{code}\b", text)]
    assert logged == [], f"ticket numbers in the logs: {logged}"
    odd = [ln for ln in logs if ln.split(" ", 1)[0] not in ("DEBUG", "INFO", "WARNING", "ERROR")]
    assert odd == []
    for secret in forbidden:
        assert secret not in text, f"{secret[:6]}... found in the logs"
        # Nor a recognisable part of it (half a payload, a token's first 12 characters).
        assert secret[: max(12, len(secret) // 2)] not in text
    # The console: the desk token is shown once, on purpose, for the newcomer to open the desk
    # page (as `kiosk desk add` prints it), and so are two tickets' phone pages (the URL a QR
    # holds: the branch's, and the central's with the seal after the #); nothing else secret.
    console = "".join(stdout)
    assert console.count(desk_token) == 1
    [phone] = [ln.strip() for ln in console.splitlines() if "the QR holds" in ln]
    [outside] = [ln.strip() for ln in console.splitlines() if "central's page holds" in ln]
    shown = [phone.rsplit("/", 1)[1], outside.rsplit("#", 1)[1].split(".")[0]]
    assert all(s in payloads and console.count(s) == 1 for s in shown)
    for secret in forbidden:
        if secret != desk_token and secret not in shown:
            assert secret not in console
