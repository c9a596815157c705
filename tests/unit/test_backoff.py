"""Backoff timing, from tables."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from sync import backoff

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("attempt", "ceiling"), [(1, 1), (2, 2), (3, 4), (9, 256), (10, 300), (60, 300)]
)
def test_full_jitter_stays_under_the_exponential_ceiling(attempt: int, ceiling: float) -> None:
    rng = random.Random(attempt)
    waits = [backoff.full_jitter(attempt, rng) for _ in range(2000)]
    assert min(waits) >= 0 and max(waits) <= ceiling
    assert max(waits) > ceiling * 0.9  # full jitter spreads over the whole range
    assert min(waits) < ceiling * 0.1


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 120 ", 120.0),
        ("100000", 300.0),  # capped
        ("Mon, 23 Nov 2026 09:00:30 GMT", 30.0),
        ("Mon, 23 Nov 2026 08:59:00 GMT", 0.0),  # in the past
        ("soon", None),
        ("", None),
        (None, None),
        ("-5", None),
    ],
)
def test_retry_after(header: str | None, seconds: float | None) -> None:
    assert backoff.retry_after(header, NOW) == seconds


def test_delay_never_shorter_than_retry_after() -> None:
    rng = random.Random(1)
    assert all(backoff.delay(1, rng, 5.0) >= 5.0 for _ in range(100))
    assert all(backoff.delay(1, rng, None) <= 1.0 for _ in range(100))
