"""The central service's HTTP face (docs/central-api.md): the totems' events and appointments,
the booking system's appointments, the managers' statistics, and the citizens' phone page.

Stateless: every request reads and writes the database, so any number of processes can serve
behind one load balancer and one PostgreSQL. Nothing a citizen brought (a booking code, a
payload) is logged; tokens are compared by their hash.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from central import bookings, contract, pages, phone, stats, store
from central.db import Database
from central.store import witness
from kiosk import i18n
from kiosk.branding import NO_BRANDING, Branding
from kiosk.core.events import MAX_BATCH_BYTES, MAX_BATCH_EVENTS
from kiosk.phone.page import language
from kiosk.serving import SlowBody, read_body, slow_body
from kiosk.web_assets import font, logo_route

log = logging.getLogger("central")
MAX_BODY = MAX_BATCH_BYTES  # the contract's (kiosk/core/events.py), one place
MAX_EVENTS = MAX_BATCH_EVENTS
COOKIE = "central_manager"
RETAIN_EVERY_S = 3600.0
LONGEST_RANGE_DAYS = 366
NO_STORE = {"Cache-Control": "no-store"}


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() or None if header.lower().startswith("bearer ") else None


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status, headers=NO_STORE)


def _day(text: str | None, default: date, name: str) -> date:
    if not text:
        return default
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = date.min
    if not date(2000, 1, 1) <= day <= date(2999, 12, 31):  # date.min - 7 days would overflow
        raise ValueError(f"{name}: {text[:20]!r} is not a day YYYY-MM-DD (2000-2999)")
    return day


def _today_somewhere(now: datetime) -> set[date]:
    """The days that are today in some time zone (UTC-12 to UTC+14): the central does not
    know a branch's zone, and a kiosk asks for its own local day."""
    return {(now + timedelta(hours=h)).date() for h in (-12, 14)} | {now.date()}


def _lang(request: Request) -> str:
    """A manager's page language: ``?lang=``, else the browser's, else Italian."""
    asked = request.query_params.get("lang")
    return language(asked, request.headers.get("accept-language"), i18n.LANGUAGES)


def _cross_site(request: Request) -> bool:
    """A form posted from another site. Browsers say where a request comes from in
    ``Sec-Fetch-Site``, and in ``Origin`` ("null" when the page asks for no referrer, as the
    sign-in page does: then only ``Sec-Fetch-Site: same-origin`` vouches for it)."""
    fetched_from = request.headers.get("sec-fetch-site", "")
    if fetched_from in ("cross-site", "same-site"):
        return True
    origin = request.headers.get("origin")
    if origin == "null":
        return fetched_from != "same-origin"
    return bool(origin) and urlsplit(origin or "").netloc != request.headers.get("host", "")


class TooLarge(Exception):
    """A request body past its limit: answered 413 before it is all read."""


async def _body(request: Request, limit: int) -> bytes:
    """The request's body, read no further than ``limit`` bytes."""
    raw = await read_body(request, limit)
    if raw is None:
        raise TooLarge
    return raw


