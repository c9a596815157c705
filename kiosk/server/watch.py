"""Phones following their tickets: one poller for all of them, however many there are.

Each open phone stream subscribes to its payload. One look, always in the same worker thread
of its own, works out the status of every watched payload at once and hands each stream what
changed: once a second, at once when a desk calls someone (:meth:`TicketWatch.poke`) or a new
phone subscribes. The look may answer None when nothing can have changed (phones.py asks the
database's data_version first). A heartbeat goes to every stream from the same loop, so dead
peers are noticed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)
QUEUE_SIZE = 16
# A phone far from its turn hears a change at most every FAR_EVERY seconds (its count of
# people ahead moves with every call, and a thousand far phones would hear every call);
# one within NEAR of its turn, or whose state changes, hears it at once.
NEAR = 10
FAR_EVERY = 15.0
# Looks are at least this far apart, however often desks call: one look serves them all.
MIN_GAP = 0.25
_UNSEEN = object()


class TicketWatch:
    """Args:
    look: ``look(payloads, far, fresh)``: the statuses of the payloads, and of those in
        ``far`` whose state is no longer the one given; or None when nothing changed since its
        last answer (``fresh``: a new phone waits for its first status, so it must answer).
        Run in one thread of its own, so it may keep a connection there.
    poll: seconds between looks.
    heartbeat: seconds between pings to every stream.
    ping: the item sent as a heartbeat.
    """

    def __init__(
        self,
        look: Callable[[list[str], dict[str, str], bool], dict[str, Any] | None],
        poll: float = 1.0,
        heartbeat: float = 15.0,
        ping: Any = None,
    ) -> None:
        self.look, self.poll, self.heartbeat, self.ping = look, poll, heartbeat, ping
        self._streams: dict[str, set[asyncio.Queue[Any]]] = {}
        self._last: dict[str, Any] = {}
        self._sent_at: dict[str, float] = {}
        self._fresh = False
        self._task: asyncio.Task[None] | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="ticket-watch")
        self._poked: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def subscribe(self, payload: str) -> asyncio.Queue[Any]:
        """A stream for ``payload``: its current status comes first, then every change."""
        queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_SIZE)
        self._streams.setdefault(payload, set()).add(queue)
        last = self._last.get(payload, _UNSEEN)
        if last is _UNSEEN:
            self._fresh = True
        else:
            queue.put_nowait(last)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        self.poke()
        return queue

    def poke(self) -> None:
        """Look now rather than at the next tick (a desk just called someone). Safe from any
        thread: the desks may be served by another server's event loop."""
        if self._poked is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._poked.set)

    def unsubscribe(self, payload: str, queue: asyncio.Queue[Any]) -> None:
        streams = self._streams.get(payload, set())
        streams.discard(queue)
        if not streams:
            self._streams.pop(payload, None)
            self._last.pop(payload, None)
            self._sent_at.pop(payload, None)

    async def _run(self) -> None:
        since_beat = 0.0
        self._poked = poked = asyncio.Event()
        poked.set()  # the first subscriber waits for its status
        self._loop = loop = asyncio.get_running_loop()
        while self._streams:
            started = loop.time()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll):
                    await poked.wait()
            poked.clear()
            await asyncio.sleep(max(0.0, MIN_GAP - (loop.time() - started)))
            since_beat += loop.time() - started
            fresh, self._fresh = self._fresh, False
            due, far = self._due(loop.time())
            try:
                found = await loop.run_in_executor(self._thread, self.look, due, far, fresh)
            except Exception as exc:  # a locked or lost database: try again, never stop
                log.warning("phones' look failed (%s); trying again", type(exc).__name__)
                self._fresh = self._fresh or fresh
                await asyncio.sleep(self.poll)
                continue
            now = loop.time()
            for payload, status in (found or {}).items():
                last = self._last.get(payload, _UNSEEN)
                if payload not in self._streams or status == last:
                    continue
                if last is _UNSEEN:  # spread the far phones' turns, or they all come at once
                    self._sent_at[payload] = now - random.uniform(0, FAR_EVERY)
                else:
                    self._sent_at[payload] = now
                self._last[payload] = status
                self._send(payload, status)
            if since_beat >= self.heartbeat and self.ping is not None:
                since_beat = 0.0
                for payload in list(self._streams):
                    self._send(payload, self.ping)

    def _due(self, now: float) -> tuple[list[str], dict[str, str]]:
        """The payloads whose status the look must work out, and the far ones it need only
        check for a change of state (with the state their phone last heard)."""
        due, far = [], {}
        for payload in self._streams:
            last = self._last.get(payload, _UNSEEN)
            if _far(last) and now - self._sent_at.get(payload, 0.0) < FAR_EVERY:
                far[payload] = last["state"]
            else:
                due.append(payload)
        return due, far

    def _send(self, payload: str, item: Any) -> None:
        for queue in list(self._streams.get(payload, ())):
            if queue.full():
                # A phone that stopped reading loses its oldest item, never the newest: a
                # status is whole, so the latest one is all it needs.
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(item)


def _far(last: Any) -> bool:
    """Whether a phone's next change may wait: it is waiting, far from its turn."""
    return (
        isinstance(last, dict)
        and last.get("state") == "waiting"
        and int(last.get("ahead") or 0) > NEAR
    )
