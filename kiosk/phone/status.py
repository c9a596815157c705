"""Where a ticket is now, for the citizen holding it (the phone page of docs/branch-api.md).

Computed from the live queue with the same call order the desks use, for a payload whose HMAC
checks out: a forged or altered one learns nothing, not even whether such a number exists.
The central service builds the same object from the branch's latest ``service.status``
(without the key, and without desks); both render it with :mod:`kiosk.phone.page`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from kiosk.config import Config
from kiosk.core import payload as ticket_payload
from kiosk.core.queue import Pace, call_order, pace, predicted_wait
from kiosk.core.tickets import Status
from kiosk.store import Store
from kiosk.store import desks as store_desks
from kiosk.store import tickets as store_tickets


class NotOurs(Exception):
    """Not a ticket of this office (forged, altered, another branch's, or malformed)."""


@dataclass(frozen=True)
class TicketStatus:
    """What the phone page shows: ``state`` is waiting, called, done, gone or unknown."""

    ticket: str
    service: str
    state: str
    ahead: int | None = None
    now: str | None = None
    wait: list[int] | None = None
    desk: str | None = None

    def as_json(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if v is not None or k == "now"}


_STATES = {
    Status.CALLED: "called",
    Status.DONE: "done",
    Status.NO_SHOW: "gone",
    Status.TRANSFERRED: "waiting",
}


@dataclass(frozen=True)
class Found:
    """A genuine ticket's status, and the language it was issued in (None: not known)."""

    status: TicketStatus
    lang: str | None


class Look:
    """One look at today's queue, shared by every phone asking at the same moment: one query
    for the day's tickets, and each service's call order and pace worked out once."""

    def __init__(self, config: Config, store: Store, key: bytes, now: datetime) -> None:
        self.config, self.store, self.key, self.now = config, store, key, now
        self.day = now.astimezone(config.timezone).date()
        self._tickets: dict[str, store_tickets.Ticket] | None = None
        self._orders: dict[str, dict[str, int]] = {}
        self._paces: dict[str, tuple[Pace, int]] = {}
        self._serving: dict[str, str | None] = {}

    def find(self, text: str) -> Found:
        """The status of the ticket whose QR holds ``text``.

        Raises:
            NotOurs: the payload is not a genuine ticket of this branch.
        """
        try:
            genuine = ticket_payload.verify(self.key, self.config.branch, text)
        except ticket_payload.PayloadError:
            raise NotOurs from None
        ticket = self.tickets.get(genuine.code) if genuine.day == self.day else None
        if ticket is None:
            service = genuine.code.rstrip("0123456789")
            return Found(TicketStatus(genuine.code, service, "unknown"), None)
        return Found(self._status(ticket), ticket.lang)

    @property
    def tickets(self) -> dict[str, store_tickets.Ticket]:
        if self._tickets is None:
            day = self.day.isoformat()
            self._tickets = {t.code: t for t in store_tickets.of_day(self.store, day)}
        return self._tickets

    def _status(self, ticket: store_tickets.Ticket) -> TicketStatus:
        queue = ticket.waits_for
        serving = self.serving(queue)
        if ticket.status is Status.WAITING:
            ahead = self.order(queue).get(ticket.code, 0)
            wait = self.wait(queue, ahead)
            return TicketStatus(ticket.code, queue, "waiting", ahead, serving, wait)
        state = _STATES.get(ticket.status, "unknown")
        desk = ticket.desk if ticket.status is Status.CALLED else None
        return TicketStatus(ticket.code, queue, state, None, serving, None, desk)

    def serving(self, queue: str) -> str | None:
        if queue not in self._serving:
            self._serving[queue] = store_desks.now_serving(self.store, self.day.isoformat(), queue)
        return self._serving[queue]

    def order(self, queue: str) -> dict[str, int]:
        """The place of each waiting ticket of ``queue`` in the desks' call order."""
        if queue not in self._orders:
            waiting = [
                t
                for t in self.tickets.values()
                if t.status is Status.WAITING and t.waits_for == queue
            ]
            by_id = {t.id: t.code for t in waiting}
            order = call_order(map(store_tickets.as_waiting, waiting), [queue], self.now)
            self._orders[queue] = {by_id[w.ticket_id]: i for i, w in enumerate(order)}
        return self._orders[queue]

    def wait(self, queue: str, ahead: int) -> list[int]:
        """The predicted range: the people ahead, the citizens at a desk now, today's pace."""
        service = self.config.service(queue)
        if service is None:
            return [0, 0]
        if queue not in self._paces:
            served = store_tickets.served_minutes(self.store, self.day.isoformat(), queue)
            at_desks = sum(
                t.status is Status.CALLED and t.waits_for == queue for t in self.tickets.values()
            )
            self._paces[queue] = (pace(service.minutes, served), at_desks)
        today, at_desks = self._paces[queue]
        return predicted_wait(ahead, at_desks, service.desks, today, self.config.wait_floor_min)


def statuses(
    config: Config, store: Store, key: bytes, texts: list[str], now: datetime
) -> dict[str, dict[str, object] | None]:
    """The status of many payloads from one look (the phones' poller); None: not ours."""
    look = Look(config, store, key, now)
    out: dict[str, dict[str, object] | None] = {}
    for text in texts:
        try:
            out[text] = look.find(text).status.as_json()
        except NotOurs:
            out[text] = None
    return out


def status_of(config: Config, store: Store, key: bytes, text: str, now: datetime) -> Found:
    """The status of the ticket whose QR holds ``text``.

    Raises:
        NotOurs: the payload is not a genuine ticket of this branch.
    """
    return Look(config, store, key, now).find(text)
