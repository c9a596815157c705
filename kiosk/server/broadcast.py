"""Calls pushed to every connected display, without letting a slow one hold the others up."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)
QUEUE_SIZE = 64
PING = b": ping\n\n"  # an SSE comment: keeps proxies and dead peers from holding a stream


class Broadcaster:
    """One bounded queue per subscriber. A subscriber that falls a whole queue behind is
    dropped; its display reconnects and catches up from the call log (Last-Event-ID).

    Args:
        heartbeat: seconds between ``ping`` items sent to every subscriber (one timer for all
            of them: a timer per stream cost hundreds of tasks per call), so proxies and dead
            peers are noticed.
        ping: the item sent as a heartbeat.
    """

    def __init__(self, heartbeat: float = 15.0, ping: Any = None) -> None:
        self._subscribers: set[asyncio.Queue[Any]] = set()
        self.heartbeat = heartbeat
        self.ping = ping
        self._timer: asyncio.TimerHandle | None = None

    @property
    def count(self) -> int:
        return len(self._subscribers)

    def subscribe(self) -> asyncio.Queue[Any]:
        """A new subscriber's queue; must run on the event loop's thread."""
        queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.add(queue)
        if self._timer is None and self.ping is not None:
            self._timer = asyncio.get_running_loop().call_later(self.heartbeat, self._beat)
        return queue

    def _beat(self) -> None:
        self._timer = None
        if self._subscribers:
            self.publish(self.ping)
            self._timer = asyncio.get_running_loop().call_later(self.heartbeat, self._beat)

    def unsubscribe(self, queue: asyncio.Queue[Any]) -> None:
        self._subscribers.discard(queue)

    def publish(self, item: Any) -> None:
        """Hand ``item`` to every subscriber; must run on the event loop's thread."""
        for queue in list(self._subscribers):
            try:
                queue.put_nowait(item)
            except asyncio.QueueFull:
                log.warning("display: too slow, disconnected; it will reconnect and catch up")
                self._subscribers.discard(queue)
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(None)  # tells its stream to end
