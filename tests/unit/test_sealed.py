"""Contract v3's sealed statuses: only the ticket's own seal opens its box; the boxes of a tick
say nothing the central could follow (same size, new handles every tick, a bucketed count)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central import contract
from kiosk.core import events, sealed
from kiosk.core import payload as ticket_payload
from kiosk.core.scan import ScanKind, classify

KEY = b"k" * 32
DAY = date(2026, 11, 23)
TICK = "2026-11-23T10:15:00+01:00"
LATER = "2026-11-23T10:16:00+01:00"


def seal_of(code: str) -> str:
    return ticket_payload.seal_secret(KEY, ticket_payload.sign(KEY, "roma-m1", DAY, code))


def status(code: str, ahead: int) -> dict[str, Any]:
    return {"ticket": code, "service": "A", "state": "waiting", "ahead": ahead, "now": "A001",
            "wait": [ahead * 3, ahead * 5]}  # fmt: skip


def test_each_ticket_opens_its_own_box_and_no_other() -> None:
    tickets = [f"A{n:03d}" for n in range(2, 12)]
    boxes = sealed.boxes(
        "roma-m1", "A", TICK, [(seal_of(c), status(c, i)) for i, c in enumerate(tickets)]
    )
    assert len(boxes) == 16  # 10 real, padded to the bucket
    for i, code in enumerate(tickets):
        assert sealed.find(seal_of(code), "roma-m1", "A", TICK, boxes) == status(code, i)
    assert sealed.find(seal_of("A099"), "roma-m1", "A", TICK, boxes) is None  # not in the queue
    # Bound to its branch, service and tick: boxes replayed elsewhere open nowhere.
    assert sealed.find(seal_of("A002"), "roma-m1", "A", LATER, boxes) is None
    assert sealed.find(seal_of("A002"), "roma-m1", "B", TICK, boxes) is None
    assert sealed.find(seal_of("A002"), "roma-m2", "A", TICK, boxes) is None
    keys, bound = sealed.Keys(seal_of("A002")), sealed.aad("roma-m1", "A", TICK)
    mine = next(b for b in boxes if b["h"] == keys.handle(bound))
    with pytest.raises(sealed.Unsealable):
        sealed.Keys(seal_of("A003")).open(mine["box"], bound)
    altered = mine["box"][:-2] + ("AA" if mine["box"][-2:] != "AA" else "BB")
    with pytest.raises(sealed.Unsealable):
        keys.open(altered, bound)


def test_nothing_in_a_tick_can_be_followed_to_the_next() -> None:
    queue = [(seal_of(f"A{n:03d}"), status(f"A{n:03d}", n)) for n in range(1, 6)]
    first = sealed.boxes("roma-m1", "A", TICK, queue)
    again = sealed.boxes("roma-m1", "A", TICK, queue)  # the same queue, the same tick
    later = sealed.boxes("roma-m1", "A", LATER, queue)
    assert {b["box"] for b in first}.isdisjoint(b["box"] for b in again)  # a fresh nonce each
    assert {b["h"] for b in first}.isdisjoint(b["h"] for b in later)  # handles change per tick
    for batch in (first, again, later):
        assert [b["h"] for b in batch] == sorted(b["h"] for b in batch)  # no order to read
        assert {len(b["box"]) for b in batch} == {sealed.BOX_CHARS}  # decoys as long as boxes
        assert {len(b["h"]) for b in batch} == {sealed.HANDLE_CHARS}


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 300))
def test_the_count_is_a_bucket_and_the_event_passes_both_checks(n: int) -> None:
    queue = [(seal_of(f"A{i % 999 + 1:03d}"), status("A001", i)) for i in range(n)]
    boxes = sealed.boxes("roma-m1", "A", TICK, queue)
    assert len(boxes) in sealed.BUCKETS and len(boxes) >= min(n, sealed.MOST)
    event = {"id": "3f1c2a9e-8b7d-4c6e-9a5b-1d2e3f4a5b6c", "seq": 9, "type": "service.sealed",
             "branch": "roma-m1", "day": "2026-11-23", "at": TICK, "service": "A",
             "tick": TICK, "boxes": boxes}  # fmt: skip
    assert events.wire(event)["boxes"] == boxes
    assert contract.violation(event) is None


def test_a_box_that_breaks_the_shape_is_refused_by_both() -> None:
    good = sealed.boxes("roma-m1", "A", TICK, [])
    base = {"id": "3f1c2a9e-8b7d-4c6e-9a5b-1d2e3f4a5b6c", "seq": 9, "type": "service.sealed",
            "branch": "roma-m1", "day": "2026-11-23", "at": TICK, "service": "A", "tick": TICK}  # fmt: skip
    for boxes in (
        good[:7],  # not a bucket
        [*good[:7], good[0]],  # a handle twice
        [{**good[0], "ticket": "A001"}, *good[1:]],  # a key more
        [{"h": good[0]["h"], "box": "A001"}, *good[1:]],  # not a box
    ):
        with pytest.raises(events.NotAllowed):
            events.wire({**base, "boxes": boxes})
        assert contract.violation({**base, "boxes": boxes}) is not None


def test_a_status_too_long_for_a_box_is_refused() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        sealed.Keys(seal_of("A001")).seal({"desk": "x" * 200}, b"")


def test_the_qr_carries_the_seal_after_the_hash_and_the_totem_still_reads_its_ticket() -> None:
    payload = ticket_payload.sign(KEY, "roma-m1", DAY, "A042")
    qr = ticket_payload.with_status_url("https://coda.example.it/t/roma-m1/#", payload, KEY)
    assert qr == f"https://coda.example.it/t/roma-m1/#{payload}.{seal_of('A042')}"
    assert len(seal_of("A042")) == ticket_payload.SEAL_CHARS
    scan = classify(qr)
    assert (scan.kind, scan.text) == (ScanKind.TICKET, payload)
    # The branch server's page takes the payload in its path, as before, with no seal.
    lan = ticket_payload.with_status_url("https://coda.lan/t/", payload, KEY)
    assert lan == f"https://coda.lan/t/{payload}"
    assert ticket_payload.with_status_url(None, payload, KEY) == payload
    # Another key, another seal: the seal cannot be made without the ticket key.
    assert ticket_payload.seal_secret(b"x" * 32, payload) != seal_of("A042")
