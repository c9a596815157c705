"""What the totem reports upstream about service: ``service.status`` and ``service.hour``.

The sync agent calls :meth:`ServiceReports.due` on every turn; it looks only on a fixed
wall-clock tick (every 30 s, at :00 and :30), so when a report leaves says nothing about when
a desk acted. A status goes out when what the waiting-room screens show changed (the number
served now, the numbers waiting), at most once per tick and service. Its wait range is built
only from figures already published: the configured service time, replaced by the last hourly
``service_p50`` once one was sent, so an end of service that changes nothing on the screens
changes nothing in the status either. Hourly times go out only over at least five served
citizens. What was last reported is kept in the store's state table, in the same transaction
as the events, so a restart neither repeats nor skips a report.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from kiosk.config import Config, Service
from kiosk.core import events, figures
from kiosk.store import Store
from kiosk.store import desks as store_desks
from kiosk.store import outbox as store_outbox
from kiosk.store import state as store_state
from kiosk.store import tickets as store_tickets

TICK = timedelta(seconds=events.STATUS_EVERY_S)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


def tick_of(now: datetime) -> datetime:
    """The wall-clock tick ``now`` falls in (UTC, a multiple of 30 s)."""
    return now - (now - _EPOCH) % TICK


@dataclass
class _Batch:
    """The events one look queues, and the notes that record them."""

    items: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    marks: dict[str, str | None] = field(default_factory=dict)


class ServiceReports:
    """Decides which ``service.status`` and ``service.hour`` events are due and queues them.

    Args:
        config: the totem configuration.
        store: the database.
        clock: the current instant.
    """

    def __init__(
        self, config: Config, store: Store, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.config = config
        self.store = store
        self.clock = clock
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
        reported.update({k: v for k, v in batch.marks.items() if v is not None})
        reported.update(store_state.get_prefix(self.store, store_state.REPORTED_STATUS))
        today = now.astimezone(self.config.timezone).date().isoformat()
        for service in self.config.services:
            self._status(service, today, tick, reported, batch)
        if batch.items or batch.marks:
            at = events.minute(tick, self.config.timezone)
            store_outbox.add_events(self.store, self.config.branch, at, batch.items, batch.marks)
        return len(batch.items)

    def _status(
        self, service: Service, day: str, tick: datetime, reported: dict[str, str], batch: _Batch
    ) -> None:
        queue = store_tickets.call_queue(self.store, day, service.code, tick)
        pace = _hours_note(reported.get(_hours_key(day, service.code))).get("pace")
        wait = figures.wait_range(len(queue), pace or service.minutes, service.desks)
        current = figures.status(
            store_desks.now_serving(self.store, day, service.code), queue, wait
        )
        key = store_state.REPORTED_STATUS + service.code
        last = json.loads(reported[key]) if key in reported else None
        if last is not None and last["day"] == day and last["status"] == current:
            return
        if last is not None and tick < datetime.fromisoformat(last["at"]) + TICK:
            return  # at most once per tick (a forced look between ticks waits for the next)
        batch.items.append(("service.status", day, {"service": service.code, **current}))
        batch.marks[key] = events.dumps({"at": tick.isoformat(), "day": day, "status": current})

    def _hours(
        self, service: Service, day: date, now: datetime, reported: dict[str, str], batch: _Batch
    ) -> None:
        tz = self.config.timezone
        key = _hours_key(day.isoformat(), service.code)
        note = _hours_note(reported.get(key))
        if note.get("closed"):
            return
        records = store_tickets.records(self.store, day.isoformat(), service.code)
        start = note.get("start")
        if start is None:
            start = figures.first_hour(records, tz)
        if start is None:
            return
        day_over = now.astimezone(tz).date() > day or (
            not service.hours.open_later_today(now, tz)
            and not store_tickets.in_progress(self.store, day.isoformat(), service.code)
        )
        closing = figures.spans_to_close(records, day, tz, start, now, day_over)
        for span, values in closing:
            fields = {"service": service.code, "span": span.label, **values}
            batch.items.append(("service.hour", day.isoformat(), fields))
            start = span.end
            note["pace"] = values["service_p50"] or note.get("pace")
        if day_over or closing or key not in reported:
            batch.marks[key] = events.dumps({**note, "start": start, "closed": day_over})


def published_pace(store: Store, day: str, service: Service) -> float:
    """The service time a wait may be built from: the last hourly ``service_p50`` sent today,
    else the configured one (never one measured on the last few citizens)."""
    note = _hours_note(store_state.get(store, _hours_key(day, service.code)))
    return float(note.get("pace") or service.minutes)


def _hours_key(day: str, service: str) -> str:
    return f"{store_state.REPORTED_HOURS}{day}.{service}"


def _hours_note(text: str | None) -> dict[str, Any]:
    """The note on a day's spans: ``start`` (the open span's first hour), ``closed``, and
    ``pace``, the last service time published (the status's wait is built from it)."""
    return dict(json.loads(text)) if text else {}
