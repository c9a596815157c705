"""``kiosk demo``: everything that exists, working together, from one command.

The reference central server, the branch server and the sync agent start on 127.0.0.1; the
demo then issues and prints tickets (simulated printer), scans (simulated scanner), has a desk
call a number, sends the events out and checks a booking in. Unless ``--no-wait``, everything
keeps running so the display and desk pages can be opened in a browser. The touch UI joins
it here when it lands.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import click
import requests

from drivers.scanner import ScanResult
from drivers.scanner.evdev_scanner import EvdevScanner
from drivers.sim.scanner import KeyboardScannerSim
from kiosk import secrets
from kiosk.cli.context import Context, Fail, handled
from kiosk.config import Config
from kiosk.server import desks as desk_tokens
from kiosk.serving import ThreadedServer
from kiosk.store import Store
from kiosk.totem import Unavailable
from sync.agent import SyncAgent
from sync.central import CentralServer
from sync.client import CentralClient


def _step(title: str) -> None:
    click.secho(f"\n== {title}", bold=True)


@click.command("demo")
@click.option("--no-wait", is_flag=True, help="Stop after the walk-through instead of serving.")
@click.pass_obj
@handled
def demo(obj: Context, no_wait: bool) -> None:
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
    branch = _start_branch(config)
    click.echo(f"branch server on {branch.url}")

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

    _step("Desk 1 calls the next citizen (the branch server; displays show and announce it)")
    token = desk_tokens.add(obj.store(), "1")
    with requests.Session() as desk:
        answer = desk.post(
            f"{branch.url}/api/v1/desks/1/next",
            json={"services": [config.services[0].code]},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        calls = desk.get(branch.url + "/api/v1/calls", timeout=10).json()["calls"]
        click.echo(f"  desk 1 now serves {answer.json()['ticket']}; the call log says {calls}")

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
    _step("kiosk doctor (a technician's checks; units are skipped outside systemd)")
    from kiosk.cli.doctor_cmd import make_doctor

    for check in make_doctor(config.source).run():
        if not check.name.startswith("kiosk-"):
            fix = f" (fix: {check.fix})" if check.fix else ""
            click.echo(f"  {check.status:<7} {check.name:<11} {check.detail}{fix}")
    if no_wait:
        branch.stop()
        central.stop()
        return
    _serve_until_stopped(obj, branch, central, token)


def _serve_until_stopped(
    obj: Context, branch: ThreadedServer, central: CentralServer, token: str
) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    config = obj.config

    def send() -> None:  # the agent's connection belongs to its own thread
        with Store(config.database) as store:
            client = CentralClient(config.central_url, config.central_token_file)
            SyncAgent(config, store, client).run(stop)

    sender = threading.Thread(target=send, name="sync", daemon=True)
    sender.start()
    ui = None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        kiosk = Path(sys.executable).with_name("kiosk")
        ui = subprocess.Popen([kiosk, "--config", str(config.source), "ui", "--windowed"])
    _step("Running: open these in a browser (Ctrl-C to stop)")
    click.echo(f"  call display:  {branch.url}/display")
    click.echo(f"  desk console:  {branch.url}/desk/1   (token: {token})")
    click.echo(f"  issue more:    .venv/bin/kiosk --config {config.source} issue A")
    click.echo(f"  tickets:       {config.data_dir / 'printer-sim'}/")
    if ui is None:
        click.echo(
            "  touch UI:      no screen here; see docs/ui-*.png or"
            f" kiosk --config {config.source} screenshot --screen home out.png"
        )
    else:
        click.echo("  touch UI:      in its own window (kiosk ui --windowed)")
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    stop.set()
    if ui is not None:
        ui.terminate()
        ui.wait(timeout=10)
    sender.join(timeout=10)
    branch.stop()
    central.stop()


def _start_branch(config: Config) -> ThreadedServer:
    from kiosk.server.app import make_app

    host, _, port = config.server_listen.rpartition(":")
    try:
        return ThreadedServer(make_app(config), host, int(port), graceful_timeout=2).start()
    except RuntimeError:
        raise Fail(
            f"cannot start the branch server on {config.server_listen} (port in use?)", 1
        ) from None


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
