"""The doctor's central server check, plugged into ``kiosk doctor`` (entry point
``kiosk.checks``): is the server reachable over verified TLS, and does it take the token."""

from __future__ import annotations

import contextlib
import time
from datetime import datetime
from email.utils import parsedate_to_datetime

import requests

from kiosk import secrets
from kiosk.config import Config
from kiosk.doctor import Check, failed, ok
from kiosk.permission import AS_WHOM
from sync.client import CentralClient, TokenMissing


def central_check(config: Config) -> tuple[Check, datetime | None]:
    """The check, and the server's clock (its Date header) when it answered."""
    token_fix = (
        f"put the token the central operator issued for kiosk {config.kiosk_id} in"
        f" {config.central_token_file} (one line, chmod 600), then"
        " systemctl restart kiosk-sync"
    )
    try:
        secrets.read(config.central_token_file)
    except secrets.SecretError as exc:
        return failed("central", f"token: {exc}", AS_WHOM if exc.denied else token_fix), None
    client = CentralClient(
        config.central_url, config.central_token_file, config.central_ca_file, timeouts=(5.0, 10.0)
    )
    day = datetime.now(config.timezone).date().isoformat()
    started = time.monotonic()
    try:
        response = client.probe(config.branch, day)
    except requests.exceptions.SSLError:
        return failed(
            "central",
            f"{config.central_url}: TLS certificate not trusted",
            "install the central server's CA and set central.ca_file to it",
        ), None
    except (requests.RequestException, TokenMissing) as exc:
        return failed(
            "central",
            f"{config.central_url}: not reachable ({type(exc).__name__})",
            "check the network cable, DNS and firewall (HTTPS out), and central.url;"
            " events wait in the outbox meanwhile and nothing is lost",
        ), None
    finally:
        client.close()
    elapsed = (time.monotonic() - started) * 1000
    server_date = None
    with contextlib.suppress(KeyError, TypeError, ValueError):
        server_date = parsedate_to_datetime(response.headers["Date"])
    if response.status_code in (401, 403):
        return failed(
            "central",
            f"{config.central_url}: the token was refused (HTTP {response.status_code})",
            token_fix,
        ), server_date
    if response.status_code >= 400:
        return failed(
            "central",
            f"{config.central_url}: HTTP {response.status_code}",
            "check central.url (it ends before /v1); ask the central operator",
        ), server_date
    return ok(
        "central", f"{config.central_url}: reachable, token accepted ({elapsed:.0f} ms)"
    ), server_date
