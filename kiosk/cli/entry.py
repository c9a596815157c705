"""The ``kiosk`` command through click: every command, its help, and its errors as one line."""

from __future__ import annotations

import os
import sys

import click

from kiosk.cli.app import cli
from kiosk.cli.context import Fail
from kiosk.logs import internal_error


def run(argv: list[str] | None = None) -> None:
    """Entry point: run the command, turning every failure into one line and an exit code."""
    try:
        # Without standalone mode click returns the code of an Exit instead of raising it.
        code = cli.main(args=argv, prog_name="kiosk", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("kiosk: interrupted", err=True)
        sys.exit(1)
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "kiosk"
        message = exc.format_message().rstrip(".")
        click.echo(f"{where}: {message} (see {where} --help)", err=True)
        sys.exit(2)
    except Fail as exc:
        click.echo(exc.format_message(), err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"kiosk: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("kiosk: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: one line for the technician, details on request
        if os.environ.get("KIOSK_DEBUG"):
            raise
        click.echo(internal_error(exc), err=True)
        sys.exit(1)
    if isinstance(code, int) and code:
        sys.exit(code)
