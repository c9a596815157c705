"""The ``kiosk`` command (docs/command.md). Technicians use it over SSH; scripts parse --json.

Exit codes: 0 ok, 1 runtime failure, 2 bad input or configuration. Every error is one line.

``kiosk ui`` starts without click: it is the one command whose start a citizen waits for
(after a power cut, in front of a dark screen), so its plain command lines go straight to
:mod:`kiosk.ui.launch`. Anything else, ``kiosk ui --help`` included, goes through click.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``kiosk`` command."""
    args = sys.argv[1:] if argv is None else list(argv)
    from kiosk.ui.launch import parse

    fast = parse(args)
    if fast is not None:
        from kiosk.ui.launch import launch

        code = launch(*fast)
        if code:
            sys.exit(code)
        return
    from kiosk.cli.entry import run

    run(args)
