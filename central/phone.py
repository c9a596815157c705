"""The phone page for citizens outside the building (contract v3): the page, and each service's
latest sealed statuses, which the page opens in the browser with the seal that only the
ticket's QR holds, after the ``#`` of its URL (``/t/roma-m1/#PAYLOAD.SEAL``; a browser never
sends the fragment). The central serves the same bytes to every phone and cannot tell which
box is whose, nor which one changed (:mod:`kiosk.core.sealed`).

Nothing here is per ticket, so nothing can be exhausted per ticket: the boxes are one small
document per branch, cached for a second, answered 304 to a phone that has them, and polled
(no stream holds a connection). A budget per address (an IPv6 /64 counts as one) is wide
enough for a guest Wi-Fi full of phones and stops only a script.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from central import store
from kiosk.branding import NO_BRANDING, Branding
from kiosk.i18n import LANGUAGES
from kiosk.phone import page as phone_page
from kiosk.server.ratelimit import RateLimit, client_key

CACHE_S = 1.0  # the boxes of a branch are read from the database at most once a second
POLL_S = 30  # how often the page asks again (a tick is a minute)
# A phone asks every 30 s; a guest Wi-Fi puts a hundred of them behind one address.
PER_ADDRESS_RATE, PER_ADDRESS_BURST = 5.0, 200
NO_CACHE = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}

Call = Callable[..., Awaitable[Any]]


def routes(call: Call, branding: Branding = NO_BRANDING) -> list[Route]:
    """``GET /t/{branch}/`` (the page), ``GET /t/{branch}/sealed`` (the boxes), and the
    version-2 form ``/t/{branch}/{payload}``, gone: its payload reached the server."""
    cache: dict[str, tuple[float, bytes, str]] = {}
    budget = RateLimit(rate=PER_ADDRESS_RATE, burst=PER_ADDRESS_BURST)

    def too_many() -> Response:
        return JSONResponse({"error": "too many requests; try again later"}, status_code=429,
                            headers={"Cache-Control": "no-store", "Retry-After": "10"})  # fmt: skip

    def allowed(request: Request) -> bool:
        return budget.allow(client_key(request.client.host if request.client else None))

    async def page(request: Request) -> Response:
        if not allowed(request):
            return too_many()
        branch = request.path_params["branch"]
        lang = phone_page.language(None, request.headers.get("accept-language"), LANGUAGES)
        office, names = await call(store.branch_names, branch)
        known = branch in await call(store.branches)
        body = phone_page.render(
            None, lang=lang, office=office if known else "", service_names=names,
            stream=None, sealed=f"/t/{branch}/sealed" if known else None, branch=branch,
            poll=POLL_S, primary=branding.primary, logo=branding.logo is not None,
        )  # fmt: skip
        return HTMLResponse(body, 200 if known else 404, phone_page.HEADERS)

    async def without_slash(request: Request) -> Response:
        # The fragment stays with the browser across the redirect.
        return RedirectResponse(f"/t/{request.path_params['branch']}/", status_code=308)

    async def boxes(request: Request) -> Response:
        if not allowed(request):
            return too_many()
        branch = request.path_params["branch"]
        now = time.monotonic()
        hit = cache.get(branch)
        if hit is None or now - hit[0] > CACHE_S:
            found = await call(store.sealed, branch)
            raw = json.dumps({"branch": branch, "services": found}, separators=(",", ":"))
            hit = (now, raw.encode(), '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"')
            cache[branch] = hit
            while len(cache) > 1000:  # branches that do not exist cannot grow it for ever
                cache.pop(next(iter(cache)))
        _at, body, etag = hit
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={**NO_CACHE, "ETag": etag})
        return Response(body, media_type="application/json", headers={**NO_CACHE, "ETag": etag})

    async def gone(request: Request) -> Response:
        """A QR of contract version 2 (the payload in the path): the central no longer reads
        tickets; the page says the ticket is not one it can follow."""
        lang = phone_page.language(None, request.headers.get("accept-language"), LANGUAGES)
        body = phone_page.render(None, lang=lang, office="", service_names={}, stream=None)
        return HTMLResponse(body, 410, phone_page.HEADERS)

    return [
        Route("/t/{branch}/", page),
        Route("/t/{branch}", without_slash),
        Route("/t/{branch}/sealed", boxes),
        Route("/t/{branch}/{payload}", gone),
    ]
