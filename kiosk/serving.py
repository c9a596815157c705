"""An ASGI app served by uvicorn in a background thread: for tests, benchmarks and the demo."""

from __future__ import annotations

import asyncio
import contextlib
import resource
import threading
import time
from pathlib import Path
from typing import Any, Literal, Self

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0  # seconds a client has to send a request's headers
BODY_TIMEOUT = 30.0  # seconds it then has to send the body (256 KiB at 9 KB/s)
FILES = 65536  # open files a server asks for: a thousand idle connections are a normal day
IDLE_TIMEOUT = 5  # seconds a kept-alive connection may sit idle between requests


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for the request headers.

    uvicorn closes a connection that idles between requests, but waits for ever on one that
    sends its headers a byte at a time: a few hundred of those starve the server (slowloris).
    """

    header_timeout = HEADER_TIMEOUT

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        deadline = getattr(self, "_header_deadline", None)
        if deadline is not None:
            deadline.cancel()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        waiting_since = self.cycle  # a new request's headers make a new cycle
        self._header_deadline = self.loop.call_later(
            self.header_timeout, self._headers_overdue, waiting_since
        )

    def _headers_overdue(self, waiting_since: Any) -> None:
        if self.cycle is waiting_since and not self.transport.is_closing():
            self.transport.close()


class _Server(uvicorn.Server):
    """uvicorn's server, which also closes the connections its graceful timeout gave up on
    (an event stream, a request caught by the shutdown): left open, their sockets outlive
    the event loop and are only found, unclosed, by the garbage collector."""

    async def shutdown(self, sockets: Any = None) -> None:
        await super().shutdown(sockets)
        for connection in list(self.server_state.connections):
            connection.transport.abort()


class ThreadedServer:
    """Serve ``app`` on host:port (0 picks a free port) until :meth:`stop`."""

    def __init__(
        self,
        app: Any,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: tuple[Path, Path] | None = None,
        graceful_timeout: int | None = None,
        header_timeout: float = HEADER_TIMEOUT,
        lifespan: Literal["on", "off"] = "off",
    ) -> None:
        certfile, keyfile = tls if tls else (None, None)
        protocol = type("Guarded", (GuardedH11Protocol,), {"header_timeout": header_timeout})
        self.scheme = "https" if tls else "http"
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan=lifespan,
            http=protocol,
            timeout_keep_alive=IDLE_TIMEOUT,
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
            # Event streams never end by themselves; without a limit a stop waits for ever.
            timeout_graceful_shutdown=graceful_timeout,
        )
        self.server = _Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.servers[0].sockets[0].getsockname()[:2]
        return f"{self.scheme}://{host}:{port}"

    def start(self) -> Self:
        self._thread = threading.Thread(target=self.server.run, name="http-server", daemon=True)
        self._thread.start()
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread:
            self._thread.join(timeout=10)


class SlowBody(Exception):
    """A request body not all sent within :data:`BODY_TIMEOUT` of its headers."""


async def read_body(request: Any, limit: int) -> bytes | None:
    """A Starlette request's body, or None as soon as it is known to pass ``limit`` bytes (a
    declared length past it is refused before reading; a chunked one at its first chunk past
    it; it is never read whole then). Raises :class:`SlowBody` when it does not arrive in time:
    a peer trickling a body a byte at a time holds a connection and a task for no longer."""
    length = request.headers.get("content-length", "")
    if length and (not length.isdigit() or int(length) > limit):
        return None
    raw = bytearray()
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            async for chunk in request.stream():
                raw += chunk
                if len(raw) > limit:
                    return None
    except TimeoutError:
        raise SlowBody from None
    return bytes(raw)


async def slow_body(request: Any, exc: Exception) -> Any:
    """408 for a :class:`SlowBody`; the connection closes with it (its body is unread)."""
    from starlette.responses import JSONResponse

    return JSONResponse(
        {"error": f"the request body did not arrive within {BODY_TIMEOUT:g} s"},
        status_code=408,
        headers={"Connection": "close"},
    )


def raise_file_limit(wanted: int = FILES) -> int:
    """Raise this process's soft limit of open files towards ``wanted`` (never past the hard
    limit; systemd's default soft limit is 1024, which a thousand idle clients exhaust).
    Returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
