"""The store-and-forward agent: the outbox reaches the central server exactly once, in order.

A row leaves the outbox only when the server has acknowledged its id, in the same transaction
that records the success; a crash at any point resends at most one batch, which the server
recognises by event id. Nothing but what :mod:`sync.allowlist` emits is ever sent.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kiosk.config import Config
from kiosk.store import Store
from kiosk.store.outbox import add_event, rfc3339
from sync import allowlist, backoff
from sync import state as shared
from sync.appointments import refresh_appointments
from sync.client import CentralClient, TokenMissing

log = logging.getLogger(__name__)
HEALTH_EVERY = timedelta(minutes=15)
APPOINTMENTS_EVERY = timedelta(minutes=5)
IDLE_CHECK = 0.5  # seconds between looks at PRAGMA data_version while the outbox is empty
TOKEN_CHECK = 2.0  # seconds between looks at the token file while paused


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Step:
    """What one attempt did: sent (acked n), parked, idle, paused, retry (wait seconds)."""

    kind: str
    count: int = 0
    wait: float = 0.0


class SyncAgent:
    """Drains the outbox to the central server.

    Args:
        config: the totem configuration.
        store: the database.
        client: the central server's client.
        clock: the current instant.
        rng: randomness for the backoff jitter.
    """

    def __init__(
        self,
        config: Config,
        store: Store,
        client: CentralClient,
        clock: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.client = client
        self.clock = clock
        self.rng = rng or random.Random()
        self.attempt = 0
        self.limit = allowlist.MAX_BATCH_EVENTS
        self.paused_token: str | None = None  # fingerprint of the token the server refused
        self.next_appointments = datetime.min.replace(tzinfo=UTC)

    # -- one batch ----------------------------------------------------------------------------

    def _batch(self) -> list[dict[str, Any]]:
        rows = self.store.query(
            "SELECT seq, id, type, branch, day, at, ticket, service, ref, printer, backlog"
            " FROM outbox WHERE state = 'ready' ORDER BY seq LIMIT ?",
            (self.limit,),
        )
        batch: list[dict[str, Any]] = []
        size = 64  # the envelope
        for row in rows:
            try:
                grows = allowlist.encoded_size(row)
            except allowlist.NotAllowed as exc:
                self._park([row["id"]], f"not allowed: {exc}")
                continue
            if batch and size + grows > allowlist.MAX_BATCH_BYTES:
                break
            batch.append(row)
            size += grows
        return batch

    def _park(self, ids: list[str], error: str) -> None:
        if not ids:
            return
        now = self.clock().isoformat()
        with self.store.write() as conn:
            conn.executemany(
                "UPDATE outbox SET state = 'parked', parked_at = ?, error = ? WHERE id = ?",
                [(now, error[:200], i) for i in ids],
            )
        log.warning("sync: %d event(s) parked: %s", len(ids), error[:200])

    def step(self) -> Step:
        """Send the next batch once and act on the answer."""
        if self.paused_token is not None:
            if self._token_fingerprint() == self.paused_token:
                return Step("paused", wait=TOKEN_CHECK)
            log.info("sync: the token changed; sending again")
            self.paused_token = None
            shared.put(self.store, {"sync.paused_auth": None})
        batch = self._batch()
        if not batch:
            return Step("idle", wait=IDLE_CHECK)
        ids = [row["id"] for row in batch]
        key = str(
            uuid.uuid5(uuid.NAMESPACE_URL, "totem-batch:" + ",".join(ids))
        )  # same batch, same key
        answer = self.client.post_events(allowlist.encode_batch(self.config.kiosk_id, batch), key)
        if answer.kind == "acked":
            acked = [i for i in answer.acked if i in set(ids)]
            self._delete(acked)
            if not acked:
                return self._retry("200 acknowledged none of the batch", None)
            self.attempt = 0
            return Step("sent", len(acked))
        if answer.kind == "rejected":
            rejected = [i for i in answer.rejected if i in set(ids)]
            if not rejected:
                return self._retry(f"HTTP {answer.status} rejected nothing we sent", None)
            self._park(rejected, f"HTTP {answer.status}: {answer.error}")
            return Step("parked", len(rejected))
        if answer.kind == "too_large":
            if len(batch) == 1:
                self._park(ids, "HTTP 413: a single event is too large")
                return Step("parked", 1)
            self.limit = max(1, len(batch) // 2)
            log.info("sync: 413, batches of at most %d events from now on", self.limit)
            return Step("split", self.limit)
        if answer.kind == "auth":
            self.paused_token = self._token_fingerprint()
            shared.put(
                self.store,
                {"sync.paused_auth": answer.error, "sync.last_error": f"paused: {answer.error}"},
            )
            log.error(
                "sync: the central server refused the token (%s); paused until it changes",
                answer.error,
            )
            return Step("paused", wait=TOKEN_CHECK)
        return self._retry(answer.error or "server unreachable", answer.retry_after)

    def _delete(self, acked: list[str]) -> None:
        if not acked:
            return
        with self.store.write() as conn:
            conn.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in acked])
            shared.put_in(conn, {"sync.last_success": self.clock().isoformat()})

    def _retry(self, error: str, asked: float | None) -> Step:
        self.attempt += 1
        wait = backoff.delay(self.attempt, self.rng, asked)
        shared.put(self.store, {"sync.last_error": f"{self.clock().isoformat()} {error}"})
        log.warning("sync: %s; retry %d in %.1f s", error, self.attempt, wait)
        return Step("retry", wait=wait)

    def _token_fingerprint(self) -> str:
        try:
            return hashlib.sha256(self.client.token().encode()).hexdigest()
        except TokenMissing:
            return "missing"

    # -- health and appointments --------------------------------------------------------------

    def health_due(self) -> None:
        """Queue a ``kiosk.health`` event when the printer state changed or 15 minutes passed."""
        now = self.clock()
        printer = shared.get(self.store, "printer.state") or "unknown"
        reported = shared.get(self.store, "sync.health_printer")
        last = shared.get(self.store, "sync.health_at")
        if printer == reported and last and now - datetime.fromisoformat(last) < HEALTH_EVERY:
            return
        tz = self.config.timezone
        with self.store.write() as conn:
            backlog = conn.execute("SELECT COUNT(*) FROM outbox WHERE state = 'ready'").fetchone()[
                0
            ]
            add_event(
                conn,
                type="kiosk.health",
                branch=self.config.branch,
                day=now.astimezone(tz).date().isoformat(),
                at=rfc3339(now, tz),
                printer=printer,
                backlog=int(backlog),
            )
            for key, value in (
                ("sync.health_printer", printer),
                ("sync.health_at", now.isoformat()),
            ):
                conn.execute(
                    "INSERT INTO state (key, value) VALUES (?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )

    def appointments_due(self) -> None:
        now = self.clock()
        if now < self.next_appointments or self.paused_token is not None:
            return
        self.next_appointments = now + APPOINTMENTS_EVERY
        refresh_appointments(self.config, self.store, self.client, now)

    # -- loops --------------------------------------------------------------------------------

    def drain(self) -> bool:
        """Send until the outbox is empty (True) or the server cannot take more now (False)."""
        self.health_due()
        self.appointments_due()
        while True:
            step = self.step()
            if step.kind == "idle":
                return True
            if step.kind in ("retry", "paused"):
                return False

    def run(self, stop: threading.Event, on_step: Callable[[Step], None] = lambda s: None) -> None:
        """Serve until ``stop`` is set: send, wait for new events, back off, pause for auth."""
        version = self.store.pragma("data_version")
        while not stop.is_set():
            self.health_due()
            self.appointments_due()
            step = self.step()
            on_step(step)
            if step.kind == "idle":
                # Wait for another process to commit (data_version changes), cheaply.
                while not stop.wait(IDLE_CHECK):
                    now_version = self.store.pragma("data_version")
                    if now_version != version:
                        version = now_version
                        break
                    if self.clock() >= self.next_appointments:
                        break
            elif step.wait:
                stop.wait(step.wait)
