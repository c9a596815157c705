"""Tell systemd how a long-running process is doing (the sd_notify(3) protocol).

``READY=1`` once the process serves, ``WATCHDOG=1`` from its main loop (a process whose loop
hangs stops pinging and systemd kills and restarts it), ``STOPPING=1`` on the way out.

The protocol is one datagram on the AF_UNIX socket named by ``$NOTIFY_SOCKET``; written here
rather than taken from python-systemd, which needs a C build against libsystemd. Outside
systemd (no ``$NOTIFY_SOCKET``) every call does nothing.

``$WATCHDOG_PID`` is deliberately not checked: the UI runs as the child of the cage
compositor (the unit's main process, ``NotifyAccess=all``), and it is the UI's event loop
that must prove it is alive.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Messages to the service manager, if there is one.

    Args:
        environ: where ``NOTIFY_SOCKET`` and ``WATCHDOG_USEC`` are read (the process's own).
        clock: monotonic seconds, for spacing the pings.
    """

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        env = os.environ if environ is None else environ
        self._clock = clock
        self._address = _address(env.get("NOTIFY_SOCKET", ""))
        usec = env.get("WATCHDOG_USEC", "")
        self.watchdog_interval: float | None = None
        if self._address is not None and usec.isascii() and usec.isdigit() and int(usec) > 0:
            # Ping at a quarter of the timeout: one slow turn of the loop is not fatal.
            self.watchdog_interval = int(usec) / 4_000_000
        self._last_ping = float("-inf")
        self._sock: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        return self._address is not None

    def ready(self, status: str = "") -> None:
        self.send("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def status(self, status: str) -> None:
        self.send(f"STATUS={status}")

    def stopping(self) -> None:
        self.send("STOPPING=1")

    def ping(self) -> None:
        """``WATCHDOG=1``, at most once per watchdog interval; call it from the main loop."""
        if self.watchdog_interval is None:
            return
        now = self._clock()
        if now - self._last_ping >= self.watchdog_interval:
            self._last_ping = now
            self.send("WATCHDOG=1")

    def send(self, message: str) -> None:
        if self._address is None:
            return
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto(message.encode("utf-8"), self._address)
        except OSError as exc:
            # Never fatal: the service manager restarts us if it misses the watchdog.
            log.warning("cannot notify systemd: %s", exc.strerror)

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def _address(value: str) -> str | bytes | None:
    if value.startswith("@"):
        return b"\0" + value[1:].encode()  # abstract namespace
    if value.startswith("/"):
        return value
    return None
