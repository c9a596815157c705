"""Phones following their tickets: one poller for all of them, however many there are.

Each open phone stream subscribes to its payload. Once a second one look, always in the same
worker thread of its own, works out the status of every watched payload, once per payload,
and hands each stream what changed; the look may answer None when nothing can have changed
(see phones.py: it asks the database's data_version first). A heartbeat goes to every stream
from the same loop, so dead peers are noticed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

QUEUE_SIZE = 16


class TicketWatch:
    """Args:
    look: the statuses of the given payloads, or None when nothing changed since its last
        answer (run in one thread of its own, so it may keep a connection there).
    poll: seconds between looks.
    heartbeat: seconds between pings to every stream.
    ping: the item sent as a heartbeat.
    """

    def __init__(
        self,
        look: Callable[[list[str]], dict[str, Any] | None],
        poll: float = 1.0,
        heartbeat: float = 15.0,
        ping: Any = None,
    ) -> None:
        self.look, self.poll, self.heartbeat, self.ping = look, poll, heartbeat, ping
        self._streams: dict[str, set[asyncio.Queue[Any]]] = {}
        self._last: dict[str, Any] = {}
        self._task: asyncio.Task[None] | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="ticket-watch")
        self._poked: asyncio.Event | None = None

    @property
    def count(self) -> int:
        return sum(len(q) for q in self._streams.values())

    def subscribe(self, payload: str, current: Any) -> asyncio.Queue[Any]:
        """A stream for ``payload``, starting from its ``current`` status."""
        queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_SIZE)
        self._streams.setdefault(payload, set()).add(queue)
        self._last.setdefault(payload, current)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        return queue

    def poke(self) -> None:
        """Look now rather than at the next tick (a desk just called someone)."""
        if self._poked is not None:
            self._poked.set()

    def unsubscribe(self, payload: str, queue: asyncio.Queue[Any]) -> None:
        streams = self._streams.get(payload, set())
        streams.discard(queue)
        if not streams:
            self._streams.pop(payload, None)
            self._last.pop(payload, None)

    async def _run(self) -> None:
        since_beat = 0.0
        self._poked = poked = asyncio.Event()
        loop = asyncio.get_running_loop()
        while self._streams:
            started = loop.time()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(poked.wait(), self.poll)
            poked.clear()
            since_beat += loop.time() - started
            watched = list(self._streams)
            found = await loop.run_in_executor(self._thread, self.look, watched)
            for payload, status in (found or {}).items():
                if payload in self._streams and status != self._last.get(payload):
                    self._last[payload] = status
                    self._send(payload, status)
            if since_beat >= self.heartbeat and self.ping is not None:
                since_beat = 0.0
                for payload in list(self._streams):
                    self._send(payload, self.ping)

    def _send(self, payload: str, item: Any) -> None:
        for queue in list(self._streams.get(payload, ())):
            with contextlib.suppress(asyncio.QueueFull):
                # A phone that stopped reading misses items; a status is whole, so the next
                # change (or its reconnection) brings it up to date.
                queue.put_nowait(item)
