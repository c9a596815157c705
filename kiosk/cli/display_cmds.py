"""``kiosk display``: waiting-room displays with a token of their own (run on the host)."""

from __future__ import annotations

import json

import click

from kiosk.cli.context import Context, Fail, emit, handled, json_option
from kiosk.config import Config
from kiosk.server import displays


@click.group("display")
def display_group() -> None:
    """Displays: waiting-room screens with a token, whose call streams nobody else can crowd out."""


@display_group.command("add")
@click.argument("display")
@click.option("--replace", is_flag=True, help="Give a display that has a token a new one.")
@json_option
@click.pass_obj
@handled
def display_add(obj: Context, display: str, replace: bool, as_json: bool) -> None:
    """Create display DISPLAY and print the address it opens, with its token after the #
    (shown once; only a hash is kept).

    \b
    Examples:
      kiosk display add hall-left
      kiosk display add hall-left --replace   (a new token; the old one stops working)
    """
    try:
        token = displays.add(obj.store(), display, replace=replace)
    except displays.DisplayError as exc:
        raise Fail(f"display: {exc}", 2) from None
    page = page_of(obj.config, token)
    if as_json:
        click.echo(json.dumps({"display": display, "token": token, "url": page}))
    else:
        click.echo(token)
        click.echo(f"on the display: kiosk config set display.url={page}", err=True)


def page_of(config: Config, token: str) -> str:
    """The address the display opens: this branch server's page, the token after the #
    (which the browser never sends; the page keeps it in a cookie for its call stream)."""
    host, _, port = config.server_listen.rpartition(":")
    if host in ("", "0.0.0.0", "::", "[::]"):  # noqa: S104 (a listen address, read)
        host = "THIS-TOTEM"  # the technician knows the host's address on the LAN
    scheme = "https" if config.server_tls else "http"
    return f"{scheme}://{host}:{port}/display#display={token}"


@display_group.command("remove")
@click.argument("display")
@json_option
@click.pass_obj
@handled
def display_remove(obj: Context, display: str, as_json: bool) -> None:
    """Revoke display DISPLAY's token (it goes back to the public pool of streams).

    \b
    Example:
      kiosk display remove hall-left
    """
    if not obj.config.database.exists() or not displays.remove(obj.store(), display):
        raise Fail(f'display: "{display}" does not exist', 2)
    emit({"display": display, "revoked": True}, as_json, f"display {display}: token revoked")


@display_group.command("list")
@json_option
@click.pass_obj
@handled
def display_list(obj: Context, as_json: bool) -> None:
    """The displays that have a token.

    \b
    Example:
      kiosk display list
    """
    obj.reading()
    found = displays.names(obj.store())
    emit({"displays": found}, as_json, "\n".join(found))
