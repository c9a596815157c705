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
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kiosk.config import Config
from kiosk.core import events
from kiosk.reports import ServiceReports, tick_of
from kiosk.store import Store
from kiosk.store import state as shared
from kiosk.store import totems as store_totems
from kiosk.store.errors import StorageError
from kiosk.store.outbox import Outbox, add_health
from sync import allowlist, backoff
from sync.appointments import refresh_appointments
from sync.client import Answer, CentralClient, TokenMissing

log = logging.getLogger(__name__)
HEALTH_EVERY = timedelta(minutes=15)
SATELLITE_SILENT = timedelta(minutes=5)  # a satellite not heard from: its printer is unknown
APPOINTMENTS_EVERY = timedelta(minutes=5)
IDLE_CHECK = 0.5  # seconds between looks at the database's data version while the outbox is empty
PAUSED = "sync.paused_auth"  # the store's note that the central refused the token
TOKEN_CHECK = 2.0  # seconds between looks at the token file while paused
STORAGE_WAIT = 30.0  # seconds before trying again when the database cannot be written
WENT_BACK = "sync.seq_went_back"  # the store's note: the central holds a higher seq (409)
WENT_BACK_WAIT = 60.0  # seconds between tries while the central refuses a seq gone back


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
        key: the ticket key, to seal each ticket's status for the central's phone page
            (None: nothing sealed).
    """

    def __init__(
        self,
        config: Config,
        store: Store,
        client: CentralClient,
        clock: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
        key: bytes | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.outbox = Outbox(store)
        self.reports = ServiceReports(config, store, clock, key)
        self.client = client
        self.clock = clock
        self.rng = rng or random.Random()
        self.attempt = 0
        self.limit = allowlist.MAX_BATCH_EVENTS
        self.paused_token: str | None = None  # fingerprint of the token the server refused
        # Whether the store still says "paused" (from this run or an earlier one): the first
        # accepted batch clears it, so sync status and doctor stop saying so.
        self.pause_recorded = bool(shared.get(store, PAUSED) or shared.get(store, WENT_BACK))
        self.once = False  # `kiosk sync --once`: a failure ends the run, nothing is retried
        self.next_appointments = datetime.min.replace(tzinfo=UTC)
        self.storage_wait = STORAGE_WAIT
        self.storage_trouble: str | None = None  # what the database last said, until it heals

    # -- one batch ----------------------------------------------------------------------------

    def _batch(self, after: int = 0) -> list[allowlist.Checked]:
        """The next batch of ready events after seq ``after``, checked by the allow-list: all
        of one kiosk (this totem, or a satellite whose health goes through it)."""
        batch: list[allowlist.Checked] = []
        size = 64  # the envelope
        for row in self.outbox.ready(after, self.limit):
            try:
                event = allowlist.check_row(row)
            except allowlist.NotAllowed as exc:
                self._park([row.seq], f"not allowed: {exc}")
                continue
            if batch and (
                size + len(event.json) + 1 > allowlist.MAX_BATCH_BYTES
                or event.kiosk != batch[0].kiosk
            ):
                break
            batch.append(event)
            size += len(event.json) + 1
        return batch

    def _park(self, seqs: list[int], error: str) -> None:
        if not seqs:
            return
        self.outbox.park(seqs, error, self.clock())
        log.warning("sync: %d event(s) parked: %s", len(seqs), error[:200])

    def _unpause_if_token_changed(self) -> bool:
        """True while sending stays paused for a refused token."""
        if self.paused_token is None:
            return False
        if self._token_fingerprint() == self.paused_token:
            return True
        log.info("sync: the token changed; sending again")
        self.paused_token = None
        return False

    def _post(self, batch: list[allowlist.Checked]) -> Answer:
        ids = ",".join(event.id for event in batch)
        # The same batch always gets the same key, across retries and restarts.
        key = str(uuid.uuid5(uuid.NAMESPACE_URL, "totem-batch:" + ids))
        kiosk = batch[0].kiosk or self.config.kiosk_id
        return self.client.post_events(allowlist.encode_checked(kiosk, batch), key)

    def step(self) -> Step:
        """Send the next batch once and act on the answer."""
        if self._unpause_if_token_changed():
            return Step("paused", wait=TOKEN_CHECK)
        batch = self._batch()
        if not batch:
            return Step("idle", wait=IDLE_CHECK)
        return self._handle(batch, self._post(batch))

    def pump(self) -> Step:
        """Send batch after batch with one request in flight, until something other than a
        full acknowledgement happens or the outbox is empty.

        While the server works on batch N, batch N+1 is read and checked; as soon as N is
        acknowledged N+1 goes out, and N's rows are deleted while it travels. N+1 never
        leaves before N is acknowledged, so the server sees the kiosk's events in order.
        """
        if self._unpause_if_token_changed():
            return Step("paused", wait=TOKEN_CHECK)
        batch = self._batch()
        if not batch:
            return Step("idle", wait=IDLE_CHECK)
        sent = 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-post") as pool:
            future = pool.submit(self._post, batch)
            while True:
                following = self._batch(after=batch[-1].seq)
                answer = future.result()
                complete = answer.kind == "acked" and {e.id for e in batch} <= set(answer.acked)
                if not (complete and following):
                    step = self._handle(batch, answer)
                    return (
                        Step(step.kind, sent + step.count, step.wait)
                        if step.kind == "sent"
                        else step
                    )
                future = pool.submit(self._post, following)
                self._delete_range(batch)
                self.attempt = 0
                sent += len(batch)
                batch = following

    def _handle(self, batch: list[allowlist.Checked], answer: Answer) -> Step:
        seq_of = {event.id: event.seq for event in batch}
        if answer.kind == "acked":
            acked = sorted({seq_of[i] for i in answer.acked if i in seq_of})
            if len(acked) == len(batch):
                self._delete_range(batch)
            else:
                self._delete(acked)
            if acked:
                self._accepted()
            if not acked:
                return self._retry("200 acknowledged none of the batch", None)
            self.attempt = 0
            return Step("sent", len(acked))
        if answer.kind == "rejected":
            rejected = sorted({seq_of[i] for i in answer.rejected if i in seq_of})
            if not rejected:
                return self._retry(f"HTTP {answer.status} rejected nothing we sent", None)
            self._park(rejected, f"HTTP {answer.status}: {answer.error}")
            return Step("parked", len(rejected))
        if answer.kind == "too_large":
            if len(batch) == 1:
                self._park([batch[0].seq], "HTTP 413: a single event is too large")
                return Step("parked", 1)
            self.limit = max(1, len(batch) // 2)
            log.info("sync: 413, batches of at most %d events from now on", self.limit)
            return Step("split", self.limit)
        if answer.kind == "auth" and batch[0].kiosk is not None:  # a satellite's, not ours
            fix = f"kiosk central kiosk add {batch[0].kiosk} --branch {self.config.branch}"
            self._park([e.seq for e in batch], f"HTTP {answer.status}: {answer.error} ({fix})")
            return Step("parked", len(batch))
        if answer.kind == "seq_went_back":
            return self._went_back(batch, answer.last_seq or 0)
        if answer.kind == "auth":
            self.paused_token = self._token_fingerprint()
            shared.put(
                self.store, {PAUSED: answer.error, "sync.last_error": f"paused: {answer.error}"}
            )
            self.pause_recorded = True
            log.error(
                "sync: the central server refused the token (%s); paused until it changes",
                answer.error,
            )
            return Step("paused", wait=TOKEN_CHECK)
        return self._retry(answer.error or "server unreachable", answer.retry_after)

    def _went_back(self, batch: list[allowlist.Checked], last: int) -> Step:
        """The central holds a higher seq than this database's: it lost its state (a database
        made anew where both markers were gone). Nothing is sent, nothing is lost; a technician
        continues the day from the central's marks."""
        error = (
            f"the central holds seq {last}, this database's events start at {batch[0].seq}:"
            " run `kiosk store reset --yes --from-central`"
        )
        if shared.get(self.store, WENT_BACK) != str(last):
            log.error("sync: sending stopped: %s", error)
        shared.put(self.store, {WENT_BACK: str(last), "sync.last_error": error})
        self.pause_recorded = True
        return Step("paused", wait=WENT_BACK_WAIT)

    def _delete(self, acked: list[int]) -> None:
        if acked:
            self.outbox.acknowledge(acked, self.clock())

    def _delete_range(self, batch: list[allowlist.Checked]) -> None:
        self.outbox.acknowledge_range(batch[0].seq, batch[-1].seq, self.clock())
        self._accepted()

    def _accepted(self) -> None:
        """The central took a batch: whatever paused sending is over."""
        if self.pause_recorded:
            shared.put(self.store, {PAUSED: None, WENT_BACK: None, "sync.last_error": None})
            self.pause_recorded = False
            log.info("sync: the central server accepts this totem's token again")

    def _retry(self, error: str, asked: float | None) -> Step:
        self.attempt += 1
        wait = backoff.delay(self.attempt, self.rng, asked)
        shared.put(
            self.store, {"sync.last_error": f"{self.clock().isoformat(timespec='seconds')} {error}"}
        )
        if self.once:
            log.warning("sync: %s", error)
        else:
            log.warning("sync: %s; retry %d in %.1f s", error, self.attempt, wait)
        return Step("retry", wait=wait)

    def _token_fingerprint(self) -> str:
        try:
            return hashlib.sha256(self.client.token().encode()).hexdigest()
        except TokenMissing:
            return "missing"

    # -- health and appointments --------------------------------------------------------------

    def health_due(self) -> None:
        """Queue a ``kiosk.health`` event when the printer state changed or 15 minutes passed:
        this totem's, and each satellite's as it reported it here (``unknown`` once it has
        been silent for :data:`SATELLITE_SILENT`), as the satellite's own kiosk."""
        now = self.clock()
        self._health(None, shared.get(self.store, "printer.state") or "unknown", now)
        for totem, printer, at in store_totems.printers(self.store):
            fresh = at is not None and now - datetime.fromisoformat(at) < SATELLITE_SILENT
            self._health(totem, printer if printer and fresh else "unknown", now)

    def _health(self, kiosk: str | None, printer: str, now: datetime) -> None:
        now = tick_of(now)  # counted from the tick, so it stays on ticks
        suffix = f":{kiosk}" if kiosk else ""
        reported = shared.get(self.store, "sync.health_printer" + suffix)
        last = shared.get(self.store, "sync.health_at" + suffix)
        if printer == reported and last and now - datetime.fromisoformat(last) < HEALTH_EVERY:
            return
        tz = self.config.timezone
        add_health(
            self.store,
            branch=self.config.branch,
            day=now.astimezone(tz).date().isoformat(),
            at=events.minute(now, tz),
            printer=printer,
            kiosk=kiosk,
            extra={
                "sync.health_printer" + suffix: printer,
                "sync.health_at" + suffix: now.isoformat(),
            },
        )

    def appointments_due(self) -> None:
        now = self.clock()
        if now < self.next_appointments or self.paused_token is not None:
            return
        self.next_appointments = now + APPOINTMENTS_EVERY
        refresh_appointments(self.config, self.store, self.client, now)

    # -- loops --------------------------------------------------------------------------------

    def dues(self) -> None:
        """What one turn of the loop queues: health and reports on the wall-clock tick only
        (never at the moment a desk's commit woke the agent, which that second would date),
        and the appointments when they are due."""
        if self.clock() >= self.reports.next_check:
            self.health_due()
        self.reports.due()
        self.appointments_due()

    def drain(self) -> bool:
        """Send until the outbox is empty (True) or the server cannot take more now (False)."""
        self.health_due()
        self.reports.due(force=True)
        self.appointments_due()
        while True:
            step = self.pump()
            if step.kind == "idle":
                return True
            if step.kind in ("retry", "paused"):
                return False

    def _turn(self) -> Step:
        """One turn of the loop. A database that cannot be written (a full disk) is said once
        and tried again later; the outbox is transactional, so nothing is lost meanwhile."""
        try:
            self.dues()
            step = self.pump()
        except StorageError as exc:
            if self.storage_trouble != str(exc):
                log.error(
                    "sync: database: %s; nothing is lost, sending goes on when it can write", exc
                )
                self.storage_trouble = str(exc)
            return Step("retry", wait=self.storage_wait)
        if self.storage_trouble is not None:
            log.warning("sync: the database can be written again; sending goes on")
            self.storage_trouble = None
        return step

    def run(
        self,
        stop: threading.Event,
        on_step: Callable[[Step], None] = lambda s: None,
        heartbeat: Callable[[], None] = lambda: None,
    ) -> None:
        """Serve until ``stop`` is set: send, wait for new events, back off, pause for auth.

        ``heartbeat`` is called at every turn of the loop and every second of a wait (the
        systemd watchdog ping): it stops only if the loop itself hangs.
        """
        version = self.store.data_version()
        while not stop.is_set():
            heartbeat()
            step = self._turn()
            on_step(step)
            if step.kind == "sent":
                log.info("sync: %d event(s) delivered", step.count)
            if step.kind == "idle":
                # Wait for another process to commit (data_version changes), cheaply.
                while not stop.wait(IDLE_CHECK):
                    heartbeat()
                    now_version = self.store.data_version()
                    if now_version != version:
                        version = now_version
                        break
                    if self.clock() >= min(self.next_appointments, self.reports.next_check):
                        break
            elif step.wait:
                deadline = time.monotonic() + step.wait
                while (left := deadline - time.monotonic()) > 0 and not stop.wait(min(left, 1.0)):
                    heartbeat()
