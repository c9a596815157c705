"""``kiosk tls make``: the branch's certificate authority and the host's certificate."""

from __future__ import annotations

import json

import click

from kiosk.cli.context import Context, Fail, emit, handled, json_option


@click.group("tls")
def tls_group() -> None:
    """The branch server's https: its own small certificate authority."""


@tls_group.command("make")
@click.option(
    "--name",
    "names",
    multiple=True,
    metavar="ADDRESS|HOST",
    help="An address or host name the satellites and desk tablets reach the host by"
    " (repeatable; default: this machine's host name and IPv4 addresses).",
)
@json_option
@click.pass_obj
@handled
def tls_make(obj: Context, names: tuple[str, ...], as_json: bool) -> None:
    """Make the branch's authority (once; kept in tls/ca.pem, its key in secrets/ca.key, beside
    the configuration) and a host certificate it signs (tls/branch.pem, secrets/branch.key),
    and set server.tls_cert_file and server.tls_key_file to them. Satellites and desk tablets
    trust tls/ca.pem (kiosk totem join ... --ca-file ca.pem).

    \b
    Examples:
      kiosk tls make --name 192.168.1.10 --name totem-1.anagrafe.lan
      systemctl restart kiosk-serve
    """
    from kiosk import tls
    from kiosk.config_edit import EditError, set_values
    from kiosk.units import hand_credential

    obj.host_only()
    folder = obj.config_path.absolute().parent
    try:
        made = tls.make(
            list(names) or tls.local_addresses(),
            folder / "tls",
            folder / "secrets",
            obj.config.branch,
            obj.clock(),
        )
        set_values(
            obj.config_path,
            [
                ("server.tls_cert_file", json.dumps(str(made.cert))),
                ("server.tls_key_file", json.dumps(str(made.key))),
            ],
        )
    except tls.TlsError as exc:
        raise Fail(str(exc), 2) from None
    except EditError as exc:
        raise Fail("\n".join(exc.lines), 2) from None
    dropin = hand_credential(obj.config_path, "kiosk-serve.service", "branch-tls-key", made.key)
    emit(
        {
            "ca": str(made.ca_cert), "cert": str(made.cert), "key": str(made.key),
            "names": list(made.names), "new_ca": made.new_ca,
            "expires": made.expires.date().isoformat(),
            "dropin": str(dropin) if dropin else None,
        },
        as_json,
        f"{'a new' if made.new_ca else 'the'} branch authority: {made.ca_cert} (copy it to the"
        " satellites and desk tablets: they trust it)\n"
        f"the host's certificate for {', '.join(made.names)}: {made.cert}, until"
        f" {made.expires.date()}\n"
        "server.tls_cert_file and server.tls_key_file set"
        + (f"; the key reaches kiosk-serve as a credential ({dropin})" if dropin else "")
        + "\nrestart: "
        + ("systemctl daemon-reload && " if dropin else "")
        + "systemctl restart kiosk-serve",
    )  # fmt: skip
