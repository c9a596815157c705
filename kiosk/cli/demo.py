"""``kiosk demo``: everything that exists, working together, from one command.

The central service (``kiosk central serve``, on its embedded SQLite) and the sync agent
(``kiosk sync``) run as their own processes, as their units do on a totem; the branch server
starts on 127.0.0.1. The demo then issues and prints tickets (simulated printer), scans
(simulated scanner), has a desk call a number, sends the events out and checks a booking in.
Unless ``--no-wait``, everything keeps running so the display, desk and statistics pages can be
opened in a browser, with the touch UI in its own window where there is a screen.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import click
import requests

from drivers.scanner import ScanResult
from drivers.scanner.evdev_scanner import EvdevScanner
from drivers.sim.scanner import KeyboardScannerSim
from kiosk import secrets
from kiosk.cli.context import Context, Fail, handled, json_option
from kiosk.config import Config
from kiosk.server import desks as desk_tokens
from kiosk.serving import ThreadedServer
from kiosk.store import appointments as store_appointments
from kiosk.store import state as store_state
from kiosk.totem import Totem, Unavailable


def _step(title: str) -> None:
    click.secho(f"\n== {title}", bold=True)


@click.command("demo")
@click.option("--no-wait", is_flag=True, help="Stop after the walk-through instead of serving.")
@json_option
@click.pass_obj
@handled
def demo(obj: Context, no_wait: bool, as_json: bool) -> None:
    """Run the whole product on the demo configuration (use with --config config/demo.toml).

    \b
    Example:
      kiosk --config config/demo.toml demo
    """
    config = obj.config
    totem = obj.totem()
    if not isinstance(totem, Totem):
        raise Fail('the demo runs a host: kiosk.role = "host" in its configuration', 2)
    click.echo(f"Totem demo: {config.branch_name}; data in {config.data_dir}")
    central, manager = _start_central(config, totem.clock())
    click.echo(f"central service on {config.central_url} (kiosk central serve, embedded SQLite)")
    branch = _start_branch(config)
    click.echo(f"branch server on {branch.url}")

    try:
        token, payload = _walk_through(obj, totem, branch)
    except BaseException:  # nothing of the demo outlives it
        branch.stop()
        _end(central)
        raise
    if no_wait:
        branch.stop()
        _end(central)
        return
    _serve_until_stopped(obj, branch, central, token, manager, payload)


def _phone(qr: str, base: str, payload: str) -> None:
    """What the phone page shows for a ticket, read as the page reads it (from the branch
    server the demo started, wherever ``ticket.status_url`` points)."""
    click.echo(f"  the QR holds {qr}")
    try:
        page = requests.get(f"{base}/t/{payload}", timeout=10)
        status = requests.get(f"{base}/api/v1/tickets/{payload}", timeout=10).json()
    except requests.RequestException as exc:
        click.echo(f"  the page did not answer: {type(exc).__name__}")
        return
    shown = {k: v for k, v in status.items() if k in ("ticket", "state", "ahead", "wait", "desk")}
    click.echo(
        f"  page: {page.status_code}, {len(page.content)} bytes, cookie:"
        f" {'yes' if 'set-cookie' in page.headers else 'none'}; status now: {shown}"
    )


def _walk_through(obj: Context, totem: Totem, branch: ThreadedServer) -> tuple[str, str | None]:
    """Every capability once, step by step; returns desk 1's token and the last walk-in
    ticket's payload."""
    config = obj.config
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
    token = desk_tokens.add(obj.store(), "1", replace=True)
    with requests.Session() as desk:
        answer = desk.post(
            f"{branch.url}/api/v1/desks/1/next",
            json={"services": [config.services[0].code]},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        calls = desk.get(branch.url + "/api/v1/calls", timeout=10).json()["calls"]
        click.echo(f"  desk 1 now serves {answer.json()['ticket']}; the call log says {calls}")

    if issued and config.status_url:
        _step("A citizen opens their ticket's QR on a phone (the page follows the turn live)")
        _phone(issued[0].qr, branch.url, issued[0].payload)

    _step("A second totem (a satellite) issues through this one and prints on its own printer")
    from kiosk.cli.demo_satellite import satellite_config

    second = satellite_config(config, obj.store(), branch.url)
    _kiosk(config, "issue", config.services[0].code, source=second)

    _step("The sync agent (kiosk sync --once): events to the central server, appointments back")
    _kiosk(config, "sync", "--once")
    downloaded = store_appointments.count(obj.store())
    click.echo(f"  appointments downloaded: {downloaded}")
    outcome = totem.scan(_through_scanner(DEMO_BOOKING))
    code = outcome.issued.ticket.code if outcome.issued else "-"
    click.echo(
        f"  a citizen scans their booking QR: {outcome.result} ({outcome.reason}), ticket {code}"
    )
    _kiosk(config, "sync", "--once")
    click.echo(
        "  the central server learns ticket numbers, check-ins, hourly counts (times only over"
        " five citizens) and each queue sealed for the phones; never a desk, never a call"
    )
    if issued:
        from kiosk.cli import demo_phone

        _step("A citizen outside the building follows the turn on the central's phone page")
        key = store_state.seal_key(obj.store(), issued[-1].ticket.day, obj.ticket_key())
        demo_phone.show(config, key, issued[-1].payload)
    _step("The central service: today's figures for the branch manager (kiosk central stats)")
    for line in _central(config, "stats", "--branch", config.branch).splitlines():
        click.echo(f"  {line}")

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
    return token, issued[-1].payload if issued else None


def _serve_until_stopped(
    obj: Context,
    branch: ThreadedServer,
    central: subprocess.Popen[bytes],
    token: str,
    manager: str,
    payload: str | None,
) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    config = obj.config
    children = [_spawn(config, "sync")]
    ui = None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        ui = _spawn(config, "ui", "--windowed")
        children.append(ui)
        second = config.data_dir.parent / "satellite" / "kiosk.toml"
        if second.exists():  # the second totem, in its own window
            children.append(subprocess.Popen([KIOSK, "--config", str(second), "ui", "--windowed"]))
    _step("Running: open these in a browser (Ctrl-C to stop)")
    click.echo(f"  call display:  {branch.url}/display")
    click.echo(f"  desk console:  {branch.url}/desk/1   (token: {token})")
    if config.status_url:
        click.echo(
            "  a phone page:  the URL in any printed ticket's QR (kiosk issue A --json: payload)"
        )
    if payload:
        click.echo("  outside:       the central's page: the address shown above for ticket")
        click.echo('                 printed with ticket.status_url = "<central>/t/<branch>/#"')
    click.echo(f"  statistics:    {config.central_url}/stats   (manager token: {manager})")
    click.echo(f"  issue more:    .venv/bin/kiosk --config {config.source} issue A")
    second = config.data_dir.parent / "satellite" / "kiosk.toml"
    click.echo(f"  a satellite:   .venv/bin/kiosk --config {second} issue A")
    click.echo(f"  tickets:       {config.data_dir / 'printer-sim'}/")
    if ui is None:
        click.echo(
            "  touch UI:      no screen here; see docs/ui-*.png or"
            f" kiosk --config {config.source} screenshot --screen home out.png"
        )
    else:
        click.echo("  touch UI:      in its own window (kiosk ui --windowed), and the satellite's")
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    stop.set()
    for child in children:
        _end(child)
    branch.stop()
    _end(central)


KIOSK = Path(sys.executable).with_name("kiosk")


def _spawn(config: Config, *args: str) -> subprocess.Popen[bytes]:
    """``kiosk ARGS`` on the demo configuration, as its own process (its logs on stderr)."""
    return subprocess.Popen([KIOSK, "--config", str(config.source), *args])


def _kiosk(config: Config, *args: str, source: Path | None = None) -> None:
    """Run ``kiosk ARGS`` to the end (on another configuration when given), its output
    indented under the step."""
    done = subprocess.run(
        [KIOSK, "--config", str(source or config.source), *args],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
        timeout=120,
    )
    for line in done.stdout.splitlines():
        click.echo(f"  {line}")


def _end(child: subprocess.Popen[bytes]) -> None:
    child.terminate()
    try:
        child.wait(timeout=10)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


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


def _central(config: Config, *args: str) -> str:
    """``kiosk central ARGS --database <the demo's>``; its output."""
    database = f"sqlite:///{(config.data_dir / 'central.sqlite3').resolve()}"
    done = subprocess.run(
        [KIOSK, "--config", str(config.source), "central", *args, "--database", database],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    if done.returncode != 0:
        raise Fail(f"kiosk central {' '.join(args[:2])}: {done.stdout or done.stderr}".strip(), 1)
    return done.stdout.strip()


def _start_central(config: Config, now: datetime) -> tuple[subprocess.Popen[bytes], str]:
    """The central service (``kiosk central serve``, embedded SQLite) on the configured
    address: this totem and the satellite enrolled, one booking for today, a manager's token
    (returned)."""
    (config.data_dir / "central.sqlite3").unlink(missing_ok=True)  # a new town each demo
    token = _central(config, "kiosk", "add", config.kiosk_id, "--branch", config.branch)
    config.central_token_file.unlink(missing_ok=True)
    secrets.ensure(config.central_token_file, token.encode())
    # The satellite's own health reaches the central through this totem: enrolled too.
    from kiosk.cli.demo_satellite import SATELLITE_ID

    _central(config, "kiosk", "add", SATELLITE_ID, "--branch", config.branch)
    manager = _central(config, "manager", "add", "demo-manager", "--branch", config.branch)
    names = [f"--service={s.code}={s.name[config.languages[0]]}" for s in config.services]
    _central(config, "branch", config.branch, "--name", config.branch_name, *names)
    slot = now.astimezone(config.timezone) + timedelta(minutes=5)
    bookings = config.data_dir / "central-bookings.csv"
    bookings.write_text(
        f"ref,code,service,slot\ndemo-apt-1,{DEMO_BOOKING},{config.services[0].code},{slot:%H:%M}\n"
    )
    _central(config, "appointments", "import", str(bookings), "--branch", config.branch,
             "--day", f"{now.astimezone(config.timezone):%Y-%m-%d}")  # fmt: skip
    bookings.unlink()  # the booking system's file: the central kept only the code's hash
    parts = urlsplit(config.central_url)
    listen = f"{parts.hostname or '127.0.0.1'}:{parts.port or 80}"
    child = subprocess.Popen(
        [KIOSK, "--config", str(config.source), "central", "serve", "--listen", listen,
         "--database", f"sqlite:///{(config.data_dir / 'central.sqlite3').resolve()}"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise Fail(f"cannot start the demo central service on {listen} (port in use?)", 1)
        with (
            contextlib.suppress(OSError),
            socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=1),
        ):
            return child, manager
        time.sleep(0.1)
    _end(child)
    raise Fail(f"the demo central service did not start on {listen}", 1)
