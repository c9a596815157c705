"""``kiosk serve`` (the branch server) and ``kiosk desk add|remove|list``."""

from __future__ import annotations

import gc
import http.client
import json
import logging
import os
import signal
import ssl
import threading
from pathlib import Path
from typing import Any

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
from kiosk.config import Config
from kiosk.notify import Notifier
from kiosk.server import desks as desk_tokens

log = logging.getLogger("kiosk.serve")


@click.command("serve")
@click.option("--listen", default=None, help="HOST:PORT (default: server.listen).")
@json_option
@click.pass_obj
@handled
def serve_cmd(obj: Context, listen: str | None, as_json: bool) -> None:
    """Run the branch server: desk consoles at /desk/N, call displays at /display.

    \b
    Example:
      kiosk serve --listen 0.0.0.0:8080
    """
    from kiosk.server.app import make_app
    from kiosk.serving import ThreadedServer, raise_file_limit

    address = listen or obj.config.server_listen
    host, port = host_port("--listen", address)
    obj.store()  # fail here, with one line, if the database cannot be opened
    check_bindable("server.listen", address, host, port)
    tls = obj.config.server_tls
    for file in tls or ():
        if not os.access(file, os.R_OK):
            raise Fail(f"server.tls: {file} cannot be read", 1)
    app = make_app(obj.config)
    # What is loaded now (modules, the app) lives as long as the process: out of the
    # collector's sight, a full collection walks only the connections (thousands of phones').
    gc.collect()
    gc.freeze()
    raise_file_limit()  # as the unit's LimitNOFILE=, when started by hand
    server = ThreadedServer(app, host, port, tls=tls, graceful_timeout=3)
    phones = _phone_server(obj.config, app, tls)
    try:
        server.start()
        if phones is not None:
            phones.start()
    except RuntimeError:
        server.stop()
        raise Fail(f"server.listen {address}: the server did not start", 1) from None
    scheme = "https" if tls else "http"
    click.echo(f"branch server on {scheme}://{host}:{port} (displays: /display, desks: /desk/N)")
    log.info("branch server listening on %s:%d", host, port)
    if phones is not None:
        click.echo(f"phones only on {phones.url} (/t/PAYLOAD)")
        log.info("phones' server listening on %s", obj.config.server_phone_listen)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    notifier = Notifier()
    notifier.ready(f"listening on {address}")
    local = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}  # noqa: S104
    probe = _Probe(local.get(host, host), port, tls=tls is not None)
    try:
        while not stop.wait(min(1.0, notifier.watchdog_interval or 1.0)):
            # The watchdog is fed only while the server answers its own /api/v1/info: a hung
            # event loop stops the pings and systemd restarts the unit.
            if notifier.watchdog_interval is not None and probe.ok():
                notifier.ping()
    except KeyboardInterrupt:
        pass
    notifier.stopping()
    if phones is not None:
        phones.stop()
    server.stop()
    log.info("branch server stopped")


def _phone_server(config: Config, app: Any, tls: tuple[Path, Path] | None) -> Any:
    """The phones' own listener (``server.phone_listen``), or None."""
    from kiosk.serving import ThreadedServer

    if config.server_phone_listen is None:
        return None
    host, port = host_port("server.phone_listen", config.server_phone_listen)
    check_bindable("server.phone_listen", config.server_phone_listen, host, port)
    return ThreadedServer(app.state.phone_app, host, port, tls=tls, graceful_timeout=3)


class _Probe:
    """GET /api/v1/info on the server itself, with a short timeout."""

    def __init__(self, host: str, port: int, tls: bool = False) -> None:
        self.host, self.port, self.tls = host, port, tls

    def ok(self) -> bool:
        conn: http.client.HTTPConnection
        if self.tls:  # itself, on this machine: whether it answers, not who it is
            context = ssl._create_unverified_context()  # noqa: S323
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=5, context=context)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=5)
        try:
            conn.request("GET", "/api/v1/info")
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()


@click.group("desk")
def desk_group() -> None:
    """Desks: numbers with a device token, never people."""


@desk_group.command("add")
@click.argument("desk")
@click.option("--replace", is_flag=True, help="Give a desk that has a token a new one.")
@json_option
@click.pass_obj
@handled
def desk_add(obj: Context, desk: str, replace: bool, as_json: bool) -> None:
    """Create desk DESK (a number, 1 to 999) and print its token once; only a hash is kept.

    \b
    Examples:
      kiosk desk add 3
      kiosk desk add 3 --replace     (a new token for desk 3; the old one stops working)
    """
    try:
        token = desk_tokens.add(obj.store(), desk, replace=replace)
    except desk_tokens.DeskError as exc:
        raise Fail(f"desk: {exc}", 2) from None
    click.echo(json.dumps({"desk": desk, "token": token}) if as_json else token)


@desk_group.command("remove")
@click.argument("desk")
@json_option
@click.pass_obj
@handled
def desk_remove(obj: Context, desk: str, as_json: bool) -> None:
    """Revoke desk DESK's token.

    \b
    Example:
      kiosk desk remove 3
    """
    if not obj.config.database.exists() or not desk_tokens.remove(obj.store(), desk):
        raise Fail(f'desk: "{desk}" does not exist', 2)
    emit({"desk": desk, "revoked": True}, as_json, f"desk {desk}: token revoked")


@desk_group.command("list")
@json_option
@click.pass_obj
@handled
def desk_list(obj: Context, as_json: bool) -> None:
    """The desks that have a token.

    \b
    Example:
      kiosk desk list
    """
    obj.reading()
    names = desk_tokens.names(obj.store())
    emit({"desks": names}, as_json, "\n".join(names))
