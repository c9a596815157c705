"""Retry timing: exponential backoff with full jitter, and Retry-After. Pure."""

from __future__ import annotations

import random
from datetime import datetime
from email.utils import parsedate_to_datetime

BASE = 1.0
CAP = 300.0


def full_jitter(attempt: int, rng: random.Random, base: float = BASE, cap: float = CAP) -> float:
    """Seconds to wait before retry number ``attempt`` (1 for the first): uniform in
    [0, min(cap, base * 2**(attempt - 1))]."""
    ceiling = min(cap, base * 2 ** max(0, min(attempt - 1, 30)))
    return rng.uniform(0, ceiling)


def retry_after(header: str | None, now: datetime) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), capped."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return min(float(header), CAP)
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, min((when - now).total_seconds(), CAP))


def delay(attempt: int, rng: random.Random, asked: float | None) -> float:
    """The wait before the next try: the jittered backoff, but never less than Retry-After."""
    jittered = full_jitter(attempt, rng)
    return max(jittered, asked) if asked is not None else jittered
