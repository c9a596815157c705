"""``kiosk doctor``: the checks a technician makes, each ok/failed with its fix."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kiosk import plugins
from kiosk.cli.context import Context
from kiosk.config import load, with_credentials
from kiosk.doctor import Doctor, as_json, find_systemctl


def make_doctor(config_path: Path) -> Doctor:
    """The doctor for a configuration file, reading secrets as the units do."""
    return Doctor(
        config_path,
        lambda p: with_credentials(load(p)),
        find_systemctl(),
        plugins.load(plugins.CHECKS, "central"),
    )


MARK = {"ok": "ok", "warn": "WARN", "failed": "FAILED", "skipped": "-"}


@click.command("doctor")
@click.option("--json", "as_json_flag", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def doctor_cmd(obj: Context, as_json_flag: bool) -> None:
    """Check the configuration, database, printer and paper, scanner, central server and
    token, clock, disk space and the systemd units; say how to fix what fails.

    Exit code 0 when nothing failed (warnings allowed), 1 otherwise.

    \b
    Examples:
      kiosk doctor
      kiosk doctor --json
    """
    doctor = make_doctor(obj.config_path)
    checks = doctor.run()
    result = as_json(checks)
    if as_json_flag:
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            click.echo(f"{MARK[c.status]:<7} {c.name:<{width}}  {c.detail}")
            if c.fix:
                click.echo(f"{'':<7} {'':<{width}}  fix: {c.fix}")
    if not result["ok"]:
        raise click.exceptions.Exit(1)
