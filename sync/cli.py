"""``kiosk sync`` (the agent and its status) and ``kiosk central`` (the reference server).

These commands plug into ``kiosk`` through the ``kiosk.commands`` entry points (pyproject.toml),
so the kiosk package never imports the sync agent.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path

import click

from kiosk.cli.context import (
    Context,
    Fail,
    check_bindable,
    emit,
    handled,
    host_port,
    json_option,
)
from kiosk.cli.status_cmd import describe_sync
from kiosk.notify import Notifier
from kiosk.store.outbox import Outbox
from sync.agent import SyncAgent
from sync.client import CentralClient

log = logging.getLogger("kiosk.sync")


@click.group("sync", invoke_without_command=True)
@click.option("--once", is_flag=True, help="Drain the outbox and exit: 0 drained, 1 not reachable.")
@json_option
@click.pass_context
@handled
def sync_group(ctx: click.Context, once: bool, as_json: bool) -> None:
    """Send the outbox to the central server and fetch today's appointments.

    Without a subcommand, runs the agent until stopped (its own systemd unit).

    \b
    Examples:
      kiosk sync
      kiosk sync --once
      kiosk sync status --json
    """
    if ctx.invoked_subcommand is not None:
        return
    obj: Context = ctx.obj
    obj.central_token()  # first run: creates the central token file when missing
    config = obj.config
    agent = SyncAgent(
        config,
        obj.store(),
        CentralClient(config.central_url, config.central_token_file, config.central_ca_file),
    )
    if once:
        if not agent.drain():
            raise Fail(f"sync: central server not reachable or refusing ({config.central_url})", 1)
        emit({"drained": True}, as_json, "sync: outbox drained")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    notifier = Notifier()
    notifier.ready(f"sending to {config.central_url}")
    log.info("sync agent started (central %s)", config.central_url)
    with contextlib.suppress(KeyboardInterrupt):
        agent.run(stop, heartbeat=notifier.ping)
    notifier.stopping()
    log.info("sync agent stopped")


@sync_group.command("status")
@json_option
@click.pass_obj
@handled
def sync_status_cmd(obj: Context, as_json: bool) -> None:
    """Backlog, oldest waiting event, last success and error, parked events, paused for auth.

    \b
    Example:
      kiosk sync status --json
    """
    data = Outbox(obj.store()).status(datetime.now(UTC))
    emit(data, as_json, "\n".join(line.strip() for line in describe_sync(data)))


@click.command("central")
@click.option("--listen", default="127.0.0.1:8765", show_default=True)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Its SQLite file (default: <data_dir>/central.sqlite3).",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The token kiosks must present (default: central.token_file).",
)
@click.option(
    "--appointments",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help='JSON: {"branch": [{"day", "ref", "code" or "code_sha256", "service", "slot"}]}',
)
@click.option(
    "--error-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of 5xx answers."
)
@click.option("--throttle-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of 429.")
@click.option("--retry-after", type=int, default=1, show_default=True)
@click.option(
    "--slow-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of slow answers."
)
@click.option("--slow-seconds", type=float, default=2.0, show_default=True)
@click.option(
    "--drop-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of dropped connections."
)
@click.option("--max-body", type=int, default=1 << 30, help="413 above this many bytes.")
@click.option("--reject-service", multiple=True, help="Answer 422 for events of this service.")
@click.option("--seed", type=int, default=None, help="Seed for the injected faults.")
@json_option
@click.pass_obj
@handled
def central_cmd(
    obj: Context,
    listen: str,
    db: Path | None,
    token_file: Path | None,
    appointments: Path | None,
    error_rate: float,
    throttle_rate: float,
    retry_after: int,
    slow_rate: float,
    slow_seconds: float,
    drop_rate: float,
    max_body: int,
    reject_service: tuple[str, ...],
    seed: int | None,
    as_json: bool,
) -> None:
    """Run the reference central server (docs/central-api.md) for the demo and the tests.

    \b
    Example:
      kiosk central --listen 127.0.0.1:8765 --error-rate 0.3 --throttle-rate 0.1
    """
    from sync.central import CentralServer, Faults  # the server stack only when serving

    host, port = host_port("--listen", listen)
    check_bindable("--listen", listen, host, port)
    faults = Faults(
        error_rate=error_rate,
        throttle_rate=throttle_rate,
        retry_after=retry_after,
        slow_rate=slow_rate,
        slow_seconds=slow_seconds,
        drop_rate=drop_rate,
        max_body=max_body,
        reject_services=set(reject_service),
        seed=seed,
    )
    database = db or obj.config.data_dir / "central.sqlite3"
    database.parent.mkdir(parents=True, exist_ok=True)
    server = CentralServer(
        database, token_file or obj.config.central_token_file, appointments, faults, host, port
    )
    click.echo(f"central server on http://{host}:{port}; events in {database}")
    try:
        server.server.run()
    finally:
        server.store.close()
