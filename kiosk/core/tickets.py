"""Ticket codes: a service code (one or two capital letters) and three digits, ``A042``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MAX_NUMBER = 999
SERVICE_CODE = re.compile(r"\A[A-Z]{1,2}\Z", re.ASCII)
TICKET_CODE = re.compile(r"\A([A-Z]{1,2})(\d{3})\Z", re.ASCII)


class Kind(StrEnum):
    """How a ticket came to be."""

    WALKIN = "walkin"
    REENTRY = "reentry"
    APPOINTMENT = "appointment"


class Status(StrEnum):
    """Where a ticket is in its day."""

    WAITING = "waiting"
    CALLED = "called"
    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"


@dataclass(frozen=True)
class TicketCode:
    """A parsed ticket code."""

    service: str
    number: int

    def __str__(self) -> str:
        return format_code(self.service, self.number)


def format_code(service: str, number: int) -> str:
    """``format_code("A", 42) == "A042"``.

    Raises:
        ValueError: the service code or the number is out of range.
    """
    if not SERVICE_CODE.match(service):
        raise ValueError(f"service code {service!r} is not one or two capital letters")
    if not 1 <= number <= MAX_NUMBER:
        raise ValueError(f"ticket number {number} is outside 1..{MAX_NUMBER}")
    return f"{service}{number:03d}"


def parse_code(text: str) -> TicketCode:
    """Parse ``"A042"``.

    Raises:
        ValueError: not a ticket code.
    """
    match = TICKET_CODE.match(text)
    if not match or int(match.group(2)) == 0:
        raise ValueError("not a ticket code")
    return TicketCode(match.group(1), int(match.group(2)))


def next_number(last_issued: int | None) -> int:
    """The number after the last one issued today for a service (1 for the first).

    Raises:
        ValueError: the day's numbers are used up.
    """
    number = (last_issued or 0) + 1
    if number > MAX_NUMBER:
        raise ValueError("no more ticket numbers today")
    return number
