"""The HTTP client for the central server (docs/central-api.md), with every answer sorted.

Every request has connect and read timeouts; TLS certificates are verified against the system
store or the configured CA file. The bearer token is read from its file on each request, so a
technician fixing the file un-pauses sending without a restart.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from sync import backoff

log = logging.getLogger(__name__)
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0


@dataclass(frozen=True)
class Answer:
    """What the server said about a batch.

    ``kind``: acked | rejected | auth | too_large | seq_went_back | retry | network
    """

    kind: str
    acked: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    error: str = ""
    status: int | None = None
    retry_after: float | None = None
    last_seq: int | None = None  # seq_went_back: the highest seq the central holds


@dataclass(frozen=True)
class Appointments:
    """``changed`` False means 304 Not Modified."""

    changed: bool
    etag: str | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    hash: Any = None  # the day's booking hash (kiosk.core.bookings.CodeHash.parse checks it)


class TokenMissing(Exception):
    """The token file is missing, unreadable or empty."""


class CentralClient:
    def __init__(
        self,
        url: str,
        token_file: Path,
        ca_file: Path | None = None,
        timeouts: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
    ) -> None:
        self.url = url.rstrip("/")
        self.timeouts = timeouts
        self.token_file = token_file
        self.session = requests.Session()
        # Passed on every request: a session-wide setting would lose to REQUESTS_CA_BUNDLE.
        self.verify: str | bool = str(ca_file) if ca_file else True
        self.session.headers["User-Agent"] = "totem-sync"

    def close(self) -> None:
        self.session.close()

    def token(self) -> str:
        try:
            token = self.token_file.read_text().strip()
        except OSError as exc:
            raise TokenMissing(f"{self.token_file}: {exc.strerror}") from None
        if not token:
            raise TokenMissing(f"{self.token_file}: empty")
        return token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    def post_events(self, body: bytes, idempotency_key: str) -> Answer:
        """Send one batch (already encoded by the allow-list)."""
        try:
            headers = {
                **self._headers(),
                "Idempotency-Key": idempotency_key,
                "Content-Type": "application/json",
            }
        except TokenMissing as exc:
            return Answer("auth", error=str(exc))
        try:
            response = self.session.post(
                f"{self.url}/v1/events",
                data=body,
                headers=headers,
                timeout=self.timeouts,
                verify=self.verify,
            )
        except requests.exceptions.SSLError as exc:
            return Answer("network", error=f"TLS: {type(exc).__name__}")
        except requests.exceptions.RequestException as exc:
            return Answer("network", error=type(exc).__name__)
        return self._sort(response)

    def _sort(self, response: requests.Response) -> Answer:
        status = response.status_code
        if status == 200:
            try:
                acked = response.json()["acked"]
                if not isinstance(acked, list):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                return Answer("retry", error="200 without an acked list", status=status)
            return Answer("acked", acked=tuple(str(a) for a in acked), status=status)
        if status in (400, 422):
            try:
                data = response.json()
                rejected = tuple(str(r) for r in data.get("rejected", []))
                error = str(data.get("error", ""))[:200]
            except (ValueError, AttributeError):
                rejected, error = (), response.reason or ""
            return Answer("rejected", rejected=rejected, error=error, status=status)
        if status in (401, 403):
            return Answer("auth", error=f"HTTP {status}", status=status)
        if status == 413:
            return Answer("too_large", status=status)
        if status == 409:
            try:
                data = response.json()
                if data.get("error") == "seq_went_back" and isinstance(data["last_seq"], int):
                    return Answer("seq_went_back", status=status, last_seq=data["last_seq"])
            except (ValueError, KeyError, AttributeError):
                pass
        asked = backoff.retry_after(response.headers.get("Retry-After"), datetime.now(UTC))
        return Answer("retry", error=f"HTTP {status}", status=status, retry_after=asked)

    def probe(self, branch: str, day: str, etag: str | None = None) -> requests.Response:
        """One authenticated GET of the day's appointments, as it comes (for ``kiosk doctor``).

        Raises:
            requests.RequestException: not reachable; TokenMissing: no token file.
        """
        headers = self._headers()
        if etag:
            headers["If-None-Match"] = etag
        return self.session.get(
            f"{self.url}/v1/branches/{branch}/appointments",
            params={"day": day},
            headers=headers,
            timeout=self.timeouts,
            verify=self.verify,
        )

    def get_appointments(self, branch: str, day: str, etag: str | None) -> Appointments:
        """Today's appointments; raises requests exceptions and ``AppointmentsError``."""
        response = self.probe(branch, day, etag)
        if response.status_code == 304:
            return Appointments(False, etag)
        if response.status_code != 200:
            raise AppointmentsError(f"HTTP {response.status_code}")
        try:
            data = response.json()
        except json.JSONDecodeError:
            raise AppointmentsError("not JSON") from None
        if (
            not isinstance(data, dict)
            or data.get("day") != day
            or not isinstance(data.get("appointments"), list)
        ):
            raise AppointmentsError("not the appointments of the day asked for")
        return Appointments(
            True, response.headers.get("ETag"), data["appointments"], data.get("hash")
        )


class AppointmentsError(Exception):
    """The central server's appointments answer is unusable."""
