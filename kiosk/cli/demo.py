"""``kiosk demo``: everything that exists, working together, from one command.

Today that is the ticket core, the store and the command line: the demo issues tickets the
way the totem does, scans one back, shows the status and what tonight's purge would delete.
Later capabilities (the touch UI, printer and scanner simulators, the branch server, the sync
agent and the reference central server) join it here as they land.
"""

from __future__ import annotations

import click

from drivers.scanner import ScanResult
from drivers.scanner.evdev_scanner import EvdevScanner
from drivers.sim.scanner import KeyboardScannerSim
from kiosk.cli.context import Context, handled
from kiosk.totem import Unavailable


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
