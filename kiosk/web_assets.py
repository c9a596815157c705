"""What every web page of Totem loads besides itself, from the server that served it: the two
type families (kiosk.design) and the town's logo. Nothing comes from anywhere else (the pages'
Content-Security-Policy says so); a phone on the guest Wi-Fi gets the same files."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from kiosk.branding import LogoError, is_svg, logo_bytes
from kiosk.design import FONT_DIR, FONT_FILES

WEEK = "public, max-age=604800"
# An SVG opened on its own cannot run or fetch anything either (it was checked for both).
LOGO_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


async def font(request: Request) -> Response:
    """``/fonts/NAME``: one of the four files of :data:`kiosk.design.FONT_FILES`, nothing else."""
    name = request.path_params["name"]
    path = FONT_DIR / name
    if name not in FONT_FILES.values() or not path.is_file():
        return PlainTextResponse("no such font", 404)
    return FileResponse(path, media_type="font/ttf", headers={"Cache-Control": WEEK})


def logo_route(logo: Path | None) -> Route:
    """``/branding/logo``: the town's logo, checked again as it is read (the file may have
    changed since ``config check``): an SVG that could run or fetch is never served."""

    async def serve(request: Request) -> Response:
        if logo is None:
            return PlainTextResponse("no logo configured", 404)
        try:
            data = logo_bytes(logo)
        except LogoError:
            return PlainTextResponse("the logo cannot be drawn: kiosk config check says why", 404)
        kind = "image/svg+xml" if is_svg(data) else "image/png"
        headers = {"Cache-Control": "public, max-age=3600", "Content-Security-Policy": LOGO_POLICY,
                   "X-Content-Type-Options": "nosniff"}  # fmt: skip
        return Response(data, media_type=kind, headers=headers)

    return Route("/branding/logo", serve)


def asset_routes(logo: Path | None) -> list[Route]:
    return [Route("/fonts/{name}", font), logo_route(logo)]
