"""Where a ticket is now, for the citizen holding it (the phone page of docs/branch-api.md).

Computed from the live queue with the same call order the desks use, for a payload whose HMAC
checks out: a forged or altered one learns nothing, not even whether such a number exists.
The central service will build the same object from the branch's latest ``service.status``
(without the key, and without desks).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from kiosk.config import Config
from kiosk.core import figures
from kiosk.core import payload as ticket_payload
from kiosk.core.tickets import Status
from kiosk.reports import published_pace
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


def statuses(
    config: Config, store: Store, key: bytes, texts: list[str], now: datetime
) -> dict[str, dict[str, object] | None]:
    """:func:`status_of` for many payloads at once (the phones' poller); None: not ours."""
    out: dict[str, dict[str, object] | None] = {}
    for text in texts:
        try:
            out[text] = status_of(config, store, key, text, now).as_json()
        except NotOurs:
            out[text] = None
    return out


def status_of(config: Config, store: Store, key: bytes, text: str, now: datetime) -> TicketStatus:
    """The status of the ticket whose QR holds ``text``.

    Raises:
        NotOurs: the payload is not a genuine ticket of this branch.
    """
    try:
        genuine = ticket_payload.verify(key, config.branch, text)
    except ticket_payload.PayloadError:
        raise NotOurs from None
    service_code = genuine.code.rstrip("0123456789")
    today = now.astimezone(config.timezone).date()
    ticket = store_tickets.find(store, genuine.day.isoformat(), genuine.code)
    if ticket is None or genuine.day != today:
        return TicketStatus(genuine.code, service_code, "unknown")
    queue = ticket.waits_for
    day = ticket.day
    serving = store_desks.now_serving(store, day, queue)
    if ticket.status is Status.WAITING:
        order = store_tickets.call_queue(store, day, queue, now)
        ahead = order.index(ticket.code) if ticket.code in order else 0
        service = config.service(queue)
        pace = published_pace(store, day, service) if service else 0.0
        wait = figures.wait_range(ahead, pace, service.desks if service else 1)
        return TicketStatus(ticket.code, queue, "waiting", ahead, serving, wait)
    state = _STATES.get(ticket.status, "unknown")
    desk = ticket.desk if ticket.status is Status.CALLED else None
    return TicketStatus(ticket.code, queue, state, None, serving, None, desk)
