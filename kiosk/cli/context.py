"""What every command needs: the configuration, the store and the totem, loaded on demand,
and the mapping of known failures to one error line and an exit code."""

from __future__ import annotations

import functools
import json
import os
import socket
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from drivers.printer.device import Printer
from drivers.printer.uri import PrinterUriError
from kiosk import secrets
from kiosk.config import Config, ConfigError, load, with_credentials
from kiosk.devices import configured_printer
from kiosk.permission import AS_WHOM
from kiosk.satellite import HostAway, SatelliteTotem
from kiosk.store import StorageError, Store, marker
from kiosk.store.owner import hand_back
from kiosk.totem import Totem, utc_now

if TYPE_CHECKING:
    from drivers.audio.voice import Voice

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
        clock: the current instant; tests pass a fixed one (None: the wall clock).
    """

    def __init__(self, config_path: Path, clock: Callable[[], datetime] | None = None) -> None:
        self.config_path = config_path
        self.clock = clock or utc_now
        self._store: Store | None = None
        self._printer: Printer | None = None
        self._reading = False

    @functools.cached_property
    def config(self) -> Config:
        return with_credentials(load(self.config_path))

    def host_only(self) -> None:
        """Fail with one line on a satellite: what follows needs the branch's queue."""
        if self.config.role == "satellite":
            raise Fail(
                f"this totem is a satellite of {self.config.host_url}: it keeps no queue;"
                " run this on the host",
                2,
            )
        if self.config.role == "display":
            raise Fail(
                f"this machine is a display of {self.config.display_url}: it keeps no queue;"
                " run this on the host",
                2,
            )

    def reading(self) -> None:
        """This command only reads: the database opens read-only and must exist, and no secret
        is made (DESIGN 14: a command meant to read never creates or changes a file)."""
        self._reading = True

    def store(self) -> Store:
        self.host_only()
        if self._store is None:
            database = self.config.database
            if self._reading and not database.exists():
                lost = marker.lost_day(
                    database,
                    self.config.witness_dir,
                    marker.read(database, self.config.witness_dir),
                )
                if lost is not None:
                    raise Fail(f"database: {lost}", 1)
                raise Fail(
                    f"database: {database} does not exist yet: the units make it when they"
                    " start (systemctl start kiosk-ui kiosk-serve); nothing was created",
                    1,
                )
            store = Store(database, readonly=self._reading, witness_dir=self.config.witness_dir)
            try:
                store.verify()  # a technician's command never writes into a damaged file
            except BaseException:
                store.close()
                raise
            self._store = store
        return self._store

    def ticket_key(self) -> bytes:
        """The payload signing key; on first run this also creates the central token file.
        A reading command signs nothing: it gets a key of its own, and no file is made."""
        if self._reading:
            return os.urandom(32)
        return secrets.ticket_key(self.config)

    def central_token(self) -> None:
        """Create the central token file on first run (see :func:`kiosk.secrets.central_token`)."""
        self.host_only()  # a satellite or a display has no central service to register with
        secrets.central_token(self.config)

    def printer(self) -> Printer | None:
        """The configured printer (see :func:`kiosk.devices.configured_printer`)."""
        if self._printer is None:
            try:
                self._printer = configured_printer(self.config)
            except PrinterUriError as exc:
                raise Fail(f"printer.uri: {exc}", 2) from None
        return self._printer

    def voice(self) -> Voice:
        """The configured voice (``speech.voice``), for ``kiosk say``."""
        from kiosk.devices import configured_voice

        return configured_voice(self.config)

    def totem(self) -> Totem | SatelliteTotem:
        """This totem's use cases: on a satellite, through the host (no database here)."""
        if self.config.role == "satellite":
            return SatelliteTotem(self.config, clock=self.clock, printer=self.printer())
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
            hand_back(self.config.database.parent)


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
            raise Fail(f"secret: {exc}{'; ' + AS_WHOM if exc.denied else ''}", 1) from None
        except HostAway as exc:
            raise Fail(f"branch: {exc}", 1) from None

    return wrapper  # type: ignore[return-value]


def emit(data: dict[str, Any], as_json: bool, human: str) -> None:
    """Print a result as JSON (for scripts) or as a human line."""
    click.echo(json.dumps(data, ensure_ascii=False, sort_keys=True) if as_json else human)


def check_bindable(key: str, address: str, host: str, port: int) -> None:
    """Fail with one line when the address is taken or not ours, before starting a server."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise Fail(f"{key} {address}: {exc.strerror}", 1) from None


def host_port(option: str, value: str) -> tuple[str, int]:
    """Split ``HOST:PORT`` for a command option, or fail with one line and exit 2."""
    host, _, port = value.rpartition(":")
    if not host or not port.isascii() or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise Fail(f'{option}: "{value}" is not HOST:PORT (port 1..65535)', 2)
    return host, int(port)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
