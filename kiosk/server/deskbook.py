"""The branch server's memory of the desks: the day key their seats' marks are made with
(:mod:`kiosk.core.seats`) and the last calls the displays show. Neither ever reaches a disk.

The key is kept in this process and, under systemd, in the service's runtime folder
(``$RUNTIME_DIRECTORY``, on tmpfs: memory), so a restart of ``kiosk-serve`` finds it again; a
reboot or a power cut does not, and the citizens who were at a desk then are counted as served
(nobody can tell which desk held them any more). A new key is made for each day. The call log
holds the last :data:`CALLS_KEPT` calls and starts empty after any restart: a display shows the
next call as it comes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.seats import Seat

log = logging.getLogger(__name__)
CALLS_KEPT = 6
_KEYS: dict[str, tuple[str, bytes]] = {}  # database -> (day, key): this process's memory
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Call:
    """One line of the call log, as displays get it."""

    id: int
    ticket: str
    desk: str
    at: str

    def as_json(self) -> dict[str, str]:
        return {"ticket": self.ticket, "desk": self.desk, "at": self.at}


def runtime_folder() -> Path | None:
    """Where systemd keeps the service's runtime files (tmpfs), if it does."""
    folder = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
    return Path(folder) if folder else None


class DeskBook:
    """The desks' day key and call log, for one database.

    Args:
        database: the store's path (the key is the day's for that store).
        runtime: a tmpfs folder the key survives a restart of the service in (None: this
            process's memory only).
    """

    def __init__(self, database: Path, runtime: Path | None = None) -> None:
        self.name = str(database)
        self.runtime = runtime
        self._calls: deque[Call] = deque(maxlen=CALLS_KEPT)
        self._last_id = 0

    def key(self, day: str) -> tuple[bytes, bool]:
        """The day key of ``day``, and whether it was made just now (no earlier key of the day
        survived: a first start, a reboot, a new day)."""
        with _LOCK:
            kept = _KEYS.get(self.name) or self._from_runtime()
            if kept is not None and kept[0] == day:
                _KEYS[self.name] = kept
                return kept[1], False
            key = os.urandom(32)
            _KEYS[self.name] = (day, key)
            self._to_runtime(day, key)
            return key, True

    def seat(self, desk: str, day: str) -> Seat:
        return Seat(self.key(day)[0], desk)

    def desk_of(self, day: str, ticket: str, mark: str | None, desks: Iterable[str]) -> str | None:
        """Which of ``desks`` holds ``ticket`` (its mark), if one does."""
        key = self.key(day)[0]
        return next((d for d in desks if Seat(key, d).holds(ticket, mark)), None)

    def record(self, ticket: str, desk: str, at: str) -> Call:
        """Log a call. Its id is the time in microseconds (and always above the last one), so
        a display that reconnects after a restart of the server, asking for what came after
        the last id it saw, gets the calls the new process logged since."""
        with _LOCK:
            self._last_id = max(self._last_id + 1, time.time_ns() // 1000)
            call = Call(self._last_id, ticket, desk, at)
            self._calls.append(call)
            return call

    def calls(self, after: int = 0) -> list[Call]:
        """The calls still in the log after id ``after``, newest first."""
        with _LOCK:
            return [c for c in reversed(self._calls) if c.id > after]

    def _file(self) -> Path | None:
        if self.runtime is None:
            return None
        return self.runtime / f"desk-key-{hashlib.sha256(self.name.encode()).hexdigest()[:12]}"

    def _from_runtime(self) -> tuple[str, bytes] | None:
        path = self._file()
        try:
            day, hexkey = path.read_text().split() if path else ("", "")
            return (day, bytes.fromhex(hexkey)) if day else None
        except (OSError, ValueError):
            return None

    def _to_runtime(self, day: str, key: bytes) -> None:
        path = self._file()
        if path is None:
            return
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(f"{day} {key.hex()}\n")
        except OSError as exc:  # the key stays in this process: a restart loses it
            log.warning("desks: cannot keep the day key in %s (%s)", path.parent, exc.strerror)
