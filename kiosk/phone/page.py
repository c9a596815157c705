"""The phone status page: one template for the branch server and the central service.

The page is whole in one response (no framework, no external resource, a few KB): the
status at the moment it was asked, the strings of one language, and a small script that
follows the status stream, reconnects by itself, and vibrates, rings and notifies when three
people are left and when the citizen is called. Nothing is stored on the phone. On the
central service the page gets no status from the server: its script reads the ticket and its
seal from the URL's fragment and opens the ticket's own sealed status (WebCrypto) from the
branch's boxes, every 30 s (:mod:`kiosk.core.sealed` says how they are made).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from importlib import resources
from string import Template

from kiosk import design, i18n
from kiosk.i18n import LANGUAGES, RTL

# Every response of the page: no cookie is ever set, nothing is cached or sent onwards, and
# nothing but this page's own inline code and its own stream may run or load.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline';"
        " connect-src 'self'; font-src 'self'; img-src 'self'; base-uri 'none';"
        " form-action 'none'; frame-ancestors 'none'"
    ),
}


def _template() -> Template:
    return Template(resources.files(__package__).joinpath("page.html").read_text("utf-8"))


_TEMPLATE = _template()


def language(preferred: str | None, accept: str | None, offered: tuple[str, ...]) -> str:
    """The page's language: the ticket's, else the phone's first offered one, else the first.

    Args:
        preferred: the language the ticket was issued in (None on a page without a ticket).
        accept: the phone's Accept-Language header.
        offered: the office's languages, first the default.
    """
    if preferred in offered and preferred in LANGUAGES:
        return preferred
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in offered and tag in LANGUAGES:
            return tag
    return next((lang for lang in offered if lang in LANGUAGES), LANGUAGES[0])


def texts(lang: str) -> dict[str, object]:
    """The page's messages in ``lang``: each plural one as ``{CLDR category: text}``, for the
    script to choose with the phone's own ``Intl.PluralRules``."""
    return {**i18n.messages(lang, "phone"), **i18n.plural_table(lang, "phone")}


def script_json(value: object) -> str:
    """JSON safe inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(
    status: dict[str, object] | None,
    *,
    lang: str,
    office: str,
    service_names: Mapping[str, str],
    stream: str | None,
    sealed: str | None = None,
    branch: str = "",
    poll: int = 30,
    primary: str | None = None,
    logo: bool = False,
) -> str:
    """The page for a ticket's ``status`` (a :class:`~kiosk.phone.status.TicketStatus` as
    JSON; None: not a ticket of this office, and the page shows no position).

    Args:
        lang: one of :data:`~kiosk.i18n.LANGUAGES`.
        office: the branch's name.
        service_names: each service's name in ``lang`` (a desk may send the ticket to
            another service; the page then names that one).
        stream: where the status stream is (None: no stream, as for a forged ticket).
        sealed: the central's page instead: where the branch's sealed statuses are; the page
            opens its own with the seal after the URL's ``#`` (``status`` is then None).
        branch: the branch id the boxes are bound to (with ``sealed``).
        poll: seconds between two looks at the boxes (with ``sealed``).
        primary: the town's colour (``[branding] primary``) on the page's header.
        logo: whether the server that serves the page has the town's logo (/branding/logo).
    """
    words = i18n.messages(lang, "phone")
    code = str(status["ticket"]) if status else "—"
    return _TEMPLATE.substitute(
        lang=lang,
        dir="rtl" if lang in RTL else "ltr",
        # The type is named, not sent: a phone on mobile data is not made to fetch 500 KB of
        # font; one with Noto Sans uses it, any other its own sans-serif.
        tokens=design.css(design.NORMAL, primary=primary, fonts=None),
        logo='<img src="/branding/logo" alt="">' if logo else "",
        title=html.escape(words["title"]),
        code=html.escape(code),
        state=html.escape(str(status["state"]) if status else "unknown"),
        stream=html.escape(stream or ""),
        sealed=html.escape(sealed or ""),
        branch=html.escape(branch),
        poll=str(int(poll)),
        office=html.escape(office),
        service=html.escape(service_names.get(str(status["service"]), "") if status else ""),
        names=script_json(dict(service_names)),
        now_label=html.escape(words["now"]),
        privacy=html.escape(words["privacy"]),
        texts=script_json(texts(lang)),
        status=script_json(status),
    )
