"""The phone page for citizens outside the building, from the branch's latest
``service.status`` only: the same page and status object as the branch server's
(:mod:`kiosk.phone`), without the ticket key and without desks.

The central service cannot check the payload's signature, and needs not: all it tells is
what the waiting-room screens show (the number being served and the numbers waiting). A
called ticket reads "it's your turn, see the screens"; one no longer in the lists reads
"already called" when a later number has been seen, else "will appear in a moment" (the
status reaches the central at most every 30 s).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

from central.store import Status
from kiosk.core.tickets import parse_code
from kiosk.phone.status import TicketStatus


def _number(code: str | None) -> int:
    return parse_code(code).number if code else 0


def ticket_status(latest: Mapping[str, Status], day: date, code: str) -> TicketStatus:
    """Where ticket ``code`` of ``day`` is, as far as the latest statuses tell."""
    service = parse_code(code).service
    today = {s: st for s, st in latest.items() if st.day == day.isoformat()}
    for status in today.values():
        if code in status.waiting:
            ahead = status.waiting.index(code)
            return TicketStatus(
                code, status.service, "waiting", ahead, status.now, _wait(status, ahead)
            )
        if status.now == code:
            return TicketStatus(code, status.service, "called", None, status.now)
    own = today.get(service)
    if own is None:
        return TicketStatus(code, service, "unknown")
    seen = max([_number(own.now), *(_number(c) for c in own.waiting)])
    state = "past" if parse_code(code).number < seen else "pending"
    return TicketStatus(code, service, state, None, own.now)


def _wait(status: Status, ahead: int) -> list[int]:
    """The branch's range is for someone joining the end of the line, with everyone waiting
    ahead; a citizen further up waits that share of it."""
    share = (ahead + 1) / (len(status.waiting) + 1)
    low, high = status.wait
    return [math.floor(low * share), max(1, math.ceil(high * share))]
