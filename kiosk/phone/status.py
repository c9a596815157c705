"""Where a ticket is now, for the citizen holding it (the phone page of docs/branch-api.md).

Computed from the live queue with the same call order the desks use, for a payload whose HMAC
checks out: a forged or altered one learns nothing, not even whether such a number exists.
The sync agent seals the same object, for every ticket of the queue, for the central's phone
page (:func:`queue_statuses`, contract v3 ``service.sealed``); both render it with
:mod:`kiosk.phone.page`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from kiosk.config import Config
from kiosk.core import payload as ticket_payload
from kiosk.core.queue import Pace, pace, pace_cut, predicted_wait
from kiosk.core.tickets import Status
from kiosk.store import Store
from kiosk.store import desks as store_desks
from kiosk.store import tickets as store_tickets

# Which desk holds a called ticket, from its mark (the branch server's memory knows; None:
# nobody here does, as in the sync agent: the page then says "see the screens").
DeskOf = Callable[[str, str | None], str | None]


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
        out: dict[str, object] = {"ticket": self.ticket, "service": self.service}
        out["state"] = self.state
        if self.ahead is not None:
            out["ahead"] = self.ahead
        out["now"] = self.now
        if self.wait is not None:
            out["wait"] = list(self.wait)
        if self.desk is not None:
            out["desk"] = self.desk
        return out


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
    """One look at today's queue, shared by every phone asking at the same moment: each
    service's active tickets read once, its call order and pace worked out once.

    Args:
        everyone: many payloads will be asked (the phones' poller): read the day's tickets
            in one query rather than one query per ticket.
        genuine: payloads already verified (the poller keeps them while phones watch).
    """

    def __init__(
        self,
        config: Config,
        store: Store,
        key: bytes,
        now: datetime,
        everyone: bool = False,
        genuine: dict[str, ticket_payload.TicketPayload] | None = None,
        desk_of: DeskOf | None = None,
    ) -> None:
        self.config, self.store, self.key, self.now = config, store, key, now
        self.desk_of = desk_of
        self.day = now.astimezone(config.timezone).date()
        self._everyone: dict[str, store_tickets.Brief] | None = None
        self._many = everyone
        self._genuine = {} if genuine is None else genuine
        self._queues: dict[str, dict[str, int]] = {}
        self._paces: dict[str, Pace] = {}
        self._serving: dict[str, str | None] = {}

    def find(self, text: str) -> Found:
        """The status of the ticket whose QR holds ``text``.

        Raises:
            NotOurs: the payload is not a genuine ticket of this branch.
        """
        genuine = self._verified(text)
        ticket = self._ticket(genuine.code) if genuine.day == self.day else None
        if ticket is None:
            service = genuine.code.rstrip("0123456789")
            return Found(TicketStatus(genuine.code, service, "unknown"), None)
        return Found(self._status(ticket), ticket.lang)

    def state(self, text: str) -> str:
        """Only the state of a ticket (cheaper than :meth:`find`).

        Raises:
            NotOurs: the payload is not a genuine ticket of this branch.
        """
        genuine = self._verified(text)
        ticket = self._ticket(genuine.code) if genuine.day == self.day else None
        return "unknown" if ticket is None else _STATES.get(ticket.status, "waiting")

    def _verified(self, text: str) -> ticket_payload.TicketPayload:
        genuine = self._genuine.get(text)
        if genuine is None:
            try:
                genuine = ticket_payload.verify(self.key, self.config.branch, text)
            except ticket_payload.PayloadError:
                raise NotOurs from None
            self._genuine[text] = genuine
        return genuine

    def _ticket(self, code: str) -> store_tickets.Brief | None:
        if not self._many:
            return store_tickets.brief(self.store, self.day.isoformat(), code)
        return self._briefs().get(code)

    def _briefs(self) -> dict[str, store_tickets.Brief]:
        if self._everyone is None:
            self._everyone = store_tickets.briefs(self.store, self.day.isoformat())
        return self._everyone

    def _status(self, ticket: store_tickets.Brief) -> TicketStatus:
        queue = ticket.waits_for
        serving = self._now_serving(queue)
        if ticket.status is Status.WAITING:
            ahead = self._queue(queue).get(ticket.code, 0)
            wait = self._wait(queue, ahead)
            return TicketStatus(ticket.code, queue, "waiting", ahead, serving, wait)
        state = _STATES.get(ticket.status, "unknown")
        desk = None
        if ticket.status is Status.CALLED and self.desk_of is not None:
            desk = self.desk_of(ticket.code, ticket.desk)
        return TicketStatus(ticket.code, queue, state, None, serving, None, desk)

    def _now_serving(self, queue: str) -> str | None:
        if queue not in self._serving:
            self._serving[queue] = store_desks.now_serving(self.store, self.day.isoformat(), queue)
        return self._serving[queue]

    def _queue(self, queue: str) -> dict[str, int]:
        """Each waiting ticket's place in the desks' call order."""
        if queue not in self._queues:
            order = store_tickets.call_queue(self.store, self.day.isoformat(), queue, self.now)
            self._queues[queue] = {code: i for i, code in enumerate(order)}
        return self._queues[queue]

    def wait_range(self, queue: str, ahead: int) -> list[int]:
        """The range in minutes a ticket of ``queue`` with ``ahead`` people before it waits."""
        return self._wait(queue, ahead)

    def _wait(self, queue: str, ahead: int) -> list[int]:
        """The predicted range, from the people ahead and the pace of today's citizens served
        before the last quarter hour (so it never moves when a desk finishes with someone)."""
        service = self.config.service(queue)
        if service is None:
            return [0, 0]
        if queue not in self._paces:
            cut = pace_cut(self.now)
            served = store_tickets.served_minutes(self.store, self.day.isoformat(), queue, cut)
            self._paces[queue] = pace(service.minutes, served)
        return predicted_wait(ahead, service.desks, self._paces[queue], self.config.wait_floor_min)


def statuses(
    config: Config,
    store: Store,
    key: bytes,
    texts: list[str],
    now: datetime,
    genuine: dict[str, ticket_payload.TicketPayload] | None = None,
    unless: Mapping[str, str] | None = None,
    desk_of: DeskOf | None = None,
) -> dict[str, dict[str, object] | None]:
    """The status of many payloads from one look (the phones' poller); None: not ours.

    Args:
        genuine: the payloads verified so far, to be passed again to the next look.
        unless: more payloads, each with the state its phone last heard: their status only
            if the state is no longer that one (a cheap check; the poller asks it of phones
            far from their turn, whose count of people ahead may wait).
    """
    look = Look(config, store, key, now, everyone=True, genuine=genuine, desk_of=desk_of)
    out: dict[str, dict[str, object] | None] = {}
    for text in texts:
        try:
            out[text] = look.find(text).status.as_json()
        except NotOurs:
            out[text] = None
    for text, state in (unless or {}).items():
        with contextlib.suppress(NotOurs):
            if look.state(text) != state:
                out[text] = look.find(text).status.as_json()
    return out


def queue_statuses(
    config: Config, store: Store, key: bytes, now: datetime, service: str
) -> list[tuple[str, dict[str, object]]]:
    """``(payload, status)`` of every ticket waiting for ``service`` (in call order, the
    nearest to their turn first) and then every one at a desk: what the phone page shows each.
    """
    look = Look(config, store, key, now, everyone=True)
    order = list(look._queue(service))
    at_desk = sorted(
        b.code
        for b in look._briefs().values()
        if b.status is Status.CALLED and b.waits_for == service
    )
    out = []
    for code in order + at_desk:
        text = ticket_payload.sign(key, config.branch, look.day, code)
        out.append((text, look.find(text).status.as_json()))
    return out


def check(config: Config, key: bytes, text: str) -> None:
    """Whether ``text`` is a genuine payload of this branch (no database needed).

    Raises:
        NotOurs: it is not.
    """
    try:
        ticket_payload.verify(key, config.branch, text)
    except ticket_payload.PayloadError:
        raise NotOurs from None


def status_of(
    config: Config,
    store: Store,
    key: bytes,
    text: str,
    now: datetime,
    desk_of: DeskOf | None = None,
) -> Found:
    """The status of the ticket whose QR holds ``text``.

    Raises:
        NotOurs: the payload is not a genuine ticket of this branch.
    """
    return Look(config, store, key, now, desk_of=desk_of).find(text)
