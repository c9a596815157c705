"""What a scan at the totem means: input checks, the re-entry rule and check-in windows.

Scanned text is untrusted. It is length-limited, refused when it holds control characters,
and never logged raw; callers log only the kind of code and the outcome.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from kiosk.core import payload as ticket_payload
from kiosk.core.tickets import Status

MAX_SCAN_LENGTH = 128
# Booking codes the central system issues: letters, digits and a few separators.
_BOOKING = re.compile(r"\A[A-Za-z0-9._:-]{6,64}\Z", re.ASCII)


class Result(StrEnum):
    """The outcome names of docs/command.md (``kiosk scan``)."""

    REENTRY = "reentry"
    CHECKIN = "checkin"
    TOO_EARLY = "too_early"
    TOO_LATE = "too_late"
    REJECTED = "rejected"


class ScanKind(StrEnum):
    TICKET = "ticket"
    BOOKING = "booking"


class ScanRefused(ValueError):
    """The scanned text cannot be a code we issue; ``reason`` is a short stable word."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Scan:
    """A scan that passed the input checks."""

    kind: ScanKind
    text: str  # ticket: the bare payload; booking: the code as scanned


def classify(raw: str) -> Scan:
    """Check untrusted scanned text and say whether it looks like a ticket or a booking code.

    Raises:
        ScanRefused: too long, empty, control characters, or neither shape.
    """
    text = raw.strip()
    if not text:
        raise ScanRefused("empty")
    if len(raw) > MAX_SCAN_LENGTH + 2 or len(text) > MAX_SCAN_LENGTH:
        raise ScanRefused("too_long")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise ScanRefused("control_characters")
    candidate = ticket_payload.extract(text).upper()
    if ticket_payload.looks_like_payload(candidate):
        return Scan(ScanKind.TICKET, candidate)
    if _BOOKING.match(text):
        return Scan(ScanKind.BOOKING, text)
    raise ScanRefused("unrecognised")


def booking_shaped(text: str) -> bool:
    """Whether text could be a booking code (a ticket-shaped code may be one too)."""
    return _BOOKING.match(text) is not None


@dataclass(frozen=True)
class Decision:
    """What to do about a scan: a result name, a reason word, and a time where relevant."""

    result: Result
    reason: str = ""
    at: datetime | None = None  # too_early: come back after this instant (UTC)


def checkin_window(slot_at: datetime, now: datetime, *, early_min: int, grace_min: int) -> Decision:
    """Whether an appointment at ``slot_at`` can be checked in at ``now``.

    Early by more than ``early_min``: come back at ``slot_at - early_min``. Late by more than
    ``grace_min``: too late (the caller offers a walk-in ticket if the service has one).
    """
    instant = now.astimezone(UTC)
    opens = slot_at.astimezone(UTC) - timedelta(minutes=early_min)
    if instant < opens:
        return Decision(Result.TOO_EARLY, "early", opens)
    if instant > slot_at.astimezone(UTC) + timedelta(minutes=grace_min):
        return Decision(Result.TOO_LATE, "late")
    return Decision(Result.CHECKIN, "on_time")


@dataclass(frozen=True)
class ScannedTicket:
    """What the store knows of a ticket whose payload was scanned."""

    status: Status
    returned: bool  # a re-entry was already issued for it
    no_show_at: datetime | None = None


def ticket_decision(
    ticket: ScannedTicket | None,
    *,
    same_day: bool,
    service_open: bool,
    now: datetime,
    no_show_tolerance_min: int,
) -> Decision:
    """The re-entry rule for a scanned genuine ticket.

    A ticket served today gives one priority re-entry ticket for the same service while the
    service is open. A no-show who comes back within the tolerance is put back near the front
    of the queue with the same ticket (result ``reentry``, reason ``requeued``).
    """
    if not same_day:
        return Decision(Result.REJECTED, "other_day")
    if ticket is None:
        return Decision(Result.REJECTED, "unknown_ticket")
    if ticket.status in (Status.WAITING, Status.CALLED):
        return Decision(Result.REJECTED, "still_waiting")
    if ticket.status is Status.TRANSFERRED:
        return Decision(Result.REJECTED, "transferred")
    if ticket.status is Status.NO_SHOW:
        limit = timedelta(minutes=no_show_tolerance_min)
        if ticket.no_show_at is None or now.astimezone(UTC) - ticket.no_show_at > limit:
            return Decision(Result.REJECTED, "no_show_expired")
        if not service_open:
            return Decision(Result.REJECTED, "service_closed")
        return Decision(Result.REENTRY, "requeued")
    if ticket.returned:
        return Decision(Result.REJECTED, "already_returned")
    if not service_open:
        return Decision(Result.REJECTED, "service_closed")
    return Decision(Result.REENTRY, "served")
