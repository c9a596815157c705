"""What a desk does (call the next citizen, recall, finish, no-show, transfer), for the branch
server: the configuration's checks and the branch's day around :mod:`kiosk.store.desks`.

The LAN shows what a display shows and no more: :meth:`Desks.calls` gives at most the last
:data:`~kiosk.store.desks.CALLS_KEPT` calls of the last :data:`CALLS_WINDOW`, whatever a
client asks for.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.config import Config
from kiosk.store import Store
from kiosk.store import desks as store_desks
from kiosk.store.desks import Call, DeskRefused

CALLS_WINDOW = timedelta(minutes=30)
_STATUS = {"not_serving": 409, "not_current": 409, "other_desk": 403}

__all__ = ["CALLS_WINDOW", "Call", "DeskActionError", "Desks"]


class DeskActionError(Exception):
    """The action cannot be done; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Desks:
    """The desk operations over the store."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store

    def _day(self, now: datetime) -> str:
        return now.astimezone(self.config.timezone).date().isoformat()

    def _at(self, now: datetime) -> str:
        return now.astimezone(self.config.timezone).replace(microsecond=0).isoformat()

    def call_next(self, desk: str, services: list[str], now: datetime) -> Call | None:
        """Finish the desk's current ticket and call the next for ``services`` (None: nobody)."""
        unknown = [s for s in services if self.config.service(s) is None]
        if unknown or not services:
            raise DeskActionError(422, f"unknown services: {', '.join(unknown) or '(none given)'}")
        return store_desks.call_next(self.store, desk, services, self._day(now), now, self._at(now))

    def recall(self, desk: str, ticket: str | None, now: datetime) -> Call:
        try:
            return store_desks.recall(self.store, desk, ticket, self._day(now), self._at(now))
        except DeskRefused as exc:
            raise DeskActionError(_STATUS[exc.reason], str(exc)) from None

    def done(self, desk: str, ticket: str | None, now: datetime) -> str:
        try:
            return store_desks.done(self.store, desk, ticket, self._day(now), now)
        except DeskRefused as exc:
            raise DeskActionError(_STATUS[exc.reason], str(exc)) from None

    def no_show(self, desk: str, ticket: str | None, now: datetime) -> str:
        try:
            return store_desks.no_show(self.store, desk, ticket, self._day(now), now)
        except DeskRefused as exc:
            raise DeskActionError(_STATUS[exc.reason], str(exc)) from None

    def transfer(self, desk: str, ticket: str | None, service: str, now: datetime) -> str:
        if self.config.service(service) is None:
            raise DeskActionError(422, f'unknown service "{service}"')
        try:
            return store_desks.transfer(self.store, desk, ticket, service, self._day(now), now)
        except DeskRefused as exc:
            raise DeskActionError(_STATUS[exc.reason], str(exc)) from None

    def current(self, desk: str, now: datetime) -> str | None:
        return store_desks.current(self.store, desk, self._day(now))

    def calls(self, now: datetime, after: int = 0) -> list[Call]:
        """What a display shows: the last calls of the last 30 minutes, newest first."""
        since = now - CALLS_WINDOW
        recent = store_desks.recent_calls(self.store, self._day(now), after)
        return [c for c in recent if datetime.fromisoformat(c.at) >= since]
