"""``kiosk sync``: the agent and its status.

This command plugs into ``kiosk`` through the ``kiosk.commands`` entry points (pyproject.toml),
so the kiosk package never imports the sync agent.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from datetime import UTC, datetime

import click

from kiosk.cli.context import (
    Context,
    Fail,
    emit,
    handled,
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
        key=obj.ticket_key(),  # the tickets' seals come from it (service.sealed)
    )
    if once:
        agent.once = True
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
    obj.reading()  # a reading command: it never makes the database
    data = Outbox(obj.store()).status(datetime.now(UTC))
    emit(
        data, as_json, "\n".join(line.strip() for line in describe_sync(data, obj.config.timezone))
    )
