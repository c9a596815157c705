"""The central service's pure parts: small-count suppression, the weighted median, the booking
file parser, the phone status from service.status, the charts' axes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central import bookings, stats
from central.pages import _nice, _step
from central.store import Figures
from kiosk.core.bookings import sha256_hex as code_hash


def feasible(values: list[int], hide: set[int], i: int) -> set[int]:
    """Brute force: the values hidden cell ``i`` could take, for an attacker who knows the
    rule, the shown cells and the total: small ones 1-4, the others 5 up to the smallest
    still shown."""
    shown = [v for j, v in enumerate(values) if j not in hide and v > 0]
    cap = min(shown) if shown else 200
    ranges = [range(1, 5) if values[j] < 5 else range(5, cap + 1) for j in sorted(hide)]
    total, order = sum(values[j] for j in hide), sorted(hide)
    found: set[int] = set()

    def walk(k: int, left: int, mine: int | None) -> None:
        if k == len(order):
            if left == 0 and mine is not None:
                found.add(mine)
            return
        for v in ranges[k]:
            if v > left:
                break
            walk(k + 1, left - v, v if order[k] == i else mine)

    walk(0, total, None)
    return found


@given(st.lists(st.integers(0, 30), min_size=1, max_size=6))
def test_a_hidden_count_cannot_be_recovered_from_the_total(values: list[int]) -> None:
    hide = stats.hidden(values)
    assert {i for i, v in enumerate(values) if 1 <= v <= 4} <= hide
    assert all(values[i] > 0 for i in hide)  # a zero is never hidden: it tells nothing
    if not stats.protected(values, hide):  # then the total is hidden too: nothing to subtract
        assert hide == {i for i, v in enumerate(values) if v > 0}
        return
    for i in hide:
        if values[i] < 5:
            assert len(feasible(values, hide, i)) >= 2, (values, hide, i)


@pytest.mark.parametrize(
    ("values", "hidden"),
    [([1, 1, 10], {0, 1, 2}), ([1, 5, 20], {0, 1, 2}), ([2, 12, 30, 25, 3], {0, 4}),
     ([1, 12, 30], {0, 1}), ([0, 7, 9], set())],
)  # fmt: skip
def test_the_reviewers_subtractions_no_longer_work(values: list[int], hidden: set[int]) -> None:
    assert stats.hidden(values) == hidden


def test_where_hiding_every_hour_is_not_enough_the_days_total_goes_too() -> None:
    figures = Figures(issued=[("2026-11-23", "A", 9, 1, 0, 0), ("2026-11-23", "A", 10, 5, 0, 0)],
                      hours=[])  # fmt: skip
    day = stats.compute("b1", "2026-11-23", "2026-11-23", figures)["days"][0]
    assert day["issued"] is None and "issued" in day["suppressed"]  # 6 - 5 would give the 1
    assert [h["issued"] for h in day["hours"]] == [None, None]


@given(st.lists(st.tuples(st.integers(0, 90), st.integers(0, 30)), max_size=10))
def test_the_weighted_median_is_the_median_of_the_citizens(pairs: list[tuple[int, int]]) -> None:
    everyone = sorted(v for v, w in pairs for _ in range(w))
    want = everyone[(len(everyone) - 1) // 2] if everyone else None
    assert stats.weighted_median(pairs) == want


def test_bookings_are_hashed_as_read_and_errors_name_no_code() -> None:
    items = bookings.parse(b"code,service,slot,ref\nABC-123,A,10:30,r1\n", "csv")
    assert items == [
        {"code_sha256": code_hash("ABC-123"), "service": "A", "slot": "10:30", "ref": "r1"}
    ]
    same = bookings.parse(
        json.dumps(
            {"appointments": [{"code": "ABC-123", "service": "A", "slot": "10:30"}]}
        ).encode(),
        "json",
    )
    assert same[0]["code_sha256"] == items[0]["code_sha256"] and "code" not in same[0]
    cases = [
        (b"code,service\nX,A\n", "csv", "the CSV header must name"),
        (b"code,service,slot\nSECRET-1,a,10:00\n", "csv", "appointment 1: service: not a service code"),
        # columns swapped: the code sits where the service should be, and is not repeated
        (b"service,code,slot\nSECRET-1,A,10:00\n", "csv", "appointment 1: service: not a service"),
        (b"code,service,slot\nSECRET-1,A,10:00\n,A,10:00\n", "csv", "appointment 2: code: missing"),
        (b'{"appointments": 3}', "json", "expected"),
        (b"not json", "json", "not JSON"),
        (b"\xff\xfe", "csv", "not UTF-8"),
        (b'[{"code": "SECRET-1", "service": "A", "slot": "10:00", "ref": "r"},'
         b' {"code": "SECRET-2", "service": "A", "slot": "10:00", "ref": "r"}]', "json", "the same ref"),
    ]  # fmt: skip
    for data, kind, message in cases:
        with pytest.raises(bookings.BadBookings) as caught:
            bookings.parse(data, kind)
        assert message in str(caught.value) and "SECRET" not in str(caught.value)


@pytest.mark.parametrize("largest", [1, 3, 7, 13, 42, 65, 99, 130, 999, 4321])
def test_chart_axes_are_round(largest: int) -> None:
    top = _nice(largest)
    step = _step(top)
    assert top >= largest and top // step <= 5 and top % step == 0
    assert str(step)[0] in "125" and set(str(step)[1:]) <= {"0"}
