"""One heartbeat timer for every display stream, and calls to all of them."""

from __future__ import annotations

import asyncio

from kiosk.server.broadcast import QUEUE_SIZE, Broadcaster


def test_every_subscriber_gets_the_heartbeat_from_one_timer() -> None:
    async def scenario() -> tuple[list[list[str]], bool]:
        hub = Broadcaster(heartbeat=0.02, ping="ping")
        queues = [hub.subscribe() for _ in range(3)]
        hub.publish("A001")
        await asyncio.sleep(0.07)  # about three beats
        got = [[q.get_nowait() for _ in range(q.qsize())] for q in queues]
        for q in queues:
            hub.unsubscribe(q)
        await asyncio.sleep(0.05)
        return got, hub._timer is None  # nobody listens: the timer stopped

    got, stopped = asyncio.run(scenario())
    for items in got:
        assert items[0] == "A001" and items.count("ping") >= 2 and set(items) == {"A001", "ping"}
    assert stopped


def test_a_subscriber_a_whole_queue_behind_is_dropped() -> None:
    async def scenario() -> tuple[int, object]:
        hub = Broadcaster(heartbeat=60, ping="ping")
        slow = hub.subscribe()
        for n in range(QUEUE_SIZE + 1):
            hub.publish(n)
        return hub.count, slow.get_nowait()

    count, last = asyncio.run(scenario())
    assert count == 0 and last is None  # told to end; it reconnects and catches up
