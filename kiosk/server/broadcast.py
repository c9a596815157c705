"""Calls pushed to every connected display, without letting a slow one hold the others up."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)
QUEUE_SIZE = 64


class Broadcaster:
    """One bounded queue per subscriber. A subscriber that falls a whole queue behind is
    dropped; its display reconnects and catches up from the call log (Last-Event-ID)."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[Any]] = set()

    @property
    def count(self) -> int:
        return len(self._subscribers)

    def subscribe(self) -> asyncio.Queue[Any]:
        queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.add(queue)
        return queue

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
