"""A satellite totem: it issues and scans through the host, and prints on its own printer.

The satellite keeps no queue and no outbox. Each touch gets a request id, and a request is
retried with the same id until :data:`PATIENCE` runs out, so an answer lost on the way never
costs a second ticket (the host answers the same one). A ticket is printed only once the host
has answered it: it is either in the host's queue, or it was never printed.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from drivers.printer.device import Printer
from kiosk import secrets
from kiosk.config import Config
from kiosk.core.queue import Availability, Reason
from kiosk.core.scan import Result
from kiosk.core.tickets import Kind, Status
from kiosk.store.tickets import Ticket
from kiosk.totem import Issued, Paper, ScanOutcome, ServiceState, Unavailable, utc_now

if TYPE_CHECKING:
    import requests

    from drivers.printer.ticket import Layout

log = logging.getLogger(__name__)

PATIENCE = 3.0  # seconds a touch keeps trying the host before the screen says it is away
CONNECT_TIMEOUT = 1.0
REPORT_EVERY = 60.0  # seconds between printer reports to the host when nothing changes
MOST_UNANSWERED = 20


class HostAway(Exception):
    """The host cannot be reached, or does not accept this totem's token."""


class HostClient:
    """The host's satellite API (docs/branch-api.md) over one HTTP session."""

    def __init__(self, config: Config, patience: float = PATIENCE) -> None:
        if config.host_url is None or config.host_token_file is None:
            raise HostAway('not a satellite: kiosk.role = "satellite" needs [branch] url')
        self.url, self.patience = config.host_url, patience
        self.token_file = config.host_token_file
        import requests  # only on a satellite: every other command starts without it

        self.http = requests.Session()
        # Given with every request: a session's own verify loses to REQUESTS_CA_BUNDLE.
        self.verify: str | bool = str(config.host_ca_file) if config.host_ca_file else True

    def _headers(self) -> dict[str, str]:
        try:
            token = secrets.read(self.token_file).decode().strip()
        except OSError as exc:
            raise HostAway(f"branch.token_file {self.token_file}: {exc.strerror}") from None
        return {"Authorization": f"Bearer {token}"}

    def post(self, what: str, body: dict[str, Any]) -> requests.Response:
        """POST ``body`` (with its request id) until the host answers, within the patience."""
        import requests

        deadline = time.monotonic() + self.patience
        headers, pause = self._headers(), 0.1
        while True:
            left = deadline - time.monotonic()
            try:
                answer = self.http.post(
                    f"{self.url}/api/v1/{what}",
                    json=body,
                    headers=headers,
                    verify=self.verify,
                    timeout=(min(CONNECT_TIMEOUT, max(left, 0.1)), max(left, 0.1)),
                )
            except requests.RequestException as exc:
                if time.monotonic() + pause >= deadline:
                    reason = type(exc).__name__
                    raise HostAway(f"the host {self.url} does not answer ({reason})") from None
                time.sleep(pause)
                pause = min(pause * 2, 0.5)
                continue
            if answer.status_code == 401:
                raise HostAway("the host does not accept this totem's token (kiosk totem add)")
            if answer.status_code >= 500:
                if time.monotonic() + pause >= deadline:
                    raise HostAway(f"the host answers {answer.status_code}")
                time.sleep(pause)
                continue
            return answer

    def queue(self) -> list[dict[str, Any]]:
        import requests

        try:
            answer = self.http.get(
                f"{self.url}/api/v1/queue", timeout=(CONNECT_TIMEOUT, 2.0), verify=self.verify
            )
            answer.raise_for_status()
        except requests.RequestException as exc:
            raise HostAway(f"the host {self.url} does not answer ({type(exc).__name__})") from None
        return list(answer.json()["services"])

    def report(self, printer: str) -> bool:
        """Tell the host this totem's printer state, once, briefly; True when it was heard."""
        return self._once("health", {"printer": printer})

    def void(self, request: str) -> bool:
        """Tell the host that a touch's ticket was never printed; True once it has heard."""
        return self._once("tickets/void", {"request": request})

    def _once(self, what: str, body: dict[str, Any]) -> bool:
        """POST once, briefly, never raising: for what can wait for the next try."""
        import requests

        try:
            answer = self.http.post(
                f"{self.url}/api/v1/{what}",
                json=body,
                headers=self._headers(),
                verify=self.verify,
                timeout=(CONNECT_TIMEOUT, 2.0),
            )
        except (requests.RequestException, HostAway):
            return False
        return answer.status_code == 200

    def close(self) -> None:
        self.http.close()


