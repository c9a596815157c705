"""An ASGI app served by uvicorn in a background thread: for tests, benchmarks and the demo."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Self

import uvicorn


class ThreadedServer:
    """Serve ``app`` on host:port (0 picks a free port) until :meth:`stop`."""

    def __init__(
        self,
        app: Any,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: tuple[Path, Path] | None = None,
        graceful_timeout: int | None = None,
    ) -> None:
        certfile, keyfile = tls if tls else (None, None)
        self.scheme = "https" if tls else "http"
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
            # Event streams never end by themselves; without a limit a stop waits for ever.
            timeout_graceful_shutdown=graceful_timeout,
        )
        self.server = uvicorn.Server(config)
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
