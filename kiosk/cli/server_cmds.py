"""``kiosk serve`` (the branch server) and ``kiosk desk add|remove|list``."""

from __future__ import annotations

import json

import click

from kiosk.cli.context import Context, Fail, handled, host_port, json_option
from kiosk.server import desks as desk_tokens


@click.command("serve")
@click.option("--listen", default=None, help="HOST:PORT (default: server.listen).")
@click.pass_obj
@handled
def serve_cmd(obj: Context, listen: str | None) -> None:
    """Run the branch server: desk consoles at /desk/N, call displays at /display.

    \b
    Example:
      kiosk serve --listen 0.0.0.0:8080
    """
    import uvicorn

    from kiosk.server.app import make_app

    address = listen or obj.config.server_listen
    host, port = host_port("--listen", address)
    obj.store()  # fail here, with one line, if the database cannot be opened
    app = make_app(obj.config)
    click.echo(f"branch server on http://{host}:{port} (displays: /display, desks: /desk/N)")
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=3,  # displays' event streams never end by themselves
        )
    except OSError as exc:
        raise Fail(f"server.listen {address}: {exc.strerror}", 1) from None


@click.group("desk")
def desk_group() -> None:
    """Desks: numbers with a device token, never people."""


@desk_group.command("add")
@click.argument("desk")
@json_option
@click.pass_obj
@handled
def desk_add(obj: Context, desk: str, as_json: bool) -> None:
    """Create desk DESK (or give it a new token) and print its token once; only a hash is kept.

    \b
    Example:
      kiosk desk add 3
    """
    try:
        token = desk_tokens.add(obj.store(), desk)
    except desk_tokens.DeskError as exc:
        raise Fail(f"desk: {exc}", 2) from None
    click.echo(json.dumps({"desk": desk, "token": token}) if as_json else token)


@desk_group.command("remove")
@click.argument("desk")
@click.pass_obj
@handled
def desk_remove(obj: Context, desk: str) -> None:
    """Revoke desk DESK's token.

    \b
    Example:
      kiosk desk remove 3
    """
    if not desk_tokens.remove(obj.store(), desk):
        raise Fail(f'desk: "{desk}" does not exist', 2)
    click.echo(f"desk {desk}: token revoked")


@desk_group.command("list")
@click.pass_obj
@handled
def desk_list(obj: Context) -> None:
    """The desks that have a token.

    \b
    Example:
      kiosk desk list
    """
    for name in desk_tokens.names(obj.store()):
        click.echo(name)