class SatelliteTotem(Paper):
    """The use cases of a satellite totem, the same as :class:`~kiosk.totem.Totem`'s.

    Raises (from every use case that needs the host):
        HostAway: the host cannot be reached within the patience, or refuses the token.
    """

    def __init__(
        self,
        config: Config,
        client: HostClient | None = None,
        clock: Callable[[], datetime] = utc_now,
        printer: Printer | None = None,
        layout: Layout | None = None,
    ) -> None:
        super().__init__(config, clock, printer, layout)
        self.client = client or HostClient(config)
        self.last_printer_state: str | None = None
        self._reported: tuple[str, float] | None = None  # state told to the host, and when
        self.unanswered: list[str] = []  # request ids of touches the host never answered

    def record_printer_state(self, state: str) -> None:
        self.last_printer_state = state

    def close(self) -> None:
        self.client.close()

    def _request(self) -> str:
        return str(uuid.uuid4())

    def report_printer(self) -> None:
        """Tell the host this totem's printer state when it changed or a minute passed: the
        host's sync agent sends it on as this totem's ``kiosk.health``."""
        state = self.last_printer_state
        if state is None and self.printer is not None:
            state = self.printer.last_state.value
        state = state or "unknown"
        now = time.monotonic()
        if self._reported and self._reported[0] == state and now - self._reported[1] < REPORT_EVERY:
            return
        if self.client.report(state):
            self._reported = (state, now)

    def void_unanswered(self) -> None:
        """Ask the host to take out the tickets of touches it never answered (none printed)."""
        for request in list(self.unanswered):
            if self.client.void(request):
                self.unanswered.remove(request)

    def states(self) -> list[ServiceState]:
        """The host's figures for every service, with this totem's own printer (and its
        printer's state told to the host, when due)."""
        found = {s["code"]: s for s in self.client.queue()}
        self.report_printer()
        self.void_unanswered()
        blocks = self.printer_blocks()
        out = []
        for service in self.config.services:
            seen = found.get(service.code)
            if seen is None:
                continue
            reason = Reason(seen["reason"])
            if reason is Reason.PRINTER:  # the host's printer, not this one
                reason = Reason.OPEN
            if reason is Reason.OPEN and blocks:
                reason = Reason.PRINTER
            until = seen.get("until")
            state = Availability(reason, datetime.fromisoformat(until) if until else None)
            out.append(ServiceState(service, int(seen["waiting"]), int(seen["wait_min"]), state))
        return out

    def state(self, code: str) -> ServiceState:
        self._service(code)
        found = [s for s in self.states() if s.service.code == code]
        if not found:
            raise HostAway(f"the host does not offer service {code}")
        return found[0]

    def issue_walkin(self, code: str, lang: str | None = None) -> Issued:
        """Issue a walk-in ticket through the host, then print it here.

        Raises:
            KeyError: no such service here.
            Unavailable: the host gives no ticket now, or this printer blocks issuing.
            HostAway: the host did not answer.
        """
        self._service(code)
        if self.printer_blocks(fresh=True):
            blocked = Availability(Reason.PRINTER)
            raise Unavailable(code, blocked, blocked.describe(self.config.timezone, self.clock()))
        body = {"service": code, "request": self._request(), "lang": self._lang(lang)}
        try:
            answer = self.client.post("tickets", body)
        except HostAway:
            # The host may have issued it before going away: once it is back, it takes that
            # ticket out of the queue, so no desk calls a number nobody holds.
            self.unanswered = [*self.unanswered[-(MOST_UNANSWERED - 1) :], body["request"]]
            raise
        if answer.status_code == 409:
            refused = answer.json()
            until = refused.get("until")
            state = Availability(
                Reason(refused["reason"]), datetime.fromisoformat(until) if until else None
            )
            raise Unavailable(code, state, state.describe(self.config.timezone, self.clock()))
        if answer.status_code != 200:
            raise HostAway(f"the host refused the ticket: {answer.status_code} {answer.text[:80]}")
        issued = _issued(answer.json(), self.today())
        return self.print(issued, lang)

    def scan(self, raw: str, lang: str | None = None) -> ScanOutcome:
        """Handle a scanned code through the host; print any ticket it issues here. The
        scanned text goes to the host only, never to a log."""
        body = {"text": raw, "request": self._request(), "lang": self._lang(lang)}
        answer = self.client.post("scans", body)
        if answer.status_code != 200:
            return ScanOutcome(Result.REJECTED, "too_long" if answer.status_code == 422 else "host")
        got = answer.json()
        outcome = ScanOutcome(
            Result(got["result"]),
            got["reason"],
            _issued(got, self.today()) if got.get("payload") else None,
            come_back_at=got.get("come_back_at"),
        )
        log.info("scan through the host: %s (%s)", outcome.result.value, outcome.reason)
        if outcome.issued is not None and outcome.reason != "requeued":
            return ScanOutcome(
                outcome.result, outcome.reason, self.print(outcome.issued, lang), None, None
            )
        return outcome

    def _lang(self, lang: str | None) -> str:
        return lang if lang in self.config.languages else self.config.languages[0]

    def today(self, now: datetime | None = None) -> date:
        return (now or self.clock()).astimezone(self.config.timezone).date()


def _issued(got: dict[str, Any], day: date) -> Issued:
    """The host's answer as the ticket this totem prints."""
    code = str(got["ticket"])
    service = code.rstrip("0123456789")
    slot = got.get("slot_at")
    ticket = Ticket(
        id=0,  # the host's business
        day=day.isoformat(),
        service=service,
        number=int(code[len(service) :]),
        code=code,
        kind=Kind(got.get("kind", "walkin")),
        status=Status.WAITING,
        issued_at=datetime.fromisoformat(got["issued_at"]),
        ref=got.get("reentry_of"),
        slot_at=datetime.fromisoformat(slot) if slot else None,
    )
    return Issued(
        ticket=ticket,
        payload=str(got["payload"]),
        qr=str(got.get("qr") or got["payload"]),
        ahead=int(got["ahead"]),
        wait_min=int(got["wait_min"]),
    )
