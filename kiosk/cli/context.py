"""What every command needs: the configuration, the store and the totem, loaded on demand,
and the mapping of known failures to one error line and an exit code."""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from drivers.printer.connect import open_printer
from drivers.printer.device import Printer
from drivers.printer.uri import PrinterUriError
from kiosk import secrets
from kiosk.config import DEFAULT_PATH, Config, ConfigError, load
from kiosk.store import StorageError, Store
from kiosk.totem import Totem, utc_now

F = TypeVar("F", bound=Callable[..., Any])


class Fail(click.ClickException):
    """A failure to report with an exit code (1 runtime, 2 input or configuration).

    The message is printed as it is: one line, or one line per configuration problem.
    """

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = code  # type: ignore[misc]  # click declares it on the class


class Context:
    """Lazily loaded configuration, store and totem for one command.

    Args:
        config_path: the TOML file.
        clock: the current instant; tests pass a fixed one.
    """

    def __init__(self, config_path: Path, clock: Callable[[], datetime] = utc_now) -> None:
        self.config_path = config_path
        self.clock = clock
        self._store: Store | None = None
        self._printer: Printer | None = None

    @functools.cached_property
    def config(self) -> Config:
        return with_credentials(load(self.config_path))

    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.config.database)
        return self._store

    def ticket_key(self) -> bytes:
        """The payload signing key; on first run this also creates the central token file."""
        self.central_token()
        return secrets.ensure(self.config.ticket_key_file)

    def central_token(self) -> None:
        """Create the central token file on first run (to be registered with the central
        server's operator); under systemd the units receive it as a credential instead."""
        if not os.environ.get(CREDENTIALS) and not self.config.central_token_file.exists():
            secrets.ensure(self.config.central_token_file, secrets.new_token())

    def printer(self) -> Printer | None:
        """The configured printer; ``sim://`` keeps its tickets in <data_dir>/printer-sim."""
        if self._printer is None:
            try:
                self._printer = open_printer(
                    self.config.printer_uri,
                    width_mm=self.config.paper_width,
                    sim_jobs_dir=self.config.data_dir / "printer-sim",
                )
            except PrinterUriError as exc:
                raise Fail(f"printer.uri: {exc}", 2) from None
        return self._printer

    def totem(self) -> Totem:
        return Totem(
            self.config, self.store(), self.ticket_key(), clock=self.clock, printer=self.printer()
        )

    def close(self) -> None:
        if self._printer is not None:
            self._printer.close()
            self._printer = None
        if self._store is not None:
            self._store.close()
            self._store = None


CREDENTIALS = "CREDENTIALS_DIRECTORY"
# systemd credential name -> the Config field holding that secret's path.
CREDENTIAL_FIELDS = {"central-token": "central_token_file", "ticket-key": "ticket_key_file"}


def with_credentials(config: Config) -> Config:
    """Read secrets from systemd credentials (``LoadCredential=``) when the unit passes them.

    The units hide /etc/kiosk/secrets from the processes; systemd copies each secret into a
    private, read-only ``$CREDENTIALS_DIRECTORY`` instead.
    """
    folder = os.environ.get(CREDENTIALS)
    if not folder:
        return config
    found = {
        field: Path(folder) / name
        for name, field in CREDENTIAL_FIELDS.items()
        if (Path(folder) / name).is_file()
    }
    return dataclasses.replace(config, **found) if found else config  # type: ignore[arg-type]


def default_config_path() -> Path:
    return Path(os.environ.get("KIOSK_CONFIG") or DEFAULT_PATH)


def handled(func: F) -> F:
    """Run a command body, turning known failures into :class:`Fail`."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            raise Fail("\n".join(exc.problems), 2) from None
        except StorageError as exc:
            raise Fail(f"database: {exc}", 1) from None
        except secrets.SecretError as exc:
            raise Fail(f"secret: {exc}", 1) from None

    return wrapper  # type: ignore[return-value]


def emit(data: dict[str, Any], as_json: bool, human: str) -> None:
    """Print a result as JSON (for scripts) or as a human line."""
    click.echo(json.dumps(data, ensure_ascii=False, sort_keys=True) if as_json else human)


def setup_logging(service: bool = False) -> None:
    """One line per event on stderr, which systemd sends to the journal.

    Under systemd (``$JOURNAL_STREAM`` set) each line starts with its syslog priority
    (``<3>`` error ... ``<7>`` debug), which journald reads as the entry's level and strips;
    at a terminal the level is written out instead. Long-running processes (``service``) log
    from INFO, one-shot commands from WARNING; ``$KIOSK_LOG_LEVEL`` overrides both.
    """
    from kiosk.logs import OneLineFormatter, Redact

    default = "INFO" if service else "WARNING"
    level = os.environ.get("KIOSK_LOG_LEVEL", default).upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        level = default
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "kiosk", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler()
    handler.kiosk = True  # type: ignore[attr-defined]
    handler.setFormatter(OneLineFormatter(journal=bool(os.environ.get("JOURNAL_STREAM"))))
    handler.addFilter(Redact())
    root.addHandler(handler)
    root.setLevel(level)


def host_port(option: str, value: str) -> tuple[str, int]:
    """Split ``HOST:PORT`` for a command option, or fail with one line and exit 2."""
    host, _, port = value.rpartition(":")
    if not host or not port.isascii() or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise Fail(f'{option}: "{value}" is not HOST:PORT (port 1..65535)', 2)
    return host, int(port)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
