"""Misbehaviour on demand, in front of the central service: for the sync agent's tests and for
a demo of retries (``kiosk central serve --error-rate 0.3``). An ASGI layer around
``POST /v1/events``: a share of 5xx, 429 with Retry-After, slow answers, connections dropped
after the batch was stored, 413 above a size, 422 for chosen services, 403 for everyone. It
can also keep every body it was sent, for tests that inspect the wire."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from dataclasses import dataclass, field
from typing import Any

from kiosk.core.events import MAX_BATCH_BYTES

Scope = dict[str, Any]


@dataclass
class Faults:
    """How badly to behave; changeable while running (tests flip them)."""

    error_rate: float = 0.0  # share of POSTs answered 500/502/503
    throttle_rate: float = 0.0  # share answered 429 with Retry-After
    retry_after: int = 1
    slow_rate: float = 0.0  # share answered after ``slow_seconds``
    slow_seconds: float = 0.0
    drop_rate: float = 0.0  # share whose connection is dropped mid-answer (after storing)
    max_body: int = MAX_BATCH_BYTES  # 413 above this many bytes (never more than the service's)
    reject_services: set[str] = field(default_factory=set)  # events of these get 422
    forbidden: bool = False  # answer 403 (a kiosk the server knows but does not allow)
    seed: int | None = None
    record: bool = False  # keep every body received in ``bodies``
    bodies: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # their Idempotency-Keys
    paths: list[str] = field(default_factory=list)  # every request's path and query (recorded)


class DroppedConnection(Exception):
    """Raised inside the server to make uvicorn close a connection mid-answer."""


def _not_injected(record: logging.LogRecord) -> bool:
    """Keep uvicorn from logging a traceback for each connection we drop on purpose."""
    return not (record.exc_info and record.exc_info[0] is DroppedConnection)


logging.getLogger("uvicorn.error").addFilter(_not_injected)


class Misbehave:
    """ASGI middleware applying :class:`Faults` to ``POST /v1/events``."""

    def __init__(self, app: Any, faults: Faults) -> None:
        self.app, self.faults = app, faults
        self.rng = random.Random(faults.seed)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if self.faults.record and scope["type"] == "http":
            query = scope.get("query_string", b"").decode("latin-1")
            self.faults.paths.append(scope["path"] + (f"?{query}" if query else ""))
        if scope["type"] != "http" or scope["path"] != "/v1/events" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body = await _read(receive, self.faults.max_body)
        answer = await self._fault(body)
        if answer is not None:
            status, data, headers = answer
            await _json(send, status, data, headers)
            return
        drop = self.rng.random() < self.faults.drop_rate

        async def replay() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def relay(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                if self.faults.record:  # what was stored, as it came
                    self.faults.bodies.append(body.decode("utf-8", "replace"))
                    key = dict(scope["headers"]).get(b"idempotency-key", b"")
                    self.faults.keys.append(key.decode("latin-1"))
                if drop:
                    await send({"type": "http.response.start", "status": 200,
                                "headers": [(b"content-length", b"64")]})  # fmt: skip
                    await send({"type": "http.response.body", "body": b'{"acked": [',
                                "more_body": True})  # fmt: skip
                    raise DroppedConnection  # stored, but the ack never arrives
            await send(message)

        await self.app(scope, replay, relay)

    async def _fault(self, body: bytes) -> tuple[int, dict[str, Any], dict[str, str]] | None:
        f, rng = self.faults, self.rng
        if f.forbidden:
            return 403, {"error": "kiosk not allowed"}, {}
        if len(body) > f.max_body:
            return 413, {"error": "too large"}, {}
        roll = rng.random()
        if roll < f.error_rate:
            return rng.choice((500, 502, 503)), {"error": "injected"}, {}
        if roll - f.error_rate < f.throttle_rate:
            return 429, {"error": "slow down"}, {"Retry-After": str(f.retry_after)}
        if rng.random() < f.slow_rate:
            await asyncio.sleep(f.slow_seconds)
        if f.reject_services:
            try:
                events = json.loads(body)["events"]
                ids = [e["id"] for e in events if e.get("service") in f.reject_services]
            except (ValueError, KeyError, TypeError):
                ids = []
            if ids:
                return 422, {"rejected": ids, "error": "service refused by --reject-service"}, {}
        return None


async def _read(receive: Any, limit: int) -> bytes:
    """The body, or its first ``limit`` + 1 bytes when it is longer (then refused at once)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if not message.get("more_body") or size > limit:
            return b"".join(chunks)


async def _json(send: Any, status: int, data: dict[str, Any], headers: dict[str, str]) -> None:
    body = json.dumps(data).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
