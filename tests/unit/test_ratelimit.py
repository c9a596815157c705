"""The per-client budget, on a hand-moved clock."""

from __future__ import annotations

from kiosk.server.ratelimit import RateLimit


def test_a_burst_then_one_a_second_and_others_unaffected() -> None:
    now = [0.0]
    limit = RateLimit(rate=1.0, burst=3, clock=lambda: now[0])
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("b")  # another client has its own budget
    now[0] += 1.0
    assert limit.allow("a") and not limit.allow("a")


def test_it_remembers_a_bounded_number_of_clients() -> None:
    limit = RateLimit(rate=1.0, burst=1, clients=100, clock=lambda: 0.0)
    for n in range(1000):
        limit.allow(f"10.0.{n // 256}.{n % 256}")
    assert len(limit._buckets) == 100
