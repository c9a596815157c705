"""``kiosk totem``: satellite totems of this branch (run on the host, section 13)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

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
    if not obj.config.database.exists() or not satellites.remove(obj.store(), totem):
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


@totem_group.command("join")
@click.argument("url")
@click.option(
    "--token-file",
    "token_file",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The token the host's `kiosk totem add` printed for this totem, in a 0600 file.",
)
@click.option(
    "--ca-file",
    "ca_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="The host's authority certificate (its `kiosk tls make` ca.pem); default: the system's.",
)
@json_option
@click.pass_obj
@handled
def totem_join(
    obj: Context, url: str, token_file: Path, ca_file: Path | None, as_json: bool
) -> None:
    """Make this totem a satellite of the host at URL, in one step: kiosk.role, branch.url,
    branch.token_file and branch.ca_file are set together, after the host answered and took the
    token (nothing is written otherwise).

    \b
    Example:
      kiosk totem join https://192.168.1.10:8080 --token-file /etc/kiosk/secrets/branch-token \\
          --ca-file /etc/kiosk/tls/branch-ca.pem
    """
    from kiosk import config as config_mod
    from kiosk.config_edit import EditError, set_values
    from kiosk.doctor import Doctor

    pairs = [
        ("kiosk.role", '"satellite"'),
        ("branch.url", json.dumps(url)),
        ("branch.token_file", json.dumps(str(token_file.absolute()))),
    ]
    if ca_file is not None:
        pairs.append(("branch.ca_file", json.dumps(str(ca_file.absolute()))))
    path = obj.config_path

    def host_takes_us(text: str) -> None:
        config = config_mod.parse(tomllib.loads(text), path.parent, path)
        check = Doctor(path, config_mod.load).host(config)
        if check.status != "ok":
            raise Fail(f"totem join: {check.detail}; {check.fix}; nothing was changed", 1)

    try:
        set_values(path, pairs, before_writing=host_takes_us)
    except EditError as exc:
        raise Fail("\n".join(exc.lines), 2) from None
    from kiosk.units import hand_credential

    dropin = hand_credential(path, "kiosk-ui.service", "branch-token", token_file)
    emit(
        {"joined": url, "config": str(path), "dropin": str(dropin) if dropin else None},
        as_json,
        f"this totem is a satellite of {url} (written to {path})\n"
        + (f"the token reaches kiosk-ui as a credential ({dropin})\n" if dropin else "")
        + "restart: "
        + ("systemctl daemon-reload && " if dropin else "")
        + "systemctl restart kiosk-ui  (kiosk-serve, kiosk-sync and the purge do not run on a"
        " satellite)",
    )
