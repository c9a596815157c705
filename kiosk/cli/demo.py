"""``kiosk demo``: everything that exists, working together, from one command.

Today that is the ticket core, the store and the command line: the demo issues tickets the
way the totem does, scans one back, shows the status and what tonight's purge would delete.
Later capabilities (the touch UI, printer and scanner simulators, the branch server, the sync
agent and the reference central server) join it here as they land.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import click

from drivers.scanner import ScanResult
from drivers.scanner.evdev_scanner import EvdevScanner
from drivers.sim.scanner import KeyboardScannerSim
from kiosk import secrets
from kiosk.cli.context import Context, Fail, handled
from kiosk.config import Config
from kiosk.totem import Unavailable
from sync.agent import SyncAgent
from sync.central import CentralServer
from sync.client import CentralClient


def _step(title: str) -> None:
    click.secho(f"\n== {title}", bold=True)


@click.command("demo")
@click.pass_obj
@handled
def demo(obj: Context) -> None:
    """Run the whole product on the demo configuration (use with --config config/demo.toml).

    \b
    Example:
      kiosk --config config/demo.toml demo
    """
    config = obj.config
    totem = obj.totem()
    click.echo(f"Totem demo: {config.branch_name}; data in {config.data_dir}")
    central = _start_central(config, totem.today().isoformat(), totem.clock())
    click.echo(f"reference central server on {central.url}")

    _step("A citizen touches each service")
    issued = []
    for service in config.services:
        name = service.name[config.languages[0]]
        try:
            ticket = totem.issue_walkin(service.code)
        except Unavailable as exc:
            click.echo(f"  {name:<28} {exc}")
            continue
        issued.append(ticket)
        click.echo(
            f"  {name:<28} ticket {ticket.ticket.code}, {ticket.ahead} ahead,"
            f" about {ticket.wait_min} min"
        )

    printed = [i for i in issued if i.printed]
    if printed:
        click.echo(
            f"  printed by the simulated printer: {config.data_dir / 'printer-sim'}/job-*.png"
        )

    _step("Scans at the totem (a simulated keyboard-wedge scanner, Italian layout)")
    if issued:
        first = issued[0]
        outcome = totem.scan(_through_scanner(first.qr))
        click.echo(
            f"  ticket {first.ticket.code} scanned while waiting:"
            f" {outcome.result} ({outcome.reason})"
        )
        forged = first.payload[:-1] + str((int(first.payload[-1]) + 1) % 10)
        outcome = totem.scan(forged)
        click.echo(
            f"  the same ticket with one character changed: {outcome.result} ({outcome.reason})"
        )
    outcome = totem.scan("\x1b[2J")
    click.echo(f"  a code with control characters: {outcome.result} ({outcome.reason})")

    _step("The sync agent: events to the central server, today's appointments back")
    agent = SyncAgent(
        config, obj.store(), CentralClient(config.central_url, config.central_token_file)
    )
    agent.drain()
    downloaded = obj.store().scalar("SELECT COUNT(*) FROM appointments")
    click.echo(f"  appointments downloaded: {downloaded}")
    outcome = totem.scan(_through_scanner(DEMO_BOOKING))
    code = outcome.issued.ticket.code if outcome.issued else "-"
    click.echo(
        f"  a citizen scans their booking QR: {outcome.result} ({outcome.reason}), ticket {code}"
    )
    agent.drain()
    received = central.store.events()
    kinds = sorted({e["type"] for e in received})
    click.echo(f"  the central server holds {len(received)} events: {', '.join(kinds)}")
    if received:
        click.echo(f"  every event carries only: {', '.join(received[-1])}")
    central.stop()

    _step("kiosk status")
    ctx = click.get_current_context()
    assert ctx.parent is not None and isinstance(ctx.parent.command, click.Group)
    status = ctx.parent.command.get_command(ctx.parent, "status")
    assert status is not None
    ctx.invoke(status, as_json=False)

    _step("kiosk purge --dry-run (tonight's retention)")
    purge = ctx.parent.command.get_command(ctx.parent, "purge")
    assert purge is not None
    ctx.invoke(purge, dry_run=True, as_json=False)


def _through_scanner(text: str) -> str:
    """Type text on the simulated scanner and read it back as the totem does (evdev, grabbed)."""
    sim = KeyboardScannerSim("it")
    scanner = EvdevScanner(sim.opener, "it")
    scanner.connect()
    sim.type(text)
    results: list[ScanResult] = []
    for _ in range(100):  # evdev hands over a few dozen events per read
        results += scanner.on_readable()
        if results:
            break
    scanner.close()
    sim.close()
    return results[0].text or "" if results else ""


DEMO_BOOKING = "BOOK-DEMO-0001"


def _start_central(config: Config, day: str, now: datetime) -> CentralServer:
    """The reference central server on the configured address, with one booking for today."""
    secrets.ensure(config.central_token_file, secrets.new_token())
    slot = now.astimezone(config.timezone) + timedelta(minutes=5)
    bookings = config.data_dir / "central-appointments.json"
    bookings.write_text(json.dumps({config.branch: [
        {"day": day, "ref": "demo-apt-1", "code": DEMO_BOOKING, "service": config.services[0].code,
         "slot": f"{slot:%H:%M}"},
    ]}))  # fmt: skip
    parts = urlsplit(config.central_url)
    server = CentralServer(
        config.data_dir / "central.sqlite3",
        config.central_token_file,
        bookings,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 80,
    )
    try:
        return server.start()
    except RuntimeError:
        raise Fail(
            f"cannot start the demo central server on {config.central_url} (port in use?)", 1
        ) from None
