"""An input device read through evdev and grabbed, so its keys reach only the totem: the
keyboard-wedge scanner and the keypad. Each owner's event loop polls :meth:`fileno`, calls
:meth:`events` when it is readable, and calls :meth:`connect` again after an unplug."""

from __future__ import annotations

import contextlib
import errno
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class GrabbedDevice:
    """One evdev device, opened on demand.

    Args:
        opener: returns an evdev EventIO-like object (``fd``, ``read()``, ``grab()``,
            ``close()``), or None while the device is absent. Production opens the configured
            device; tests pass a pipe read by evdev's own reader.
        what: the device's name in the log ("scanner", "keypad").
    """

    def __init__(self, opener: Callable[[], Any], what: str) -> None:
        self.opener, self.what = opener, what
        self.device: Any = None

    def reset(self) -> None:
        """Forget what was half-read (a subclass's decoder); on every connect and close."""

    def connect(self) -> bool:
        """Open and grab the device if it is not open; true when it is ready."""
        if self.device is not None:
            return True
        device = self.opener()
        if device is None:
            return False
        grab = getattr(device, "grab", None)
        if grab is not None:
            try:
                grab()  # exclusive: key events stop reaching the UI and the console
            except OSError as exc:
                log.warning("%s: cannot take it exclusively (%s)", self.what, exc.strerror)
                device.close()
                return False
        self.device = device
        self.reset()
        log.info("%s: connected", self.what)
        return True

    def fileno(self) -> int | None:
        return None if self.device is None else int(self.device.fd)

    def events(self) -> list[Any]:
        """The input events waiting (never blocks); [] and disconnected when it went away."""
        if self.device is None:
            return []
        try:
            events = list(self.device.read())
        except BlockingIOError:
            return []
        except OSError as exc:
            if exc.errno not in (errno.ENODEV, errno.EIO, errno.EBADF):
                raise
            self.disconnect()  # unplugged
            return []
        if not events:
            # Readable but empty: end of file. A pipe (the simulator) ends this way; a real
            # device says ENODEV instead.
            self.disconnect()
        return events

    def disconnect(self) -> None:
        """The device went away (unplugged); the event loop will reconnect."""
        if self.device is not None:
            log.warning("%s: disconnected", self.what)
            self.close()

    def close(self) -> None:
        if self.device is not None:
            with contextlib.suppress(OSError):
                self.device.close()
            self.device = None
            self.reset()
