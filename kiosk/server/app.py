"""``kiosk serve``: the branch server's HTTP API and pages (docs/branch-api.md), on Starlette.

Reads need no token; every write needs the desk's Bearer token. Database work runs in worker
threads, one SQLite connection per thread, so a slow disk never stalls the streams to the
displays.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from drivers.audio.voice import Speaker, SpeechUnavailable
from kiosk import design, i18n, secrets
from kiosk.config import Config
from kiosk.core.speech import announcement
from kiosk.phone.page import script_json
from kiosk.phone.status import Look
from kiosk.server import desks as desk_tokens
from kiosk.server import displays
from kiosk.server.broadcast import PING, Broadcaster
from kiosk.server.calls import Call, DeskActionError, Desks
from kiosk.server.deskbook import CALLS_KEPT, DeskBook, runtime_folder
from kiosk.server.phones import STREAMS_PER_TICKET, phone_routes
from kiosk.server.ratelimit import RateLimit, StreamSlots, client_key, too_many
from kiosk.server.satellites import satellite_routes
from kiosk.serving import SlowBody, read_body, slow_body
from kiosk.store import StorageError, Store
from kiosk.store import desks as store_desks
from kiosk.store import state as shared
from kiosk.totem import Totem
from kiosk.web_assets import asset_routes

log = logging.getLogger(__name__)
HEARTBEAT = 15.0  # seconds between SSE comments, so proxies and dead peers are noticed
MAX_BODY = 16 * 1024  # a desk's request is a few dozen bytes
# A waiting room has a handful of displays; a client holding more is not one.
STREAMS_PER_CLIENT = 32
STREAMS = 1000  # call streams of displays without a token (the branch API's are open to the LAN)
# Displays with a token (kiosk display add) have a pool of their own, which nobody without one
# can fill: a few streams each (a page reloading), and room for a large waiting room's screens.
STREAMS_PER_DISPLAY = 4
DISPLAY_STREAMS = 256
PHONE_STREAMS = 3000  # phones' ticket streams, a pool of their own: phones never crowd out
# the waiting-room screens (the unit allows 65536 files)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Backend:
    """Per-thread database access for the request handlers."""

    def __init__(self, config: Config, clock: Callable[[], datetime]) -> None:
        self.config = config
        self.clock = clock
        self._local = threading.local()
        self.book = DeskBook(config.database, runtime_folder())
        self._released: str | None = None

    def store(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is not None and not store.is_current():
            # The file was deleted or replaced: never serve from it again. Opening anew is
            # refused until a technician's `kiosk store reset`, then finds the new database.
            store.close()
            store = self._local.store = None
        if store is None:
            store = self._local.store = Store(
                self.config.database, witness_dir=self.config.witness_dir
            )
        return store

    def desks(self) -> Desks:
        self._release_orphans()
        return Desks(self.config, self.store(), self.book)

    def desk_of(self, code: str, mark: str | None) -> str | None:
        """Which desk holds called ticket ``code`` (for its phone page)."""
        self._release_orphans()
        store = self.store()
        return self.book.desk_of(self._day(), code, mark, desk_tokens.names(store))

    def _day(self) -> str:
        return self.clock().astimezone(self.config.timezone).date().isoformat()

    def _release_orphans(self) -> None:
        """Once a day: when the day key is new (a reboot lost the old one), the citizens still
        marked as at a desk are counted as served; no desk can be told to hold them."""
        day = self._day()
        if self._released == day:
            return
        _key, fresh = self.book.key(day)
        if fresh:
            released = store_desks.release(self.store(), day, self.clock())
            if released:
                log.warning(
                    "desks: %d citizen(s) at a desk when the branch server lost its memory"
                    " (a reboot, a power cut) counted as served",
                    released,
                )
        self._released = day

    def queue(self) -> list[dict[str, Any]]:
        store = self.store()
        totem = Totem(self.config, store, b"", clock=self.clock)
        printer = shared.get(store, "printer.state") or "unknown"
        blocked = self.config.on_fault == "block" and printer not in ("ok", "paper_low")
        now = self.clock()
        ranges = Look(self.config, store, b"", now)
        out = []
        for st in totem.states():
            available = st.availability.available and not blocked
            reason = (
                "printer" if blocked and st.availability.available else st.availability.reason.value
            )
            out.append(
                {
                    "code": st.service.code,
                    "name": st.service.name[self.config.languages[0]],
                    "waiting": st.waiting,
                    "wait_min": st.wait_min,
                    # an addition: the range a citizen taking a ticket now is told on the phone
                    "wait_range": ranges.wait_range(st.service.code, st.waiting),
                    "available": available,
                    "reason": reason,
                    "until": st.availability.until.isoformat() if st.availability.until else None,
                    "reason_text": st.availability.describe(self.config.timezone, now)
                    if not blocked
                    else "printer unavailable",
                }
            )
        return out


async def _read_body(request: Request) -> bytes | None:
    """The request body, or None past :data:`MAX_BODY` (never read whole then)."""
    return await read_body(request, MAX_BODY)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _page(name: str, config: Config, surface: str, theme: design.Theme) -> str:
    """A page of static/, with the design tokens (and the town's colour) and its words in the
    branch's language from the catalogs."""
    lang = config.languages[0]
    page = resources.files("kiosk.server").joinpath("static", name).read_text(encoding="utf-8")
    page = page.replace("/*TOKENS*/", design.css(theme, primary=config.branding.primary), 1)
    words = {**i18n.messages(lang, surface), **i18n.plural_table(lang, surface)}
    direction = "rtl" if lang in i18n.RTL else "ltr"
    page = page.replace('<html lang="it">', f'<html lang="{lang}" dir="{direction}">', 1)
    return page.replace("/*WORDS*/null", script_json(words), 1)


def make_app(
    config: Config, clock: Callable[[], datetime] = utc_now, key: bytes | None = None
) -> Starlette:
    """The branch server's app.

    Args:
        config: the totem configuration.
        clock: the current instant.
        key: the ticket payload key for the phones' routes (read from ``ticket.key_file``
            when not given).
    """
    backend = Backend(config, clock)
    broadcaster = Broadcaster(HEARTBEAT, PING)
    slots = StreamSlots(STREAMS_PER_CLIENT, STREAMS)
    display_slots = StreamSlots(STREAMS_PER_DISPLAY, DISPLAY_STREAMS)
    speaker = Speaker()
    # Tokenless: a display asks once per call; a script asking for every ticket and desk would
    # run espeak-ng without end (the attacker's 58 a second). Per client, and two at a time.
    speech_budget = RateLimit(rate=1.0, burst=10)
    speaking = asyncio.Semaphore(2)
    lang = config.languages[0]

    async def authorised(request: Request) -> str | Response:
        desk = request.path_params["desk"]
        if not desk_tokens.DESK.match(desk):
            return _error(404, "no such desk")
        header = request.headers.get("authorization", "")
        token = header[7:] if header.lower().startswith("bearer ") else None
        verdict = await run_in_threadpool(
            lambda: desk_tokens.authorise(backend.store(), desk, token)
        )
        if verdict == "unknown":
            return _error(401, "a valid desk token is required (kiosk desk add DESK)")
        if verdict == "other_desk":
            return _error(403, "this token belongs to another desk")
        return str(desk)

    async def body(request: Request) -> dict[str, Any] | Response:
        raw = await _read_body(request)
        if raw is None:
            return _error(413, f"the body is larger than {MAX_BODY // 1024} KiB")
        if not raw.strip():
            return {}
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, a 4,300-digit number
            return _error(400, "the body is not valid JSON (or is nested too deeply)")
        if not isinstance(data, dict):
            return _error(400, "the body must be a JSON object")
        ticket = data.get("ticket")
        if ticket is not None and not isinstance(ticket, str):
            return _error(422, "ticket: must be a ticket code like A042")
        return data

    known_key: list[bytes] = [key] if key is not None else []

    def ticket_key() -> bytes:
        if not known_key:
            known_key.append(secrets.ensure(config.ticket_key_file))
        return known_key[0]

    phone_slots = StreamSlots(STREAMS_PER_TICKET, PHONE_STREAMS)
    phones, ticket_watch = phone_routes(
        config, backend.store, clock, ticket_key, phone_slots, backend.desk_of
    )
    # The phones' own listener (server.phone_listen, for the guest Wi-Fi): their routes and
    # nothing else, with a watch and a pool of their own, in another server's event loop.
    guest_slots = StreamSlots(STREAMS_PER_TICKET, PHONE_STREAMS)
    guests, guest_watch = phone_routes(
        config, backend.store, clock, ticket_key, guest_slots, backend.desk_of
    )
    satellites = satellite_routes(config, backend.store, clock, ticket_key, body)

    def publish(call: Call) -> None:
        # Written once for every display: with hundreds connected, encoding per display
        # held the event loop (and the next desk's answer) back.
        broadcaster.publish(_sse({"id": call.id, **call.as_json()}).encode())
        ticket_watch.poke()  # the phone of the citizen called hears it at once
        guest_watch.poke()

    async def desk_action(request: Request) -> Response:
        desk = await authorised(request)
        if isinstance(desk, Response):
            return desk
        data = await body(request)
        if isinstance(data, Response):
            return data
        action = request.path_params["action"]
        now = clock()
        ticket = data.get("ticket")
        desks = backend.desks
        try:
            if action == "next":
                services = data.get("services", [s.code for s in config.services])
                if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
                    return _error(422, 'services: must be a list of service codes like ["A", "B"]')
                call = await run_in_threadpool(lambda: desks().call_next(desk, services, now))
                if call is None:
                    return Response(status_code=204)
                # The desk has its answer first; the displays get the call right after.
                return JSONResponse(
                    {"ticket": call.ticket}, background=BackgroundTask(publish, call)
                )
            if action == "recall":
                call = await run_in_threadpool(lambda: desks().recall(desk, ticket, now))
                return JSONResponse(
                    {"ticket": call.ticket}, background=BackgroundTask(publish, call)
                )
            if action == "done":
                code = await run_in_threadpool(lambda: desks().done(desk, ticket, now))
            elif action == "no-show":
                code = await run_in_threadpool(lambda: desks().no_show(desk, ticket, now))
            elif action == "transfer":
                service = data.get("service")
                if not isinstance(service, str):
                    return _error(422, 'service: the service to transfer to is required, like "B"')
                code = await run_in_threadpool(lambda: desks().transfer(desk, ticket, service, now))
            else:
                return _error(404, f"no desk action {action!r}")
        except DeskActionError as exc:
            return _error(exc.status, str(exc))
        except StorageError as exc:
            return _error(503, f"database: {exc}")
        return JSONResponse({"ticket": code})

    async def desk_state(request: Request) -> Response:
        desk = await authorised(request)
        if isinstance(desk, Response):
            return desk
        current = await run_in_threadpool(lambda: backend.desks().current(desk, clock()))
        return JSONResponse({"desk": desk, "ticket": current})

    async def calls(request: Request) -> Response:
        # What a display shows and no more, whatever ``limit`` asks for (at most fewer).
        try:
            limit = max(int(request.query_params.get("limit", str(CALLS_KEPT))), 1)
        except ValueError:
            return _error(400, "limit: must be a whole number")
        found = await run_in_threadpool(lambda: backend.desks().calls(clock()))
        return JSONResponse({"calls": [c.as_json() for c in found[:limit]]})

    async def stream(request: Request) -> Response:
        token = request.cookies.get(displays.COOKIE)
        display = None
        if token:
            display = await run_in_threadpool(lambda: displays.owner(backend.store(), token))
        pool, client = (
            (display_slots, f"display {display}")
            if display is not None
            else (slots, client_key(request.client.host if request.client else None))
        )
        if not pool.free(client):
            return JSONResponse(
                {"error": "too many open streams; try again later"},
                status_code=503,
                headers={"Retry-After": "10"},
            )
        last = request.headers.get("last-event-id", "")
        after = int(last) if last.isascii() and last.isdigit() else None
        queue = broadcaster.subscribe()
        pool.take(client)

        async def events() -> AsyncIterator[str]:
            try:
                yield "retry: 2000\n\n"
                replayed = 0
                if after is not None:  # a display reconnecting: what it missed, oldest first
                    missed = await run_in_threadpool(lambda: backend.desks().calls(clock(), after))
                    for call in reversed(missed):
                        replayed = max(replayed, call.id)
                        yield _sse({"id": call.id, **call.as_json()})
                while True:
                    item = await queue.get()  # a call, or the broadcaster's heartbeat
                    if item is None:  # dropped for being too slow
                        return
                    if replayed and _call_id(item) <= replayed:
                        continue  # published after the replay had it already
                    yield item
            finally:
                broadcaster.unsubscribe(queue)
                pool.give_back(client)

        return StreamingResponse(
            events(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    async def queue_view(request: Request) -> Response:
        return JSONResponse({"services": await run_in_threadpool(backend.queue)})

    async def info(request: Request) -> Response:
        return JSONResponse(
            {"branch_name": config.branch_name, "lang": lang, "timezone": config.timezone.key}
        )

    async def announce(request: Request) -> Response:
        ticket = request.query_params.get("ticket", "")
        desk = request.query_params.get("desk", "")
        if not desk_tokens.DESK.match(desk):
            return _error(400, "desk: a desk number, 1 to 999")
        try:
            text = announcement(ticket, desk, lang, i18n.text(lang, "speech.call"))
        except ValueError:
            return _error(400, "ticket: must be a ticket code like A042")
        if not speech_budget.allow(client_key(request.client.host if request.client else None)):
            return too_many()
        try:
            async with speaking:
                wav = await run_in_threadpool(speaker.wav, text, lang)
        except SpeechUnavailable as exc:
            return _error(503, str(exc))
        return Response(wav, media_type="audio/wav", headers={"Cache-Control": "max-age=86400"})

    async def display(request: Request) -> Response:
        return HTMLResponse(_page("display.html", config, "display", design.BOARD))

    async def desk_page(request: Request) -> Response:
        return HTMLResponse(_page("desk.html", config, "desk", design.NORMAL))

    app = Starlette(
        routes=[
            Route("/display", display),
            Route("/desk/{desk}", desk_page),
            Route("/api/v1/info", info),
            Route("/api/v1/calls", calls),
            Route("/api/v1/calls/stream", stream),
            Route("/api/v1/queue", queue_view),
            *phones,
            *satellites,
            *asset_routes(config.branding.logo),
            Route("/api/v1/announcement", announce),
            Route("/api/v1/desks/{desk}", desk_state),
            Route("/api/v1/desks/{desk}/{action}", desk_action, methods=["POST"]),
        ]
    )
    app.state.broadcaster = broadcaster
    app.state.phone_app = Starlette(routes=[*guests, *asset_routes(config.branding.logo)])
    for one in (app, app.state.phone_app):
        one.add_exception_handler(StorageError, _storage_failed)
        one.add_exception_handler(SlowBody, slow_body)
    return app


async def _storage_failed(request: Request, exc: Exception) -> Response:
    """A known storage condition (disk full, a lost database) is 503 with its one line."""
    return _error(503, f"database: {exc}")


def _call_id(item: bytes | str) -> int:
    """The id of an encoded call (0 for a heartbeat)."""
    text = item.decode() if isinstance(item, bytes) else item
    return int(text[4 : text.index("\n")]) if text.startswith("id: ") else 0


def _sse(item: dict[str, Any]) -> str:
    data = json.dumps({k: item[k] for k in ("ticket", "desk", "at")}, separators=(",", ":"))
    return f"id: {item['id']}\nevent: call\ndata: {data}\n\n"