def make_app(
    db: Database,
    *,
    retention_days: int = 7,
    now: Callable[[], datetime] | None = None,
    branding: Branding = NO_BRANDING,
) -> Starlette:
    """The service on ``db``; ``now`` is the clock the retention and the pages use;
    ``branding`` the town's colour and crest on the managers' and the citizens' pages."""
    clock = now or (lambda: datetime.now(UTC))
    town = pages.Town(branding.primary, branding.logo is not None)

    def signin_page(lang: str, error: str | None = None) -> str:
        return pages.signin(lang, error, town)

    def today() -> date:
        return clock().date()

    async def call(fn: Callable[..., Any], *args: Any) -> Any:
        return await run_in_threadpool(fn, db, *args)

    async def kiosk_of(request: Request) -> store.Kiosk | None:
        token = _bearer(request)
        return await call(store.kiosk_for, token) if token else None

    async def post_events(request: Request) -> Response:
        kiosk = await kiosk_of(request)
        if kiosk is None:
            return _error(401, "bad token")
        try:
            raw = await _body(request, MAX_BODY)
        except TooLarge:
            return _error(413, f"more than {MAX_BODY} bytes")
        try:
            data = json.loads(raw)
            events = data["events"]
            if set(data) != {"kiosk", "events"} or not isinstance(events, list):
                raise ValueError
        except (ValueError, KeyError, TypeError, RecursionError):
            return JSONResponse({"rejected": [], "error": "not a batch"}, status_code=400)
        if len(events) > MAX_EVENTS:
            return _error(413, f"more than {MAX_EVENTS} events")
        if data["kiosk"] != kiosk.id:  # a host may send its satellites' health, nothing else
            kiosk = await call(store.satellite_of, kiosk, data["kiosk"], events)
            if kiosk is None:
                return _error(403, "this token is another kiosk's")
        rejected, problems = [], []
        for event in events:
            problem = contract.violation(event)
            if problem is not None:
                rejected.append(event.get("id") if isinstance(event, dict) else None)
                problems.append(problem)
        if rejected:
            log.warning(
                "central: %d event(s) from %s rejected: %s", len(rejected), kiosk.id, problems[0]
            )
            return JSONResponse(
                {"rejected": rejected, "error": "; ".join(sorted(set(problems)))[:500]},
                status_code=422,
            )
        if any(e["branch"] != kiosk.branch for e in events):
            return _error(403, f"kiosk {kiosk.id} may post only for branch {kiosk.branch}")
        try:
            acked = await call(store.ingest, kiosk, events)
        except witness.SeqWentBack as exc:
            log.warning("central: %s's seq went back (it holds %d): refused", kiosk.id, exc.last)
            return JSONResponse(
                {"error": "seq_went_back", "last_seq": exc.last}, status_code=409, headers=NO_STORE
            )
        kinds = Counter(e["type"] for e in events)
        log.info("central: %d event(s) from %s: %s", len(events), kiosk.id,
                 ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())))  # fmt: skip
        return JSONResponse({"acked": acked})

    async def get_appointments(request: Request) -> Response:
        kiosk = await kiosk_of(request)
        if kiosk is None:
            return _error(401, "bad token")
        branch = request.path_params["branch"]
        if kiosk.branch != branch:
            return _error(403, f"kiosk {kiosk.id} belongs to branch {kiosk.branch}")
        try:
            day = _day(request.query_params.get("day"), today(), "day")
        except ValueError as exc:
            return _error(400, str(exc))
        if day not in _today_somewhere(clock()):
            # A kiosk needs its branch's today; a stolen token fetched next month's codes.
            return _error(403, "a kiosk may fetch only today's appointments")
        day_hash, items = await call(store.appointments, branch, day.isoformat())
        body = json.dumps(
            {"day": day.isoformat(), "hash": day_hash, "appointments": items}, sort_keys=True
        )
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return Response(body, media_type="application/json", headers={"ETag": etag})

    async def get_marks(request: Request) -> Response:
        """A kiosk's high-water marks, to itself only (``kiosk store reset --from-central``)."""
        kiosk = await kiosk_of(request)
        if kiosk is None:
            return _error(401, "bad token")
        if request.path_params["kiosk"] != kiosk.id:
            return _error(403, f"this token is kiosk {kiosk.id}'s")
        try:
            day = _day(request.query_params.get("day"), today(), "day")
        except ValueError as exc:
            return _error(400, str(exc))
        return JSONResponse(await call(witness.marks, kiosk.id, day.isoformat()), headers=NO_STORE)

    async def put_appointments(request: Request) -> Response:
        token = _bearer(request)
        who = await call(store.staff_for, token, "booking") if token else None
        if who is None:
            return _error(401, "bad token")
        branch = request.path_params["branch"]
        if not who.may_see(branch):
            return _error(403, f"{who.name} may not send appointments for branch {branch}")
        try:
            day = _day(request.query_params.get("day"), today(), "day").isoformat()
            raw = await _body(request, 8 * MAX_BODY)
            kind = "csv" if "csv" in request.headers.get("content-type", "") else "json"
            items = bookings.parse(raw, kind)
        except TooLarge:
            return _error(413, "too large")
        except (ValueError, bookings.BadBookings) as exc:
            return _error(422 if isinstance(exc, bookings.BadBookings) else 400, str(exc))
        n = await call(store.put_appointments, branch, day, items)
        log.info("central: %d appointment(s) for %s on %s from %s", n, branch, day, who.name)
        answer: dict[str, Any] = {"branch": branch, "day": day, "appointments": n}
        warning = bookings.weak_codes(raw, kind)
        if warning:
            answer["warning"] = warning
        return JSONResponse(answer)

    async def manager(request: Request) -> store.Staff | None:
        """A script's manager token (Authorization), or a browser's sign-in (the cookie holds a
        session that sign-out ends, never the token)."""
        token = _bearer(request)
        session = request.cookies.get(COOKIE)
        found: store.Staff | None = None
        if token:
            found = await call(store.staff_for, token, "manager")
        elif session:
            found = await call(store.staff_of_session, session, clock())
        return found

    async def figures(request: Request, branch: str) -> dict[str, Any]:
        last = _day(request.query_params.get("to"), today(), "to")
        first = _day(request.query_params.get("from"), last - timedelta(days=6), "from")
        if first > last or (last - first).days > LONGEST_RANGE_DAYS:
            raise ValueError(f"from..to: at most {LONGEST_RANGE_DAYS} days, from before to")
        rows = await call(store.figures, branch, first.isoformat(), last.isoformat())
        return stats.compute(branch, first.isoformat(), last.isoformat(), rows)

    async def stats_json(request: Request) -> Response:
        who, branch = await manager(request), request.path_params["branch"]
        if who is None:
            return _error(401, "bad token")
        if not who.may_see(branch):
            return _error(403, f"{who.name} may see only branch {who.branch}")
        try:
            doc = await figures(request, branch)
        except ValueError as exc:
            return _error(400, str(exc))
        if request.url.path.endswith(".csv"):
            return PlainTextResponse(
                stats.to_csv(doc),
                media_type="text/csv",
                headers={**NO_STORE, "Content-Disposition":
                         f'attachment; filename="{branch}-{doc["from"]}-{doc["to"]}.csv"'},
            )  # fmt: skip
        return JSONResponse(doc, headers=NO_STORE)

    async def stats_page(request: Request) -> Response:
        who, lang = await manager(request), _lang(request)
        if who is None:
            return RedirectResponse(f"signin?lang={lang}", status_code=303)
        known = await call(store.branches)
        mine = [b for b in known if who.may_see(b)] or ([who.branch] if who.branch else [])
        branch = request.query_params.get("branch") or (mine[0] if mine else "")
        if not who.may_see(branch):
            return HTMLResponse(signin_page(lang, "not_yours"), 403, pages.HEADERS)
        try:
            doc = await figures(request, branch)
        except ValueError as exc:
            said = i18n.text(lang, "stats.bad_dates", problem=str(exc))
            return HTMLResponse(signin_page(lang, said), 400, pages.HEADERS)
        office, names = await call(store.branch_names, branch)
        if who.branch is None:
            scope = i18n.text(lang, "stats.who_town", name=who.name)
        else:
            scope = i18n.text(lang, "stats.who_branch", name=who.name, branch=who.branch)
        shown = {**doc, "names": names, "branch_name": office}
        return HTMLResponse(pages.stats(shown, mine, scope, lang, town), headers=pages.HEADERS)

    async def signin(request: Request) -> Response:
        if request.method == "GET":
            return HTMLResponse(signin_page(_lang(request)), headers=pages.HEADERS)
        if _cross_site(request):  # another site signing a manager into someone else's token
            return HTMLResponse(signin_page(_lang(request), "from_here"), 403, pages.HEADERS)
        try:
            form = parse_qs((await _body(request, 4096)).decode("utf-8", "replace"))
        except TooLarge:
            return HTMLResponse(signin_page(_lang(request), "not_token"), 413, pages.HEADERS)
        token = (form.get("token") or [""])[0].strip()
        who = await call(store.staff_for, token, "manager") if token else None
        if who is None:
            return HTMLResponse(signin_page(_lang(request), "not_manager"), 401, pages.HEADERS)
        session = await call(store.open_session, who, clock())
        answer = RedirectResponse(f"stats?lang={_lang(request)}", status_code=303)
        # Secure always: browsers keep it on https and on http://localhost alone.
        answer.set_cookie(COOKIE, session, httponly=True, samesite="strict", secure=True,
                          max_age=store.SESSION_HOURS * 3600)  # fmt: skip
        return answer

    async def signout(request: Request) -> Response:
        if _cross_site(request):  # another site signing a manager out
            return HTMLResponse(signin_page(_lang(request), "signout_here"), 403, pages.HEADERS)
        session = request.cookies.get(COOKIE)
        if session:
            await call(store.close_session, session)  # the cookie is worthless from now on
        answer = RedirectResponse("signin", status_code=303)
        answer.delete_cookie(COOKIE, httponly=True, samesite="strict", secure=True)
        return answer

    async def health(request: Request) -> Response:
        await call(store.counts)
        return JSONResponse({"ok": True, "database": db.engine})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(
            _every(RETAIN_EVERY_S, lambda: call(store.retain, clock(), retention_days))
        )
        try:
            yield
        finally:
            task.cancel()

    return Starlette(
        routes=[
            Route("/v1/events", post_events, methods=["POST"]),
            Route("/v1/branches/{branch}/appointments", get_appointments, methods=["GET"]),
            Route("/v1/kiosks/{kiosk}/marks", get_marks, methods=["GET"]),
            Route("/v1/branches/{branch}/appointments", put_appointments, methods=["PUT"]),
            Route("/v1/branches/{branch}/stats", stats_json),
            Route("/v1/branches/{branch}/stats.csv", stats_json),
            Route("/stats", stats_page),
            Route("/signin", signin, methods=["GET", "POST"]),
            Route("/fonts/{name}", font),  # the pages' two type families (kiosk.design)
            logo_route(branding.logo),  # the town's crest, checked again as it is read
            Route("/signout", signout, methods=["POST"]),
            *phone.routes(call, branding),
            Route("/v1/health", health),
        ],
        lifespan=lifespan,
        exception_handlers={SlowBody: slow_body},
    )


async def _every(seconds: float, job: Callable[[], Awaitable[Any]]) -> None:
    """Run ``job`` now and then every ``seconds``; a failure is logged, never fatal."""
    while True:
        try:
            done = await job()
            if getattr(done, "rows", 0) or getattr(done, "appointments", 0):
                log.info("central: retention deleted %s", done)
        except Exception:
            log.exception("central: retention failed; trying again later")
        await asyncio.sleep(seconds)
