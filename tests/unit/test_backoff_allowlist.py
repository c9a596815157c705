"""Backoff timing and the privacy allow-list, from tables and hypothesis."""

from __future__ import annotations

import json
import random
import string
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync import allowlist, backoff

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


GOOD = {
    "id": "3f1c2a9e-8b7d-4c6e-9a5b-1d2e3f4a5b6c",
    "seq": 7,
    "type": "ticket.called",
    "branch": "roma-m1",
    "day": "2026-11-23",
    "at": "2026-11-23T10:15:02+01:00",
    "ticket": "A042",
    "service": "A",
}


def test_ticket_event_has_exactly_its_keys() -> None:
    event = {**GOOD, "desk": "3", "operator": "Mario Rossi", "note": "free text", "ref": None}
    assert allowlist.to_wire(event) == GOOD


@pytest.mark.parametrize(
    ("event", "keys"),
    [
        ({**GOOD, "type": "ticket.issued", "ref": "A017"}, {*GOOD, "ref"}),
        ({**GOOD, "type": "ticket.issued"}, set(GOOD)),
        ({**GOOD, "type": "appointment.checked_in", "ref": "apt-7731"}, {*GOOD, "ref"}),
        (
            {k: v for k, v in GOOD.items() if k not in ("ticket", "service")}
            | {"type": "kiosk.health", "printer": "paper_out", "backlog": 12, "ticket": "A001"},
            {"id", "seq", "type", "branch", "day", "at", "printer", "backlog"},
        ),
    ],
)
def test_keys_per_type(event: dict, keys: set[str]) -> None:
    assert set(allowlist.to_wire(event)) == keys


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "ticket.stolen"}, "type"),
        ({"ticket": "Mario Rossi"}, "ticket"),
        ({"ticket": None}, "ticket"),
        ({"service": "a"}, "service"),
        ({"at": "2026-11-23T10:15:02.123+01:00"}, "at"),  # whole seconds only
        ({"at": "2026-11-23T10:15:02"}, "at"),  # the offset is required
        ({"id": "not-a-uuid"}, "id"),
        ({"seq": True}, "seq"),
        ({"seq": 0}, "seq"),
        ({"day": "23/11/2026"}, "day"),
        ({"type": "appointment.checked_in", "ref": "BOOKING CODE WITH SPACES"}, "ref"),
        (
            {"type": "ticket.issued", "ref": "42010581000042123456789012"},
            "ref",
        ),  # a payload is not a ticket
    ],
)
def test_bad_values_refuse_the_event_naming_the_field_only(change: dict, field: str) -> None:
    with pytest.raises(allowlist.NotAllowed) as info:
        allowlist.to_wire({**GOOD, **change})
    assert str(info.value).startswith(f"{field}:")
    for value in change.values():
        if isinstance(value, str) and len(value) > 3 and value != "ticket.stolen":
            assert value not in str(info.value)


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=1),
)
keys = st.one_of(
    st.sampled_from([*allowlist.CHECKS, "ref", "desk", "operator", "code", "payload", "name"]),
    st.text(alphabet=string.ascii_letters + "_", min_size=1, max_size=12),
)


@given(
    base=st.sampled_from(list(allowlist.KEYS)),
    extra=st.dictionaries(keys, junk, max_size=8),
    keep=st.booleans(),
)
def test_whatever_a_caller_passes_the_wire_has_only_allowed_keys(
    base: str, extra: dict, keep: bool
) -> None:
    event = {**GOOD, "type": base, "printer": "ok", "backlog": 3, "ref": "A001"}
    event = {**extra, **event} if keep else {**event, **extra}
    try:
        body = allowlist.encode_batch("roma-m1-totem-1", [event])
    except allowlist.NotAllowed:
        return
    wire = json.loads(body)
    assert set(wire) == {"kiosk", "events"}
    [sent] = wire["events"]
    assert set(sent) <= set(allowlist.KEYS[sent["type"]])
    assert allowlist.to_wire(sent) == sent


@given(
    seq=st.integers(min_value=1, max_value=2**53),
    backlog=st.integers(min_value=0, max_value=10**9),
    ticket=st.from_regex(r"\A[A-Z]{1,2}[0-9]{3}\Z"),
    kind=st.sampled_from(list(allowlist.KEYS)),
)
def test_checked_json_is_exactly_json_dumps(seq: int, backlog: int, ticket: str, kind: str) -> None:
    event = {
        **GOOD,
        "seq": seq,
        "type": kind,
        "ticket": ticket,
        "printer": "unknown",
        "backlog": backlog,
        "ref": "A001",
    }
    wire = allowlist.to_wire(event)
    assert allowlist.check(event).json == json.dumps(wire, separators=(",", ":"))
    assert json.loads(allowlist.encode_checked("k-1", [allowlist.check(event)])) == {
        "kiosk": "k-1",
        "events": [wire],
    }
