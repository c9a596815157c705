"""The phones' poller: a first status at once, a desk's call heard before the next tick, and
far phones hearing their count only now and then but a change of state at once."""

from __future__ import annotations

import asyncio

import pytest

from kiosk.server import watch as watch_module
from kiosk.server.watch import TicketWatch


class Queue:
    """What the look sees: each payload's status, changed by the test."""

    def __init__(self) -> None:
        self.statuses: dict[str, dict] = {}
        self.asked: list[tuple[list[str], dict[str, str]]] = []

    def look(self, due: list[str], far: dict[str, str], fresh: bool) -> dict[str, dict]:
        self.asked.append((list(due), dict(far)))
        out = {p: self.statuses[p] for p in due}
        out |= {
            p: self.statuses[p] for p, state in far.items() if self.statuses[p]["state"] != state
        }
        return out


def waiting(ahead: int) -> dict:
    return {"ticket": "A001", "state": "waiting", "ahead": ahead}


async def next_item(queue: asyncio.Queue, within: float) -> dict:
    return await asyncio.wait_for(queue.get(), within)


def test_first_status_at_once_and_a_poke_is_heard_before_the_tick() -> None:
    async def day() -> None:
        q = Queue()
        q.statuses["p"] = waiting(2)
        w = TicketWatch(q.look, poll=30.0)
        phone = w.subscribe("p")
        assert await next_item(phone, 1.0) == waiting(2)  # not 30 s later
        q.statuses["p"] = {"ticket": "A001", "state": "called", "desk": "3"}
        w.poke()
        assert (await next_item(phone, 1.0))["desk"] == "3"
        second = w.subscribe("p")  # a second phone on the same ticket: the last status, now
        assert second.get_nowait()["state"] == "called"

    asyncio.run(day())


def test_a_far_phone_hears_its_count_now_and_then_but_its_turn_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(watch_module, "FAR_EVERY", 1.0)
    monkeypatch.setattr(watch_module, "MIN_GAP", 0.05)

    async def day() -> None:
        q = Queue()
        q.statuses["far"], q.statuses["near"] = waiting(80), waiting(8)
        w = TicketWatch(q.look, poll=0.1)
        far, near = w.subscribe("far"), w.subscribe("near")
        assert (await next_item(far, 1.0))["ahead"] == 80
        assert (await next_item(near, 1.0))["ahead"] == 8
        heard = {"far": 0, "near": 0}
        for step in range(1, 31):  # a call every 0.1 s for 3 s
            q.statuses["far"] = waiting(80 - step)
            q.statuses["near"] = waiting(8 - step // 4)
            await asyncio.sleep(0.1)
            for name, phone in (("far", far), ("near", near)):
                while not phone.empty():
                    phone.get_nowait()
                    heard[name] += 1
        assert heard["near"] == 7  # every change of a phone near its turn
        assert 2 <= heard["far"] <= 4  # a far one: about once a second
        q.statuses["far"] = {"ticket": "A001", "state": "called", "desk": "1"}
        assert (await next_item(far, 0.5))["state"] == "called"  # a change of state: at once

    asyncio.run(day())


def test_a_look_that_fails_is_tried_again_and_the_phones_still_hear() -> None:
    async def day() -> None:
        q = Queue()
        q.statuses["p"] = waiting(2)
        failures = [RuntimeError("database is locked")] * 2

        def look(due, far, fresh):
            if failures:
                raise failures.pop()
            return q.look(due, far, fresh)

        w = TicketWatch(look, poll=0.1)
        phone = w.subscribe("p")
        assert await next_item(phone, 2.0) == waiting(2)  # after two failed looks

    asyncio.run(day())
