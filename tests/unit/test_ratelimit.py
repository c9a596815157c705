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


def test_budgets_belong_to_an_ipv4_address_or_an_ipv6_64() -> None:
    from kiosk.server.ratelimit import client_key

    assert client_key("192.168.1.20") == "192.168.1.20"
    assert (
        client_key("2001:db8:1:2::5") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    )
    assert client_key("2001:db8:1:3::5") != client_key("2001:db8:1:2::5")
    assert client_key("::ffff:10.0.0.7") == "10.0.0.7"
    assert client_key(None) == "?"
