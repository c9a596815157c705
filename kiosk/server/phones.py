"""The routes a citizen's phone uses (docs/branch-api.md): where is my ticket, now and live.

The payload in the URL is what the ticket's QR holds: it is checked with the ticket key,
never logged and never set in a cookie. Budgets are per ticket, not per address: a guest Wi-Fi
gives every phone one IPv6 /64 (and a NAT one IPv4 address), and the attacker's 40 phones on
one /64 had 31 refused. A genuine ticket has its own request budget and at most
:data:`STREAMS_PER_TICKET` streams, so the pool is bounded by the day's tickets; a forged
payload spends its address's budget for forgeries, so guessing stays slow.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from kiosk.config import Config
from kiosk.core.payload import TicketPayload
from kiosk.phone import page
from kiosk.phone.status import DeskOf, Found, NotOurs, check, status_of, statuses
from kiosk.server.broadcast import PING
from kiosk.server.ratelimit import RateLimit, StreamSlots, client_key, too_many
from kiosk.server.watch import TicketWatch
from kiosk.store import Store

NOT_OURS = {"error": "not a ticket of this office"}
STREAMS_PER_TICKET = 2  # the citizen's phone, and a companion's
FULL_LOOK_S = 20.0
NO_STORE = {"Cache-Control": "no-store"}


def phone_routes(
    config: Config,
    store: Callable[[], Store],
    clock: Callable[[], datetime],
    the_key: Callable[[], bytes],
    slots: StreamSlots,
    desk_of: DeskOf | None = None,
) -> tuple[list[Route], TicketWatch]:
    """``GET /t/{payload}``, ``GET /api/v1/tickets/{payload}`` and its ``/stream``; and the
    watch behind the streams (poke it when a desk acts, so phones hear at once)."""
    budget = RateLimit(rate=1.0, burst=30)  # per ticket: a phone asks rarely
    forgeries = RateLimit(rate=0.5, burst=10)  # per address: what a guessing script gets

    def allowed(request: Request, text: str) -> bool:
        """Whether this request may be served: a genuine ticket's from its own budget, a
        forgery's from its address's."""
        try:
            check(config, the_key(), text)
        except NotOurs:
            return forgeries.allow(_client(request))
        return budget.allow(f"ticket {text}")

    def status(text: str) -> Found:
        return status_of(config, store(), the_key(), text, clock(), desk_of)

    seen = {"version": -1, "at": -FULL_LOOK_S}
    genuine: dict[str, TicketPayload] = {}  # the watched payloads, verified once

    def look(payloads: list[str], far: dict[str, str], fresh: bool) -> dict[str, Any] | None:
        """Every watched ticket's status, once the database changed or a phone is new (or
        every :data:`FULL_LOOK_S`, for what time alone changes: an appointment's slot)."""
        version, moment = store().data_version(), time.monotonic()
        if not fresh and version == seen["version"] and moment - seen["at"] < FULL_LOOK_S:
            return None
        seen.update(version=version, at=moment)
        for gone in genuine.keys() - set(payloads) - far.keys():
            del genuine[gone]
        return statuses(config, store(), the_key(), payloads, clock(), genuine, far, desk_of)

    watch = TicketWatch(look, ping=PING)

    async def ticket(request: Request) -> Response:
        if not allowed(request, request.path_params["payload"]):
            return _too_many()
        try:
            found = await run_in_threadpool(status, request.path_params["payload"])
        except NotOurs:
            return JSONResponse(NOT_OURS, status_code=404, headers=NO_STORE)
        return JSONResponse(found.status.as_json(), headers={"Cache-Control": "no-store"})

    async def ticket_page(request: Request) -> Response:
        """The page the ticket's QR opens; a forged payload gets the page with no position."""
        text = request.path_params["payload"]
        if not allowed(request, text):
            return _too_many()
        try:
            found: Found | None = await run_in_threadpool(status, text)
        except NotOurs:
            found = None
        lang = page.language(
            found.lang if found else None, request.headers.get("accept-language"), config.languages
        )
        body = page.render(
            found.status.as_json() if found else None,
            lang=lang,
            office=config.branch_name,
            service_names={
                s.code: s.name.get(lang, s.name[config.languages[0]]) for s in config.services
            },
            stream=f"/api/v1/tickets/{text}/stream" if found else None,
            primary=config.branding.primary,
            logo=config.branding.logo is not None,
        )
        return HTMLResponse(body, status_code=200 if found else 404, headers=page.HEADERS)

    async def ticket_stream(request: Request) -> Response:
        """The ticket's status now, then again on every change (event "status")."""
        text = request.path_params["payload"]
        if not allowed(request, text):
            return _too_many()
        try:
            check(config, the_key(), text)  # no position, nor even a stream, for a forgery
        except NotOurs:
            return JSONResponse(NOT_OURS, status_code=404, headers=NO_STORE)
        client = f"ticket {text}"  # the stream slots are the ticket's
        if not slots.free(client):
            return JSONResponse(
                {"error": "too many open streams; try again later"},
                status_code=503,
                headers={"Retry-After": "10", "Cache-Control": "no-store"},
            )
        queue = watch.subscribe(text)  # the first status comes from the next look, shared
        slots.take(client)

        async def events() -> AsyncIterator[bytes]:
            try:
                yield b"retry: 2000\n\n"
                while True:
                    item = await queue.get()
                    yield item if isinstance(item, bytes) else _status_event(item)
            finally:
                watch.unsubscribe(text, queue)
                slots.give_back(client)

        return StreamingResponse(
            events(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    return [
        Route("/t/{payload}", ticket_page),
        Route("/api/v1/tickets/{payload}", ticket),
        Route("/api/v1/tickets/{payload}/stream", ticket_stream),
    ], watch


def _client(request: Request) -> str:
    return client_key(request.client.host if request.client else None)


def _too_many() -> Response:
    return too_many()


def _status_event(status: dict[str, Any] | None) -> bytes:
    return f"event: status\ndata: {json.dumps(status, separators=(',', ':'))}\n\n".encode()
