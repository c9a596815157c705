"""A per-client request budget for the endpoints anyone on the guest Wi-Fi can reach."""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.responses import JSONResponse


def client_key(host: str | None) -> str:
    """Whom a budget belongs to: the IPv4 address, or the IPv6 /64 (one device can use as many
    addresses of its /64 as it likes)."""
    if not host:
        return "?"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def too_many(retry_after: int = 5) -> JSONResponse:
    """429 with Retry-After, for a client past its budget."""
    return JSONResponse(
        {"error": "too many requests; try again shortly"},
        status_code=429,
        headers={"Retry-After": str(retry_after), "Cache-Control": "no-store"},
    )


class RateLimit:
    """A token bucket per client address: ``rate`` requests a second, ``burst`` at once.

    Remembers at most ``clients`` addresses (the least recently seen are forgotten), so a
    flood of addresses cannot grow it without bound.
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate, self.burst, self.clients, self.clock = rate, burst, clients, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, client: str) -> bool:
        """Take one request from ``client``'s budget; False when it has none left."""
        now = self.clock()
        tokens, then = self._buckets.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.clients:
            self._buckets.popitem(last=False)
        return allowed


class StreamSlots:
    """Open event streams per client address: at most ``per_client`` each, ``total`` in all."""

    def __init__(self, per_client: int, total: int) -> None:
        self.per_client, self.total = per_client, total
        self._open: dict[str, int] = {}

    def free(self, client: str) -> bool:
        return self._open.get(client, 0) < self.per_client and sum(self._open.values()) < self.total

    def take(self, client: str) -> None:
        self._open[client] = self._open.get(client, 0) + 1

    def give_back(self, client: str) -> None:
        self._open[client] -= 1
        if not self._open[client]:
            del self._open[client]
