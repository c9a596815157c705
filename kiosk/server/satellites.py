"""Satellite totems issue and scan through the host (docs/branch-api.md, section 13).

A satellite has a token (``kiosk totem add ID`` prints it once; only its hash is kept). Every
touch comes with a request id: the ticket it issued is recorded with it in the same
transaction, so a request asked again (its answer was lost on the way) answers the same ticket
and never issues a second. The host does the numbering, so numbers stay gapless and unique
across every totem of the branch; the satellite prints on its own printer.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kiosk.config import Config
from kiosk.core import events
from kiosk.core.tickets import Kind
from kiosk.server import tokens
from kiosk.server.ratelimit import RateLimit, too_many
from kiosk.store import Store
from kiosk.store import totems as store_totems
from kiosk.store.totems import Request
from kiosk.totem import Issued, Totem, Unavailable

REQUEST_ID = re.compile(r"\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
MAX_SCAN = 512  # a scanned text longer than this is refused by the totem's rules anyway


class TotemError(ValueError):
    """A satellite's id is malformed, taken or unknown."""


def add(store: Store, totem: str, replace: bool = False) -> str:
    """Create a satellite's token (or, with ``replace``, a new one); the token is not stored.

    Raises:
        TotemError: not an id, or it has a token and ``replace`` is not set.
    """
    if not events.is_ident(totem):
        raise TotemError(f'"{totem}" is not lowercase letters, digits and dashes (1-63)')
    if not replace and totem in names(store):
        raise TotemError(
            f"totem {totem} already has a token; add --replace to give it a new one"
            " (the old one stops working)"
        )
    token = tokens.new()
    store_totems.set_token(store, totem, tokens.digest(token))
    return token


def remove(store: Store, totem: str) -> bool:
    return store_totems.remove_token(store, totem)


def names(store: Store) -> list[str]:
    return [totem for totem, _digest in store_totems.token_digests(store)]


def owner(store: Store, token: str | None) -> str | None:
    """The satellite whose token this is, or None."""
    return tokens.owner(store_totems.token_digests(store), token)


Body = Callable[[HttpRequest], Awaitable[dict[str, Any] | Response]]


def satellite_routes(
    config: Config,
    store: Callable[[], Store],
    clock: Callable[[], datetime],
    key: Callable[[], bytes],
    body: Body,
) -> list[Route]:
    """``POST /api/v1/tickets``, ``/api/v1/scans`` and ``/api/v1/health``, for satellites
    with a token."""

    def totem() -> Totem:
        return Totem(config, store(), key(), clock=clock)  # no printer: the satellite prints

    # A satellite scans when a citizen holds a code to it, every few seconds at most; a stolen
    # totem token was an unthrottled oracle for booking codes (1,237 guesses a second).
    scan_budget = RateLimit(rate=0.5, burst=10)

    async def sent(request: HttpRequest) -> tuple[str, dict[str, Any]] | Response:
        """Which satellite asks, and its JSON body."""
        header = request.headers.get("authorization", "")
        token = header[7:] if header.lower().startswith("bearer ") else None
        who = await run_in_threadpool(lambda: owner(store(), token))
        if who is None:
            return _error(401, "a valid totem token is required (kiosk totem add ID on the host)")
        data = await body(request)
        return data if isinstance(data, Response) else (who, data)

    async def asked(request: HttpRequest) -> tuple[Request, dict[str, Any]] | Response:
        got = await sent(request)
        if isinstance(got, Response):
            return got
        who, data = got
        rid = data.get("request")
        if not isinstance(rid, str) or not REQUEST_ID.match(rid):
            return _error(422, "request: a lowercase uuid, the same on every retry of one touch")
        lang = data.get("lang")
        if lang is not None and lang not in config.languages:
            return _error(422, f"lang: one of {', '.join(config.languages)}")
        return Request(rid, who), data

    async def tickets(request: HttpRequest) -> Response:
        got = await asked(request)
        if isinstance(got, Response):
            return got
        req, data = got
        service = data.get("service")
        if not isinstance(service, str) or config.service(service) is None:
            codes = ", ".join(s.code for s in config.services)
            return _error(422, f"service: one of {codes}")
        try:
            issued = await run_in_threadpool(
                lambda: totem().issue_walkin(service, data.get("lang"), request=req)
            )
        except Unavailable as exc:
            state = exc.availability
            until = state.until.isoformat() if state.until else None
            return JSONResponse(
                {"error": str(exc), "reason": state.reason.value, "until": until},
                status_code=409,
            )
        return JSONResponse(_issued(issued))

    async def scans(request: HttpRequest) -> Response:
        got = await asked(request)
        if isinstance(got, Response):
            return got
        req, data = got
        if not scan_budget.allow(req.totem):
            return too_many()
        text = data.get("text")
        if not isinstance(text, str) or len(text) > MAX_SCAN:
            return _error(422, f"text: the scanned text, at most {MAX_SCAN} characters")
        outcome = await run_in_threadpool(lambda: totem().scan(text, data.get("lang"), req))
        answer = outcome.as_json()
        if outcome.issued is not None:
            answer.update(_issued(outcome.issued))
        return JSONResponse(answer)

    async def void(request: HttpRequest) -> Response:
        """A walk-in request the satellite never had an answer to: its ticket (if the host
        issued one) was never printed, so it leaves the queue."""
        got = await asked(request)
        if isinstance(got, Response):
            return got
        req, _data = got
        code = await run_in_threadpool(lambda: store_totems.void(store(), req))
        return JSONResponse({"voided": code})

    async def health(request: HttpRequest) -> Response:
        """A satellite's printer state: the host's sync agent sends it on as the satellite's
        own ``kiosk.health``."""
        got = await sent(request)
        if isinstance(got, Response):
            return got
        who, data = got
        printer = data.get("printer")
        if printer not in events.PRINTER_STATES:
            return _error(422, f"printer: one of {', '.join(events.PRINTER_STATES)}")
        at = clock().isoformat()
        await run_in_threadpool(lambda: store_totems.report_printer(store(), who, printer, at))
        return JSONResponse({"totem": who, "printer": printer})

    return [
        Route("/api/v1/tickets", tickets, methods=["POST"]),
        Route("/api/v1/scans", scans, methods=["POST"]),
        Route("/api/v1/tickets/void", void, methods=["POST"]),
        Route("/api/v1/health", health, methods=["POST"]),
    ]


def _issued(issued: Issued) -> dict[str, Any]:
    """As ``kiosk issue --json``, with what the satellite needs to print the ticket."""
    ticket = issued.ticket
    return {
        **issued.as_json(),
        "printed": False,  # the host prints nothing for a satellite
        "qr": issued.qr,
        "issued_at": ticket.issued_at.isoformat(),
        "kind": ticket.kind.value,
        "reentry_of": ticket.ref if ticket.kind is Kind.REENTRY else None,
        "slot_at": ticket.slot_at.isoformat() if ticket.slot_at else None,
    }


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
