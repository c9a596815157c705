"""``kiosk totem``: satellite totems of this branch (run on the host, section 13)."""

from __future__ import annotations

import json

import click

from kiosk.cli.context import Context, Fail, emit, handled, json_option
from kiosk.server import satellites


@click.group("totem")
def totem_group() -> None:
    """Satellite totems: other totems of the branch that issue through this one."""


@totem_group.command("add")
@click.argument("totem")
@click.option("--replace", is_flag=True, help="Give a satellite that has a token a new one.")
@json_option
@click.pass_obj
@handled
def totem_add(obj: Context, totem: str, replace: bool, as_json: bool) -> None:
    """Create satellite TOTEM (its kiosk.id) and print its token once; only a hash is kept.

    Put the token in the satellite's branch.token_file.

    \b
    Examples:
      kiosk totem add roma-m1-totem-2
      kiosk totem add roma-m1-totem-2 --replace   (a new token; the old one stops working)
    """
    try:
        token = satellites.add(obj.store(), totem, replace=replace)
    except satellites.TotemError as exc:
        raise Fail(f"totem: {exc}", 2) from None
    click.echo(json.dumps({"totem": totem, "token": token}) if as_json else token)


@totem_group.command("remove")
@click.argument("totem")
@json_option
@click.pass_obj
@handled
def totem_remove(obj: Context, totem: str, as_json: bool) -> None:
    """Revoke satellite TOTEM's token (it can no longer issue).

    \b
    Example:
      kiosk totem remove roma-m1-totem-2
    """
    if not satellites.remove(obj.store(), totem):
        raise Fail(f'totem: "{totem}" does not exist', 2)
    emit({"totem": totem, "revoked": True}, as_json, f"totem {totem}: token revoked")


@totem_group.command("list")
@json_option
@click.pass_obj
@handled
def totem_list(obj: Context, as_json: bool) -> None:
    """The satellites that have a token.

    \b
    Example:
      kiosk totem list
    """
    obj.reading()
    names = satellites.names(obj.store())
    emit({"totems": names}, as_json, "\n".join(names))
