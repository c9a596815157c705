"""What a desk does (call the next citizen, recall, finish, no-show, transfer), for the branch
server: the configuration's checks and the branch's day around :mod:`kiosk.store.desks`, with
the desks' memory (:mod:`kiosk.server.deskbook`: the day key of their marks, the call log).

The LAN shows what a display shows and no more: :meth:`Desks.calls` gives at most the last
:data:`~kiosk.server.deskbook.CALLS_KEPT` calls of the last :data:`CALLS_WINDOW`, whatever a
client asks for.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.config import Config
from kiosk.core.seats import Seat
from kiosk.server.deskbook import Call, DeskBook
from kiosk.store import Store
from kiosk.store import desks as store_desks
from kiosk.store.desks import DeskRefused

CALLS_WINDOW = timedelta(minutes=30)
_STATUS = {"not_serving": 409, "not_current": 409, "other_desk": 403}

__all__ = ["CALLS_WINDOW", "Call", "DeskActionError", "Desks"]


class DeskActionError(Exception):
    """The action cannot be done; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Desks:
    """The desk operations over the store and the desks' memory."""

    def __init__(self, config: Config, store: Store, book: DeskBook) -> None:
        self.config = config
        self.store = store
        self.book = book

    def _day(self, now: datetime) -> str:
        return now.astimezone(self.config.timezone).date().isoformat()

    def _at(self, now: datetime) -> str:
        return now.astimezone(self.config.timezone).replace(microsecond=0).isoformat()

    def _seat(self, desk: str, now: datetime) -> Seat:
        return self.book.seat(desk, self._day(now))

    def call_next(self, desk: str, services: list[str], now: datetime) -> Call | None:
        """Finish the desk's current ticket and call the next for ``services`` (None: nobody)."""
        unknown = [s for s in services if self.config.service(s) is None]
        if unknown or not services:
            raise DeskActionError(422, f"unknown services: {', '.join(unknown) or '(none given)'}")
        seat = self._seat(desk, now)
        code = store_desks.call_next(self.store, seat, services, self._day(now), now)
        return None if code is None else self.book.record(code, desk, self._at(now))

    def recall(self, desk: str, ticket: str | None, now: datetime) -> Call:
        try:
            code = store_desks.recall(self.store, self._seat(desk, now), ticket, self._day(now))
        except DeskRefused as exc:
            raise DeskActionError(_STATUS[exc.reason], str(exc)) from None
        return self.book.record(code, desk, self._at(now))

    def done(self, desk: str, ticket: str | None, now: datetime) -> str:
        try:
            return store_desks.done(self.store, self._seat(desk, now), ticket, self._day(now), now)
        except DeskRefused as exc:
            raise DeskActionError(_STATUS[exc.reason], str(exc)) from None

    def no_show(self, desk: str, ticket: str | None, now: datetime) -> str:
        seat = self._seat(desk, now)
        try:
            return store_desks.no_show(self.store, seat, ticket, self._day(now), now)
        except DeskRefused as exc:
            raise DeskActionError(_STATUS[exc.reason], str(exc)) from None

    def transfer(self, desk: str, ticket: str | None, service: str, now: datetime) -> str:
        if self.config.service(service) is None:
            raise DeskActionError(422, f'unknown service "{service}"')
        seat = self._seat(desk, now)
        try:
            return store_desks.transfer(self.store, seat, ticket, service, self._day(now), now)
        except DeskRefused as exc:
            raise DeskActionError(_STATUS[exc.reason], str(exc)) from None

    def current(self, desk: str, now: datetime) -> str | None:
        return store_desks.current(self.store, self._seat(desk, now), self._day(now))

    def calls(self, now: datetime, after: int = 0) -> list[Call]:
        """What a display shows: the last calls of the last 30 minutes, newest first."""
        since = now - CALLS_WINDOW
        return [c for c in self.book.calls(after) if datetime.fromisoformat(c.at) >= since]
