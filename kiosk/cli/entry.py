"""The ``kiosk`` command through click: every command, its help, and its errors as one line."""

from __future__ import annotations

import json
import os
import re
import sys

import click

from kiosk.cli.app import cli
from kiosk.cli.context import Fail
from kiosk.logs import internal_error
from kiosk.permission import denied_line

_KEY = re.compile(r"\A([a-z_]+(?:\[\d+\])?(?:\.[a-z_0-9]+(?:\[\d+\])?)*): ")


def fail(message: str, code: int, as_json: bool) -> None:
    """Report a failure: one line on stderr, or under ``--json`` one JSON object on stdout
    (``{"error", "key"}``, the key being the configuration key or word the line starts with)."""
    if as_json:
        match = _KEY.match(message)
        click.echo(json.dumps({"error": message, "key": match.group(1) if match else None}))
    else:
        click.echo(message, err=True)
    sys.exit(code)


def run(argv: list[str] | None = None) -> None:
    """Entry point: run the command, turning every failure into one line and an exit code."""
    as_json = "--json" in (sys.argv[1:] if argv is None else argv)
    try:
        # Without standalone mode click returns the code of an Exit instead of raising it.
        code = cli.main(args=argv, prog_name="kiosk", standalone_mode=False)
    except click.exceptions.Abort:
        fail("kiosk: interrupted", 1, as_json)
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "kiosk"
        message = exc.format_message().rstrip(".")
        fail(f"{where}: {message} (see {where} --help)", 2, as_json)
    except Fail as exc:
        fail(exc.format_message(), exc.exit_code, as_json)
    except click.ClickException as exc:
        fail(f"kiosk: {exc.format_message()}", exc.exit_code, as_json)
    except KeyboardInterrupt:
        fail("kiosk: interrupted", 130, as_json)
    except PermissionError as exc:  # wherever it came from: the real cause, in one line
        fail(denied_line(exc.filename or "a file"), 1, as_json)
    except Exception as exc:  # a bug: one line for the technician, details on request
        if os.environ.get("KIOSK_DEBUG"):
            raise
        fail(internal_error(exc), 1, as_json)
    if isinstance(code, int) and code:
        sys.exit(code)
