"""The central service's pure parts: small-count suppression, the weighted median, the booking
file parser, the phone status from service.status, the charts' axes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central import bookings, stats
from central.pages import _nice, _step
from central.phone import ticket_status
from central.store import Status, code_hash


@given(st.lists(st.integers(0, 40), min_size=1, max_size=12))
def test_a_hidden_count_cannot_be_recovered_from_the_total(values: list[int]) -> None:
    hide = stats.hidden(values)
    assert {i for i, v in enumerate(values) if 1 <= v <= 4} <= hide
    assert all(values[i] > 0 for i in hide)  # a zero is never hidden: it tells nothing
    if len(hide) == 1:  # the total minus what is shown would give it away, unless it is alone
        assert sum(1 for v in values if v > 0) == 1


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


def test_the_phone_status_from_the_latest_statuses() -> None:
    from datetime import date

    day = date(2026, 11, 23)
    latest = {
        "A": Status("A", "2026-11-23", "2026-11-23T10:00:00+01:00", "A010", ["A011", "A012"], [4, 10]),
        "B": Status("B", "2026-11-23", "2026-11-23T10:00:00+01:00", None, ["A007"], [2, 5]),
    }  # fmt: skip
    assert ticket_status(latest, day, "A012").as_json() == {
        "ticket": "A012", "service": "A", "state": "waiting", "ahead": 1, "now": "A010",
        "wait": [2, 7],
    }  # fmt: skip
    moved = ticket_status(latest, day, "A007")  # transferred to B: found in B's line
    assert (moved.service, moved.state, moved.ahead) == ("B", "waiting", 0)
    assert ticket_status(latest, day, "A010").state == "called"
    assert ticket_status(latest, day, "A003").state == "past"
    assert ticket_status(latest, day, "A030").state == "pending"
    assert ticket_status(latest, date(2026, 11, 24), "A012").state == "unknown"  # another day
    assert ticket_status({}, day, "C001").state == "unknown"


@pytest.mark.parametrize("largest", [1, 3, 7, 13, 42, 65, 99, 130, 999, 4321])
def test_chart_axes_are_round(largest: int) -> None:
    top = _nice(largest)
    step = _step(top)
    assert top >= largest and top // step <= 5 and top % step == 0
    assert str(step)[0] in "125" and set(str(step)[1:]) <= {"0"}
