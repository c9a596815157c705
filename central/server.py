"""The central service in a thread, for the tests, the benchmarks and the demo's helpers;
``kiosk central serve`` runs the same in the foreground."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from central import bookings, store
from central.db import Database, connect, sqlite_url
from central.faults import Faults, Misbehave
from central.web import make_app
from kiosk.branding import NO_BRANDING, Branding
from kiosk.serving import ThreadedServer


class CentralServer(ThreadedServer):
    """Serve the database at ``database`` (a path: embedded SQLite; or a URL).

    With ``faults`` it misbehaves as told (:mod:`central.faults`); it always keeps the bodies
    it stored in :meth:`bodies`, so tests see exactly what crossed the wire.
    """

    def __init__(
        self,
        database: Path | str,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: tuple[Path, Path] | None = None,
        retention_days: int = 7,
        lifespan: Literal["on", "off"] = "off",
        now: Any = None,
        record: bool = True,
        branding: Branding = NO_BRANDING,
    ) -> None:
        url = sqlite_url(database) if isinstance(database, Path) else database
        self.db: Database = connect(url)
        self.faults = faults or Faults()
        self.faults.record = record  # tests only: `kiosk central serve` keeps no body
        app: Any = make_app(self.db, retention_days=retention_days, now=now, branding=branding)
        if faults is not None or record:
            app = Misbehave(app, self.faults)
        super().__init__(app, host, port, tls, lifespan=lifespan)

    def enrol(self, kiosk: str, branch: str, token: str | None = None) -> str:
        """Register a kiosk (with a chosen token, for tests); returns the token."""
        return store.add_kiosk(self.db, kiosk, branch, token)

    def book(self, branch: str, day: str, items: list[dict[str, str]]) -> int:
        """Appointments as the booking system sends them (raw codes, hashed on arrival)."""
        parsed = bookings.parse(json.dumps(items).encode(), "json")
        return store.put_appointments(self.db, branch, day, parsed)

    def bodies(self) -> list[str]:
        """Every request body stored, in arrival order."""
        return list(self.faults.bodies)

    def events(self) -> list[dict[str, Any]]:
        """Every event stored, once each, in the order they first arrived."""
        seen: dict[str, dict[str, Any]] = {}
        for body in self.faults.bodies:
            for event in json.loads(body)["events"]:
                seen.setdefault(event["id"], event)
        return list(seen.values())

    def stop(self) -> None:
        super().stop()
        self.db.close()
