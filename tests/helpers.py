"""Running the real `kiosk` entry point in-process, as a technician's shell would."""

from __future__ import annotations

import pytest

from kiosk.cli import main


def run_kiosk(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``kiosk ARGS`` through the real entry point; returns (exit code, stdout, stderr)."""
    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
