"""What the totem reports upstream about service: ``service.status`` and ``service.hour``.

The sync agent calls :meth:`ServiceReports.due` on every turn. Nothing here is per ticket as
it happens: a status goes out when what the waiting-room screens show changed, at most once
per 30 s per service, and hourly figures only over at least five served citizens. What was last
reported is kept in the store's state table, in the same transaction as the events, so a
restart neither repeats nor skips a report.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from kiosk.config import Config, Service
from kiosk.core import events, figures
from kiosk.store import Store
from kiosk.store import desks as store_desks
from kiosk.store import outbox as store_outbox
from kiosk.store import state as store_state
from kiosk.store import tickets as store_tickets

STATUS_KEY = store_state.REPORTED_STATUS
HOUR_KEY = store_state.REPORTED_HOURS
CHECK_EVERY = timedelta(seconds=20)


def utc_now() -> datetime:
    return datetime.now(UTC)


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
        self.next_check = datetime.min.replace(tzinfo=UTC)

    def due(self, force: bool = False) -> int:
        """Queue what is due now; returns how many events. Without ``force``, does nothing
        before :attr:`next_check` (set 20 s ahead, or to when a held-back status may go)."""
        now = self.clock()
        if not force and now < self.next_check:
            return 0
        self.next_check = now + CHECK_EVERY
        tz = self.config.timezone
        today = now.astimezone(tz).date()
        reported = {
            **store_state.get_prefix(self.store, STATUS_KEY),
            **store_state.get_prefix(self.store, HOUR_KEY),
        }
        items: list[tuple[str, str, dict[str, Any]]] = []
        marks: dict[str, str | None] = {}
        for service in self.config.services:
            self._status(service, today, now, reported, items, marks)
        for day in store_tickets.days(self.store):
            for service in self.config.services:
                self._hours(service, date.fromisoformat(day), now, reported, items, marks)
        if items or marks:
            store_outbox.add_events(
                self.store, self.config.branch, events.minute(now, tz), items, marks
            )
        return len(items)

    def _status(
        self,
        service: Service,
        today: date,
        now: datetime,
        reported: dict[str, str],
        items: list[tuple[str, str, dict[str, Any]]],
        marks: dict[str, str | None],
    ) -> None:
        day = today.isoformat()
        queue = store_tickets.call_queue(self.store, day, service.code, now)
        served = store_tickets.served_minutes(self.store, day, service.code)
        wait = figures.wait_range(len(queue), service.minutes, served, service.desks)
        current = figures.status(
            store_desks.now_serving(self.store, day, service.code), queue, wait
        )
        key = STATUS_KEY + service.code
        last = json.loads(reported[key]) if key in reported else None
        if last is not None and last["day"] == day and last["status"] == current:
            return
        if last is not None:
            allowed = datetime.fromisoformat(last["at"]) + timedelta(seconds=events.STATUS_EVERY_S)
            if now < allowed:
                self.next_check = min(self.next_check, allowed)
                return
        items.append(("service.status", day, {"service": service.code, **current}))
        marks[key] = events.dumps({"at": now.isoformat(), "day": day, "status": current})

    def _hours(
        self,
        service: Service,
        day: date,
        now: datetime,
        reported: dict[str, str],
        items: list[tuple[str, str, dict[str, Any]]],
        marks: dict[str, str | None],
    ) -> None:
        tz = self.config.timezone
        key = f"{HOUR_KEY}{day.isoformat()}.{service.code}"
        mark = reported.get(key)
        if mark == "closed":
            return
        records = store_tickets.records(self.store, day.isoformat(), service.code)
        start = int(mark) if mark is not None else figures.first_hour(records, tz)
        if start is None:
            return
        day_over = now.astimezone(tz).date() > day or (
            not service.hours.open_later_today(now, tz)
            and not store_tickets.in_progress(self.store, day.isoformat(), service.code)
        )
        closing = figures.spans_to_close(records, day, tz, start, now, day_over)
        for span, values in closing:
            items.append(
                (
                    "service.hour",
                    day.isoformat(),
                    {"service": service.code, "span": span.label, **values},
                )
            )
            start = span.end
        if day_over:
            marks[key] = "closed"
        elif closing or mark is None:
            marks[key] = str(start)
