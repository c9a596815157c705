"""The demo's look at the central's phone page (contract v3): what a citizen outside the
building opens, and what the central holds of the queue (boxes it cannot open)."""

from __future__ import annotations

import click
import requests

from kiosk.config import Config
from kiosk.core import payload as ticket_payload
from kiosk.core import sealed


def central_page(config: Config, key: bytes, payload: str) -> str:
    """The address a ticket printed for the central's page holds (its QR, with
    ``ticket.status_url = "<central>/t/<branch>/#"``); ``key``: its day's seal key."""
    return ticket_payload.with_status_url(f"{config.central_url}/t/{config.branch}/#", payload, key)


def show(config: Config, key: bytes, payload: str) -> None:
    """Open the ticket's own box as the page does in the browser, and say what the central
    itself can see."""
    url = central_page(config, key, payload)
    click.echo(f"  a QR for the central's page holds {url}")
    click.echo("  (the browser never sends what follows the #: the ticket and its seal)")
    try:
        doc = requests.get(f"{config.central_url}/t/{config.branch}/sealed", timeout=10).json()
    except (requests.RequestException, ValueError) as exc:
        click.echo(f"  the central's page did not answer: {type(exc).__name__}")
        return
    counts = ", ".join(f"{s['service']} {len(s['boxes'])}" for s in doc["services"])
    click.echo(f"  the central holds sealed boxes it cannot open, per service: {counts}")
    seal = url.rsplit(".", 1)[1]
    for entry in doc["services"]:
        mine = sealed.find(seal, config.branch, entry["service"], entry["tick"], entry["boxes"])
        if mine is not None:
            shown = {k: v for k, v in mine.items() if k in ("ticket", "state", "ahead", "wait")}
            click.echo(f"  the ticket's seal opens its own box: {shown}")
            return
    click.echo("  the ticket's box is not there yet (sealed at the next minute)")
