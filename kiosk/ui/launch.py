"""``kiosk ui``'s start, without click: configuration, secrets, devices, then the window.

A citizen waits for this start (after a power cut, in front of a black screen), so it loads
only what the home screen needs before showing it: the configuration, Qt and the window. The
database and the totem's rules load on the worker thread while the window is built, and the
scanner driver once the home screen is on the display.

Errors are the command's: one line naming the key, exit 2 for a bad configuration or device
address, exit 1 for an unusable secret, never a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def parse(argv: list[str]) -> tuple[Path | None, bool] | None:
    """``(config path, windowed)`` for the plain ``kiosk [--config PATH] ui [--windowed]``
    command lines; None for anything else, which click then parses with its help and errors."""
    config: Path | None = None
    rest = list(argv)
    if len(rest) >= 2 and rest[0] == "--config" and rest[1] and not rest[1].startswith("-"):
        config, rest = Path(rest[1]), rest[2:]
    elif rest and rest[0].startswith("--config=") and len(rest[0]) > len("--config="):
        config, rest = Path(rest[0].split("=", 1)[1]), rest[1:]
    if rest == ["ui"]:
        return config, False
    if rest == ["ui", "--windowed"]:
        return config, True
    return None


def launch(config_path: Path | None, windowed: bool) -> int:
    """Run the touch UI until SIGTERM; the exit code. Every failure is one line on stderr."""
    try:
        return _launch(config_path, windowed)
    except KeyboardInterrupt:
        print("kiosk: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line for the technician, details on request
        if os.environ.get("KIOSK_DEBUG"):
            raise
        from kiosk.logs import internal_error

        print(internal_error(exc), file=sys.stderr)
        return 1


def _launch(config_path: Path | None, windowed: bool) -> int:
    from drivers.printer.uri import PrinterUriError
    from drivers.scanner.connect import open_scanner
    from drivers.scanner.uri import ScannerUriError
    from kiosk import secrets
    from kiosk.config import ConfigError, default_config_path, load, with_credentials
    from kiosk.devices import configured_printer
    from kiosk.logs import setup_logging

    setup_logging(service=True)
    if not any(os.environ.get(v) for v in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "DISPLAY")):
        print(
            "ui: no screen here (neither WAYLAND_DISPLAY nor DISPLAY is set); on a totem the"
            " kiosk-ui unit starts it inside cage; `kiosk screenshot` shows any screen",
            file=sys.stderr,
        )
        return 1
    path = config_path or default_config_path()
    try:
        config = with_credentials(load(path))
    except ConfigError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        if not os.environ.get("NOTIFY_SOCKET"):
            return 2  # at a terminal: the lines above are the answer
        # Under systemd, on the totem's screen: say so to whoever stands in front of it, and
        # start the real UI once the technician's configuration is valid.
        from kiosk.ui import unconfigured

        def still_invalid() -> bool:
            try:
                load(path)
            except ConfigError:
                return True
            return False

        return unconfigured.run(path, exc.problems, still_invalid)
    if config.role == "display" and config.display_url:
        from kiosk.display import run as show

        return show(config.display_url)
    try:
        # A satellite signs nothing (the host does) and talks to no central server.
        key = secrets.ticket_key(config) if config.role == "host" else b""
    except secrets.SecretError as exc:
        print(f"secret: {exc}", file=sys.stderr)
        return 1
    try:
        printer = configured_printer(config)
    except PrinterUriError as exc:
        print(f"printer.uri: {exc}", file=sys.stderr)
        return 2
    try:
        scanner = open_scanner(config.scanner_uri)  # not connected yet: no driver loaded
    except ScannerUriError as exc:
        print(f"scanner.uri: {exc}", file=sys.stderr)
        return 2

    from drivers.keypad import open_keypad
    from kiosk.ui.app import TotemApp, run
    from kiosk.ui.window import now_utc
    from kiosk.ui.worker import make_totem_factory

    keypad = open_keypad(config.access.keypad_uri)  # opened once home is drawn

    def build() -> TotemApp:
        return TotemApp(config, make_totem_factory(config, key, printer), now_utc,
                        printer=printer, scanner=scanner, lockdown=not windowed,
                        keypad=keypad)  # fmt: skip

    try:
        return run(build)
    finally:
        if printer is not None:
            printer.close()
