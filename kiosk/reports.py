"""What the totem reports upstream about service: ``service.hour`` and ``service.sealed``.

The sync agent calls :meth:`ServiceReports.due` on every turn; it looks only on a fixed
wall-clock tick (every minute, at :00 seconds), so when a report leaves says nothing about
when a desk acted. At every tick, from the service's first opening of the day (or its first
ticket) to the end of the day, each service's queue is sealed again whole for the central's
phone page (:mod:`kiosk.core.sealed`): the same number of boxes, every one new, whether the
queue moved or not. Hourly figures go out when a whole hour closes with at least five served
citizens; the day's last span waits for the first whole hour at least
:data:`LAST_SPAN_AFTER` past closing with nobody waiting or at a desk, so it never leaves at
the first tick after the last citizen. What was last reported is kept in the store's state
table, in the same transaction as the events, so a restart neither repeats nor skips a report.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from kiosk.config import Config, Service
from kiosk.core import events, figures, sealed
from kiosk.core import payload as ticket_payload
from kiosk.phone.status import queue_statuses
from kiosk.store import Store
from kiosk.store import outbox as store_outbox
from kiosk.store import state as store_state
from kiosk.store import tickets as store_tickets

TICK = timedelta(seconds=events.TICK_S)
LAST_SPAN_AFTER = timedelta(minutes=30)  # the day's last hourly figures: not before closing + this
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


def tick_of(now: datetime) -> datetime:
    """The wall-clock tick ``now`` falls in (UTC, a whole minute)."""
    return now - (now - _EPOCH) % TICK


@dataclass
class _Batch:
    """The events one look queues, and the notes that record them."""

    items: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    marks: dict[str, str | None] = field(default_factory=dict)
    replaces: list[str] = field(default_factory=list)  # services whose unsent sealed go


class ServiceReports:
    """Decides which ``service.hour`` and ``service.sealed`` events are due and queues them.

    Args:
        config: the totem configuration.
        store: the database.
        clock: the current instant.
        key: the ticket key, which the seals come from (None: nothing is sealed, as in the
            nightly purge, which only sends the last hourly figures of earlier days).
    """

    def __init__(
        self,
        config: Config,
        store: Store,
        clock: Callable[[], datetime] = utc_now,
        key: bytes | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.key = key
        now = clock()
        # Even the first look waits for a tick: no report leaves at a moment of its own.
        self.next_check = now if tick_of(now) == now else tick_of(now) + TICK

    def due(self, force: bool = False) -> int:
        """Queue what is due; returns how many events. Without ``force``, looks only once a
        tick, at :attr:`next_check` (the next tick) or later."""
        now = self.clock()
        if not force and now < self.next_check:
            return 0
        tick = tick_of(now)
        self.next_check = tick + TICK
        batch = _Batch()
        reported = store_state.get_prefix(self.store, store_state.REPORTED_HOURS)
        for day in store_tickets.days(self.store):
            for service in self.config.services:
                self._hours(service, date.fromisoformat(day), now, reported, batch)
        at = events.minute(tick, self.config.timezone)
        if self.key is not None and self._sealing(tick):
            for service in self.config.services:
                self._sealed(service, tick, at, batch)
        if batch.items or batch.marks:
            store_outbox.add_events(
                self.store, self.config.branch, at, batch.items, batch.marks, batch.replaces
            )
        return len(batch.items)

    def _sealing(self, tick: datetime) -> bool:
        """Whether the branch's day has begun: a service opened, or a ticket was issued (which
        the central learns anyway). From then to the day's end, every service is sealed at
        every tick, so not even a ticket transferred to a service closed today shows."""
        tz = self.config.timezone
        day = tick.astimezone(tz).date()
        openings = [w[0][0] for s in self.config.services if (w := s.hours.windows_on(day, tz))]
        return any(tick >= o for o in openings) or day.isoformat() in store_tickets.days(self.store)

    def _sealed(self, service: Service, tick: datetime, at: str, batch: _Batch) -> None:
        """Every ticket of the service's queue, sealed again (see :mod:`kiosk.core.sealed`):
        never twice for one tick (a decoy is new each time, a ticket's handle is not, so two
        sealings of one tick would tell the real boxes apart), and never fewer boxes than
        earlier that day (a count falling from 16 to 8 would date a citizen's end of service)."""
        assert self.key is not None
        day = tick.astimezone(self.config.timezone).date().isoformat()
        note_key = store_state.SEALED + service.code
        note = _note(store_state.get(self.store, note_key))
        if note.get("tick") == at:
            return
        least = int(note.get("boxes", 0)) if note.get("day") == day else 0
        found = queue_statuses(self.config, self.store, self.key, tick, service.code)
        key = store_state.seal_key(self.store, day, self.key)
        seals = [(ticket_payload.seal_secret(key, text), st) for text, st in found]
        boxes = sealed.boxes(self.config.branch, service.code, at, seals, least)
        fields = {"service": service.code, "tick": at, "boxes": boxes}
        batch.items.append(("service.sealed", day, fields))
        batch.replaces.append(service.code)
        batch.marks[note_key] = events.dumps({"day": day, "tick": at, "boxes": len(boxes)})

    def _hours(
        self, service: Service, day: date, now: datetime, reported: dict[str, str], batch: _Batch
    ) -> None:
        tz = self.config.timezone
        key = _hours_key(day.isoformat(), service.code)
        note = _note(reported.get(key))
        if note.get("closed"):
            return
        records = store_tickets.records(self.store, day.isoformat(), service.code)
        start = note.get("start")
        if start is None:
            start = figures.first_hour(records, tz)
        if start is None:
            return
        day_over = now.astimezone(tz).date() > day or self._last_hour(service, now)
        closing = figures.spans_to_close(records, day, tz, start, now, day_over)
        for span, values in closing:
            fields = {"service": service.code, "span": span.label, **values}
            batch.items.append(("service.hour", day.isoformat(), fields))
            start = span.end
            note["pace"] = values["service_p50"] or note.get("pace")
        if day_over or closing or key not in reported:
            batch.marks[key] = events.dumps({**note, "start": start, "closed": day_over})

    def _last_hour(self, service: Service, now: datetime) -> bool:
        """Whether the day's last span may close now: on a whole hour at least
        :data:`LAST_SPAN_AFTER` past the last closing, with nobody waiting or at a desk."""
        tz = self.config.timezone
        local = tick_of(now).astimezone(tz)
        windows = service.hours.windows_on(local.date(), tz)
        closing = windows[-1][1] if windows else None
        return (
            local.minute == 0
            and (closing is None or now >= closing + LAST_SPAN_AFTER)
            and not store_tickets.in_progress(self.store, local.date().isoformat(), service.code)
        )


def _hours_key(day: str, service: str) -> str:
    return f"{store_state.REPORTED_HOURS}{day}.{service}"


def _note(text: str | None) -> dict[str, Any]:
    """A report's note as a dict (empty when none): a day's spans (``start``, the open span's
    first hour, ``closed``, ``pace``) or a service's last sealing (``day``, ``tick``, ``boxes``)."""
    return dict(json.loads(text)) if text else {}
