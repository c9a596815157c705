"""``kiosk central``: the reference central server for the demo and the tests.

Implements docs/central-api.md (contract version 2) on Starlette and uvicorn: checks the bearer
token, checks every event key by key against its own literal copy of the contract's table
(:mod:`sync.contract`, deliberately not the totem's allow-list, so a mistake there is caught
here), keeps events in its own SQLite file deduplicated by id, and serves appointments from a
JSON file with an ETag. It can be told to misbehave: a share of 5xx answers, 429 with
Retry-After, slow answers, dropped connections, and 413 above a body size.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kiosk.serving import ThreadedServer
from sync import contract

log = logging.getLogger(__name__)


@dataclass
class Faults:
    """How badly to behave; changeable while running (tests flip them)."""

    error_rate: float = 0.0  # share of POSTs answered 500/502/503
    throttle_rate: float = 0.0  # share answered 429 with Retry-After
    retry_after: int = 1
    slow_rate: float = 0.0  # share answered after ``slow_seconds``
    slow_seconds: float = 0.0
    drop_rate: float = 0.0  # share whose connection is dropped mid-answer (after storing)
    max_body: int = 1 << 30  # 413 above this many bytes
    reject_services: set[str] = field(default_factory=set)  # events of these get 422
    forbidden: bool = False  # answer 403 (a kiosk the server knows but does not allow)
    seed: int | None = None


class DroppedResponse(Response):
    """Starts an answer, then drops the connection, like a reset in the middle of a reply."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]}
        )
        await send({"type": "http.response.body", "body": b'{"acked": [', "more_body": True})
        raise DroppedConnection


class DroppedConnection(Exception):
    """Raised inside the server to make uvicorn close a connection mid-answer."""


class CentralStore:
    """The central server's own SQLite file: events by id, in arrival order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS events (arrival INTEGER PRIMARY KEY,"
            " id TEXT UNIQUE NOT NULL, kiosk TEXT NOT NULL, seq INTEGER NOT NULL,"
            " type TEXT NOT NULL, body TEXT NOT NULL)"
        )
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS posts (n INTEGER PRIMARY KEY, idempotency_key TEXT,"
            " events INTEGER, body TEXT)"
        )

    def add(self, kiosk: str, events: list[dict[str, Any]], key: str, raw: str) -> None:
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.executemany(
                "INSERT OR IGNORE INTO events (id, kiosk, seq, type, body) VALUES (?, ?, ?, ?, ?)",
                [
                    (e["id"], kiosk, e["seq"], e["type"], json.dumps(e, sort_keys=True))
                    for e in events
                ],
            )
            self.conn.execute(
                "INSERT INTO posts (idempotency_key, events, body) VALUES (?, ?, ?)",
                (key, len(events), raw),
            )
            self.conn.execute("COMMIT")

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self.conn.execute("SELECT body FROM events ORDER BY arrival").fetchall()
        return [json.loads(r[0]) for r in rows]

    def bodies(self) -> list[str]:
        """Every request body received (for the tests that inspect the wire)."""
        with self._lock:
            return [r[0] for r in self.conn.execute("SELECT body FROM posts ORDER BY n")]

    def close(self) -> None:
        self.conn.close()


def make_app(
    store: CentralStore, token_file: Path, appointments_file: Path | None, faults: Faults
) -> Starlette:
    rng = random.Random(faults.seed)

    def authorised(request: Request) -> bool:
        try:
            expected = token_file.read_text().strip()
        except OSError:
            return False
        got = request.headers.get("authorization", "")
        return bool(expected) and hmac.compare_digest(got.encode(), f"Bearer {expected}".encode())

    async def post_events(request: Request) -> Response:
        if not authorised(request):
            return JSONResponse({"error": "bad token"}, status_code=401)
        if faults.forbidden:
            return JSONResponse({"error": "kiosk not allowed"}, status_code=403)
        raw = await request.body()
        if len(raw) > faults.max_body:
            return JSONResponse({"error": "too large"}, status_code=413)
        roll = rng.random()
        if roll < faults.error_rate:
            return JSONResponse({"error": "injected"}, status_code=rng.choice((500, 502, 503)))
        roll -= faults.error_rate
        if roll < faults.throttle_rate:
            return JSONResponse(
                {"error": "slow down"},
                status_code=429,
                headers={"Retry-After": str(faults.retry_after)},
            )
        if rng.random() < faults.slow_rate:
            await asyncio.sleep(faults.slow_seconds)
        try:
            data = json.loads(raw)
            kiosk, events = data["kiosk"], data["events"]
            if (
                set(data) != {"kiosk", "events"}
                or not isinstance(events, list)
                or not isinstance(kiosk, str)
            ):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"rejected": [], "error": "not a batch"}, status_code=400)
        rejected, problems = [], []
        for event in events:
            problem = contract.violation(event)
            if problem is None and event.get("service") in faults.reject_services:
                problem = "service refused by --reject-service"
            if problem is not None:
                rejected.append(event.get("id") if isinstance(event, dict) else None)
                problems.append(problem)
        if rejected:
            log.warning("central: %d event(s) rejected: %s", len(rejected), problems[0])
            return JSONResponse(
                {"rejected": rejected, "error": "; ".join(sorted(set(problems)))[:500]},
                status_code=422,
            )
        store.add(kiosk, events, request.headers.get("idempotency-key", ""), raw.decode())
        kinds = Counter(e["type"] for e in events)
        log.info(
            "central: %d event(s) from %s: %s",
            len(events),
            kiosk,
            ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())),
        )
        if rng.random() < faults.drop_rate:
            return DroppedResponse()  # stored, but the ack never arrives
        return JSONResponse({"acked": [e["id"] for e in events]})

    async def appointments(request: Request) -> Response:
        if not authorised(request):
            return JSONResponse({"error": "bad token"}, status_code=401)
        branch = request.path_params["branch"]
        day = request.query_params.get("day", "")
        items = []
        if appointments_file is not None and appointments_file.exists():
            data = json.loads(appointments_file.read_text())
            for item in data.get(branch, []):
                if item.get("day") != day:
                    continue
                digest = (
                    item.get("code_sha256") or hashlib.sha256(item["code"].encode()).hexdigest()
                )
                items.append(
                    {
                        "ref": item["ref"],
                        "code_sha256": digest,
                        "service": item["service"],
                        "slot": item["slot"],
                    }
                )
        body = json.dumps({"day": day, "appointments": items}, sort_keys=True)
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return Response(body, media_type="application/json", headers={"ETag": etag})

    return Starlette(
        routes=[
            Route("/v1/events", post_events, methods=["POST"]),
            Route("/v1/branches/{branch}/appointments", appointments, methods=["GET"]),
        ]
    )


def _not_injected(record: logging.LogRecord) -> bool:
    """Keep uvicorn from logging a traceback for each connection we drop on purpose."""
    return not (record.exc_info and record.exc_info[0] is DroppedConnection)


class CentralServer(ThreadedServer):
    """The reference central server in a thread (tests, the demo) or the foreground (``kiosk
    central`` calls ``server.run()``)."""

    def __init__(
        self,
        db: Path,
        token_file: Path,
        appointments_file: Path | None = None,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: tuple[Path, Path] | None = None,
    ) -> None:
        self.faults = faults or Faults()
        self.store = CentralStore(db)
        logging.getLogger("uvicorn.error").addFilter(_not_injected)
        super().__init__(
            make_app(self.store, token_file, appointments_file, self.faults), host, port, tls
        )

    def stop(self) -> None:
        super().stop()
        self.store.close()
