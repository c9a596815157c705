"""The totem's use cases: what happens when a citizen touches a service or scans a code.

Used identically by the touch UI and by ``kiosk issue`` / ``kiosk scan``, so a technician's
command does exactly what the screen does. Pure rules come from :mod:`kiosk.core`; this module
only gathers their inputs from the store and the clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from drivers.printer.device import Printer
from kiosk.config import Config, Service
from kiosk.core import payload as ticket_payload
from kiosk.core.hours import local_instant, parse_time
from kiosk.core.queue import (
    Availability,
    Reason,
    availability,
    learned_service_minutes,
    pace_cut,
    people_ahead,
    wait_minutes,
)
from kiosk.core.scan import (
    Decision,
    Result,
    ScanKind,
    ScannedTicket,
    ScanRefused,
    booking_shaped,
    checkin_window,
    classify,
    ticket_decision,
)
from kiosk.core.tickets import Kind
from kiosk.store import Store
from kiosk.store import state as shared_state
from kiosk.store import tickets as store_tickets
from kiosk.store import totems as store_totems
from kiosk.store.tickets import Issue, IssueRefused, Ticket
from kiosk.store.totems import Request

if TYPE_CHECKING:
    from drivers.printer.ticket import Layout

# The ticket's drawing (drivers.printer.ticket) and the day's bookings (kiosk.store.appointments)
# load when first used: the home screen's first figures wait for neither. The UI's worker loads
# them as soon as home is drawn (warm_up), so a citizen's first touch does not wait either.

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Unavailable(Exception):
    """A walk-in ticket cannot be issued now; ``availability`` says why."""

    def __init__(self, service: str, state: Availability, text: str) -> None:
        super().__init__(f"service {service}: {text}")
        self.availability = state


@dataclass(frozen=True)
class ServiceState:
    """What the home screen shows for one service."""

    service: Service
    waiting: int
    wait_min: int
    availability: Availability


@dataclass(frozen=True)
class Issued:
    """A ticket just issued, with what goes on paper and on screen."""

    ticket: Ticket
    payload: str
    qr: str  # what the QR code holds: the payload, or the status URL carrying it
    ahead: int
    wait_min: int
    printed: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket.code,
            "service": self.ticket.service,
            "payload": self.payload,
            "ahead": self.ahead,
            "wait_min": self.wait_min,
            "printed": self.printed,
        }


@dataclass(frozen=True)
class ScanOutcome:
    """What a scan led to. ``issued`` is set when a ticket was issued or requeued."""

    result: Result
    reason: str
    issued: Issued | None = None
    come_back_at: str | None = None  # too_early: branch-local HH:MM
    offer: ServiceState | None = None  # too_late: the walk-in the citizen may take instead

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "result": self.result.value,
            "ticket": self.issued.ticket.code if self.issued else None,
            "reason": self.reason,
        }
        if self.issued:
            out.update(self.issued.as_json())
        if self.come_back_at:
            out["come_back_at"] = self.come_back_at
        if self.offer:
            out["walkin_available"] = self.offer.availability.available
        return out


def paper_layout(
    config: Config,
    svg_png: Callable[[bytes], bytes | None] | None = None,
    width_mm: int | None = None,
) -> Layout:
    """The ticket's layout for ``config``: its paper, the town's crest on top (a PNG as it is;
    an SVG drawn by ``svg_png``, the UI's Qt, or left out without it), and the number and the
    service in the bold type unless the printer is on a slow serial line."""
    from drivers.printer.ticket import Layout, raster_suits

    width = width_mm or config.paper_width
    return Layout.build(width, _crest(config, svg_png), raster_suits(config.printer_uri))


def _crest(config: Config, svg_png: Callable[[bytes], bytes | None] | None) -> bytes | None:
    from kiosk.branding import LogoError, is_svg, logo_bytes

    path = config.branding.logo
    if path is None:
        return None
    try:
        data = logo_bytes(path)  # checked again: the file can change after the check
    except LogoError as exc:
        log.warning("the ticket is printed without the crest: %s", exc)
        return None
    if not is_svg(data):
        return data
    if svg_png is None:
        return None
    try:
        return svg_png(data)
    except Exception:  # a drawing library's fault must not keep the ticket from printing
        log.exception("the ticket is printed without the crest: it could not be drawn")
        return None


class Paper:
    """What every totem does itself, host or satellite: its printer and its clock.

    Args:
        config: the validated configuration.
        clock: returns the current instant (aware); injected so tests choose the time.
        printer: the ticket printer, or None for a totem without one.
        layout: the paper layout (logo rasterised once); built from the config when None.
    """

    def __init__(
        self,
        config: Config,
        clock: Callable[[], datetime] = utc_now,
        printer: Printer | None = None,
        layout: Layout | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.printer = printer
        self._layout = layout
        # An SVG crest needs a drawing library to become a picture: the UI gives its own
        # (Qt's); without one, only a PNG crest is printed.
        self.logo_png: Callable[[bytes], bytes | None] | None = None

    @property
    def layout(self) -> Layout:
        """Built at the first ticket, not at start: the crest's picture and python-escpos
        are not the home screen's business."""
        if self._layout is None:
            self._layout = paper_layout(self.config, self.logo_png)
        return self._layout

    def record_printer_state(self, state: str) -> None:
        """Where the printer's state goes when it prints (a host shares it with its sync
        agent); by default, nowhere."""

    def printer_blocks(self, fresh: bool = False) -> bool:
        """Whether issuing is stopped because the printer cannot print and on_fault = block.

        Args:
            fresh: ask the printer now instead of using the last known state.
        """
        if self.config.on_fault != "block" or self.printer is None:
            return False
        state = self.printer.status() if fresh else self.printer.last_state
        return not state.can_print

    def today(self, now: datetime | None = None) -> date:
        return (now or self.clock()).astimezone(self.config.timezone).date()

    def _service(self, code: str) -> Service:
        service = self.config.service(code)
        if service is None:
            raise KeyError(code)
        return service

    def print(self, issued: Issued, lang: str | None = None) -> Issued:
        """Print a ticket; returns it with ``printed`` saying whether the printer confirmed."""
        if self.printer is None:
            return issued
        from drivers.printer.ticket import TicketContent, Unprintable, printable_language
        from drivers.printer.ticket import render as render_ticket

        service = self._service(issued.ticket.service)
        language = printable_language(
            lang or self.config.languages[0], dict(service.name), self.config.languages[0]
        )
        content = TicketContent(
            branch_name=self.config.branch_name,
            code=issued.ticket.code,
            service_name=service.name[language],
            lang=language,
            issued_at=issued.ticket.issued_at.astimezone(self.config.timezone),
            ahead=issued.ahead,
            wait_min=issued.wait_min,
            qr=issued.qr,
            payload=issued.payload,
            reentry_of=issued.ticket.ref if issued.ticket.kind is Kind.REENTRY else None,
            appointment_slot=(
                issued.ticket.slot_at.astimezone(self.config.timezone).strftime("%H:%M")
                if issued.ticket.slot_at
                else None
            ),
        )
        try:
            job = render_ticket(content, self.layout)
        except Unprintable as exc:  # a branch or service name outside the code page
            # No ticket number in the journal: it outlives the day's purge (issue 23).
            log.error("a ticket was not printed: %s", exc)
            return issued
        result = self.printer.print_job(job)
        self.record_printer_state(result.state.value)
        if not result.printed:
            log.warning("a ticket was not printed: printer %s", result.state)
        return replace(issued, printed=result.printed)


class Totem(Paper):
    """The use cases of one totem.

    Args:
        config: the validated configuration.
        store: the open database.
        key: the per-installation HMAC key for ticket payloads.
        clock: returns the current instant (aware); injected so tests choose the time.
        printer: the ticket printer, or None for a totem without one.
        layout: the paper layout (logo rasterised once); built from the config when None.
    """

    def __init__(
        self,
        config: Config,
        store: Store,
        key: bytes,
        clock: Callable[[], datetime] = utc_now,
        printer: Printer | None = None,
        layout: Layout | None = None,
    ) -> None:
        super().__init__(config, clock, printer, layout)
        self.store = store
        self.key = key
        self._recorded_printer_state: str | None = None

    def close(self) -> None:
        self.store.close()

    # -- the home screen --------------------------------------------------------------------

    def states(self) -> list[ServiceState]:
        """Every service's availability, queue and wait estimate, in configuration order."""
        now = self.clock()
        day = self.today(now).isoformat()
        counts = store_tickets.counts(self.store, day)
        blocks = self.printer_blocks()
        return [
            self._state(s, now, day, counts.get(s.code, {}), blocks) for s in self.config.services
        ]

    def state(self, code: str) -> ServiceState:
        service = self._service(code)
        now = self.clock()
        day = self.today(now).isoformat()
        counts = store_tickets.counts(self.store, day).get(code, {})
        return self._state(service, now, day, counts, self.printer_blocks())

    def _state(
        self, service: Service, now: datetime, day: str, counts: dict[str, int], blocks: bool
    ) -> ServiceState:
        waiting = counts.get("waiting", 0)
        wait = self._wait(service, day, waiting, now)
        state = availability(
            now=now,
            tz=self.config.timezone,
            hours=service.hours,
            issued_today=counts.get("walkins", 0),
            daily_cap=service.daily_cap,
            wait_min=wait,
            printer_blocks=blocks,
        )
        if state.available and counts.get("last", 0) >= 999:
            state = Availability(Reason.CAP_REACHED)
        return ServiceState(service, waiting, wait, state)

    def _wait(self, service: Service, day: str, ahead: int, now: datetime) -> int:
        """The home screen's and the LAN's wait: the pace of the citizens served before the
        last quarter hour, as the phone page's, so it never moves when a desk presses done
        (a tokenless client polling /api/v1/queue timed desks by it); only a call or the
        quarter hour's tick moves it."""
        served = store_tickets.served_minutes(self.store, day, service.code, pace_cut(now))
        minutes = learned_service_minutes(service.minutes, served)
        return wait_minutes(ahead, minutes, service.desks)

    # -- issuing ----------------------------------------------------------------------------

    def issue_walkin(
        self, code: str, lang: str | None = None, request: Request | None = None
    ) -> Issued:
        """Issue a walk-in ticket for service ``code`` if it is available now, and print it.

        Args:
            code: the service.
            lang: the citizen's language (the ticket is printed in it where possible).
            request: a satellite's request: made again, it answers the ticket it issued,
                whatever has changed since.

        Raises:
            KeyError: no such service.
            Unavailable: closed, capped, closing, or the printer blocks issuing.
        """
        again = self._replay(request)
        if again is not None:
            return again[2]
        if self.printer_blocks(fresh=True):
            now = self.clock()
            blocked = Availability(Reason.PRINTER)
            raise Unavailable(code, blocked, blocked.describe(self.config.timezone, now))
        state = self.state(code)
        now = self.clock()
        if not state.availability.available:
            raise Unavailable(
                code, state.availability, state.availability.describe(self.config.timezone, now)
            )
        try:
            ticket = store_tickets.issue(
                self.store,
                self._request(code, now, lang, walkin_cap=state.service.daily_cap, request=request),
            )
        except IssueRefused:
            capped = Availability(Reason.CAP_REACHED)
            raise Unavailable(code, capped, capped.describe(self.config.timezone, now)) from None
        return self.print(self._issued(ticket, now), lang)

    def record_printer_state(self, state: str) -> None:
        """Share the printer state with the other processes (the sync agent reports changes
        to the central server as kiosk.health); written only when it changes."""
        if state != self._recorded_printer_state:
            shared_state.put(self.store, {"printer.state": state})
            self._recorded_printer_state = state

    def _request(self, code: str, now: datetime, lang: str | None, **extra: Any) -> Issue:
        return Issue(
            lang=lang if lang in self.config.languages else self.config.languages[0],
            branch=self.config.branch,
            tz=self.config.timezone,
            day=self.today(now),
            service=code,
            now=now,
            **extra,
        )

    def _issued(self, ticket: Ticket, now: datetime) -> Issued:
        day = date.fromisoformat(ticket.day)
        waiting = store_tickets.waiting(self.store, ticket.day, ticket.service)
        ahead = (
            people_ahead(waiting, ticket.id, now)
            if any(w.ticket_id == ticket.id for w in waiting)
            else 0
        )
        service = self._service(ticket.service)
        payload = ticket_payload.sign(self.key, self.config.branch, day, ticket.code)
        return Issued(
            ticket=ticket,
            payload=payload,
            qr=ticket_payload.with_status_url(
                self.config.status_url,
                payload,
                shared_state.seal_key(self.store, ticket.day, self.key),
            ),
            ahead=ahead,
            wait_min=self._wait(service, ticket.day, ahead, now),
        )

    def _replay(self, request: Request | None) -> tuple[str, str, Issued] | None:
        """What a satellite's request gave the first time (result, reason, ticket), if any."""
        if request is None:
            return None
        found = store_totems.lookup(self.store, request)
        ticket = store_tickets.by_id(self.store, found.ticket_id) if found else None
        if found is None or ticket is None:
            return None
        log.info("a satellite's request made again: the same ticket answered")
        return found.result, found.reason, self._issued(ticket, self.clock())

    # -- scanning ---------------------------------------------------------------------------

    def scan(
        self, raw: str, lang: str | None = None, request: Request | None = None
    ) -> ScanOutcome:
        """Handle a scanned code exactly as the totem does, printing any ticket it issues.

        Never logs the scanned text, only its kind and the outcome. A satellite's ``request``
        made again answers what it gave the first time.
        """
        again = self._replay(request)
        if again is not None:
            result, reason, issued = again
            if result not in set(Result):  # the id of a walk-in's request, sent with a scan
                return ScanOutcome(Result.REJECTED, "request_reused")
            return ScanOutcome(Result(result), reason, issued)
        try:
            scan = classify(raw)
        except ScanRefused as exc:
            log.info("scan refused: %s", exc.reason)
            return ScanOutcome(Result.REJECTED, exc.reason)
        if scan.kind is ScanKind.TICKET:
            outcome = self._scan_ticket(scan.text, lang, request)
            if outcome.reason == "not_genuine" and booking_shaped(raw.strip()):
                # A booking code can happen to have a ticket's shape; try it as one.
                booking = self._scan_booking(raw.strip(), lang, request)
                outcome = outcome if booking.reason == "unknown_booking" else booking
        else:
            outcome = self._scan_booking(scan.text, lang, request)
        log.info("scan of a %s: %s (%s)", scan.kind.value, outcome.result.value, outcome.reason)
        if outcome.issued is not None and outcome.reason != "requeued":
            outcome = replace(outcome, issued=self.print(outcome.issued, lang))
        return outcome

    def _scan_ticket(self, text: str, lang: str | None, request: Request | None) -> ScanOutcome:
        now = self.clock()
        try:
            genuine = ticket_payload.verify(self.key, self.config.branch, text)
        except ticket_payload.PayloadError:
            return ScanOutcome(Result.REJECTED, "not_genuine")
        today = self.today(now)
        ticket = store_tickets.find(self.store, genuine.day.isoformat(), genuine.code)
        service = self.config.service(ticket.service) if ticket else None
        service_open = (
            service is not None
            and service.hours.current_window(now, self.config.timezone) is not None
        )
        decision: Decision = ticket_decision(
            None
            if ticket is None
            else ScannedTicket(ticket.status, ticket.reentry_issued, ticket.no_show_at),
            same_day=genuine.day == today,
            service_open=service_open,
            now=now,
            no_show_tolerance_min=self.config.no_show_tolerance_min,
        )
        if decision.result is not Result.REENTRY or ticket is None:
            return ScanOutcome(decision.result, decision.reason)
        if decision.reason == "requeued":
            store_tickets.requeue_no_show(self.store, ticket.id, now)
            again = store_tickets.find(self.store, ticket.day, ticket.code)
            assert again is not None
            return ScanOutcome(Result.REENTRY, "requeued", self._issued(again, now))
        try:
            issued = store_tickets.issue_reentry(
                self.store,
                self._request(
                    ticket.service,
                    now,
                    lang,
                    kind=Kind.REENTRY,
                    ref=ticket.code,
                    request=request,
                    answer=(Result.REENTRY.value, "served"),
                ),
                ticket.id,
            )
        except IssueRefused as exc:
            return ScanOutcome(Result.REJECTED, exc.reason)
        return ScanOutcome(Result.REENTRY, "served", self._issued(issued, now))

    def _scan_booking(self, code: str, lang: str | None, request: Request | None) -> ScanOutcome:
        from kiosk.store import appointments as store_appointments

        now = self.clock()
        day = self.today(now)
        hashed = store_appointments.day_hash(self.store, day.isoformat())
        appt = None if hashed is None else store_appointments.find(
            self.store, day.isoformat(), hashed.of(code)
        )  # fmt: skip
        if appt is None:
            return ScanOutcome(Result.REJECTED, "unknown_booking")
        if appt["ticket"] is not None:
            return ScanOutcome(Result.REJECTED, "already_checked_in")
        if self.config.service(appt["service"]) is None:
            return ScanOutcome(Result.REJECTED, "unknown_service")
        slot_at = local_instant(day, parse_time(appt["slot"]), self.config.timezone)
        decision = checkin_window(
            slot_at,
            now,
            early_min=self.config.appointment_early_min,
            grace_min=self.config.appointment_grace_min,
        )
        if decision.result is Result.TOO_EARLY:
            assert decision.at is not None
            at = decision.at.astimezone(self.config.timezone).strftime("%H:%M")
            return ScanOutcome(Result.TOO_EARLY, decision.reason, come_back_at=at)
        if decision.result is Result.TOO_LATE:
            return ScanOutcome(Result.TOO_LATE, decision.reason, offer=self.state(appt["service"]))
        checking_in = self._request(
            appt["service"],
            now,
            lang,
            kind=Kind.APPOINTMENT,
            ref=appt["ref"],
            slot_at=slot_at,
            request=request,
            answer=(Result.CHECKIN.value, decision.reason),
        )
        try:
            ticket = store_tickets.check_in(self.store, checking_in, day.isoformat())
        except IssueRefused as exc:
            return ScanOutcome(Result.REJECTED, exc.reason)
        return ScanOutcome(Result.CHECKIN, decision.reason, self._issued(ticket, now))
