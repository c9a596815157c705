"""service.status and service.hour: when they are due, what they hold, and what they never
hold (times over fewer than five citizens), on a real store with a settable clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.config import Config
from kiosk.core import events
from kiosk.core.figures import Record, Span, percentile, spans_to_close, wait_range
from kiosk.reports import ServiceReports
from kiosk.store import Store
from kiosk.store import desks as store_desks
from kiosk.totem import Totem
from tests.conftest import ROME, Clock, rome
from tests.helpers import outbox_events

DAY = rome(2026, 11, 23, 0, 0).date()


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([5], 50, 5), ([1, 2, 3, 4], 50, 2), ([1, 2, 3, 4], 90, 4), ([2.4, 2.6, 9], 50, 3)],
)
def test_percentile_is_nearest_rank_in_whole_minutes(values, q, expected) -> None:
    assert percentile(values, q) == expected


@pytest.mark.parametrize(
    ("ahead", "minutes", "desks", "expected"),
    [(0, 8, 2, [0, 0]), (4, 8, 2, [11, 21]), (1, 8, 1, [5, 11]), (3, 4, 2, [4, 8])],
)
def test_wait_range(ahead: int, minutes: float, desks: int, expected: list[int]) -> None:
    assert wait_range(ahead, minutes, desks) == expected


def served_at(hour: int, minute: int, took: int = 5) -> Record:
    called = rome(2026, 11, 23, hour, minute)
    return Record(
        issued_at=called - timedelta(minutes=10),
        called_at=called,
        done_at=called + timedelta(minutes=took),
    )


def test_a_span_closes_only_with_five_served_and_a_small_one_joins_the_next() -> None:
    records = [served_at(8, m) for m in (10, 30, 45)]  # 3 served in 08:00-09:00
    records += [served_at(9, m) for m in (0, 20)]  # 2 more in 09:00-10:00: 5 since 08:00
    records += [served_at(10, m) for m in (0, 10, 20, 30, 40, 45)]  # 6 in 10:00-11:00
    records += [served_at(11, 5)]  # 1 in 11:00-12:00
    at_ten = spans_to_close(records, DAY, ROME, 8, rome(2026, 11, 23, 10, 1), day_over=False)
    assert [(s.label, f["served"]) for s, f in at_ten] == [("08:00-10:00", 5)]
    at_noon = spans_to_close(records, DAY, ROME, 10, rome(2026, 11, 23, 12, 0), day_over=False)
    assert [(s.label, f["served"]) for s, f in at_noon] == [("10:00-11:00", 6)]
    closing = spans_to_close(records, DAY, ROME, 11, rome(2026, 11, 23, 12, 40), day_over=True)
    [(span, figures)] = closing
    assert span == Span(11, 12) and figures["served"] == 1
    assert (figures["wait_p50"], figures["wait_p90"], figures["service_p50"]) == (None,) * 3
    assert at_ten[0][1]["wait_p50"] == 10 and at_ten[0][1]["service_p50"] == 5


def test_an_empty_day_closes_nothing() -> None:
    assert spans_to_close([], DAY, ROME, 8, rome(2026, 11, 24, 1, 0), day_over=True) == []


@pytest.fixture
def totem(config: Config, store: Store, clock: Clock) -> Totem:
    return Totem(config, store, b"k" * 32, clock=clock)


@pytest.fixture
def reports(config: Config, store: Store, clock: Clock) -> ServiceReports:
    return ServiceReports(config, store, clock)


def statuses(store: Store, service: str = "A") -> list[dict]:
    return [e for e in outbox_events(store, "service.status") if e["service"] == service]


def call(store: Store, clock: Clock, desk: str = "1", services: tuple[str, ...] = ("A",)):
    now = clock()
    at = now.astimezone(ROME).isoformat()
    return store_desks.call_next(store, desk, list(services), "2026-11-23", now, at)


def test_status_on_change_at_most_every_30_s(
    totem: Totem, reports: ServiceReports, store: Store, clock: Clock
) -> None:
    assert reports.due() == 2  # the first look: each service's status
    first = statuses(store)[0]
    assert (first["now"], first["waiting"], first["wait"]) == (None, [], [0, 0])
    assert first["at"] == "2026-11-23T10:00:00+01:00"
    totem.issue_walkin("A")
    totem.issue_walkin("A")
    clock.now += timedelta(seconds=10)
    assert reports.due(force=True) == 0  # changed, but 10 s after the last one
    assert reports.next_check <= clock() + timedelta(seconds=20)
    clock.now += timedelta(seconds=20)
    assert reports.due() == 1
    assert statuses(store)[-1]["waiting"] == ["A001", "A002"]
    clock.now += timedelta(minutes=5)
    assert reports.due(force=True) == 0  # nothing changed: nothing sent
    call(store, clock)
    assert reports.due(force=True) == 1
    latest = statuses(store)[-1]
    assert (latest["now"], latest["waiting"]) == ("A001", ["A002"])
    assert latest["wait"][0] <= latest["wait"][1]
    # A restarted agent does not repeat what was already reported.
    assert ServiceReports(reports.config, store, clock).due(force=True) == 0


def test_now_stays_the_services_last_call_after_a_transfer(
    totem: Totem, reports: ServiceReports, store: Store, clock: Clock
) -> None:
    for _ in range(2):
        totem.issue_walkin("A")
    call(store, clock)
    call(store, clock)  # A002 called, A001 done
    store_desks.transfer(store, "1", None, "B", "2026-11-23", clock())  # A002 goes on to B
    reports.due(force=True)
    assert statuses(store)[-1]["now"] == "A002"
    assert statuses(store, "B")[-1]["waiting"] == ["A002"]


def test_an_end_of_service_alone_changes_no_status(
    totem: Totem, reports: ServiceReports, store: Store, clock: Clock
) -> None:
    """A status whose wait moved when a desk pressed "done" would tell when (and after how
    long) that citizen's service ended: the wait comes only from published figures."""
    for _ in range(4):
        totem.issue_walkin("A")
    call(store, clock)
    call(store, clock, desk="2")
    reports.due(force=True)
    before = len(statuses(store))
    for minutes in (3, 9):
        clock.now += timedelta(minutes=minutes)
        store_desks.done(store, "1" if minutes == 3 else "2", None, "2026-11-23", clock())
        assert reports.due(force=True) == 0
    assert len(statuses(store)) == before


def test_statuses_leave_on_the_wall_clock_tick_not_on_a_desks_action(
    totem: Totem, reports: ServiceReports, store: Store, clock: Clock
) -> None:
    clock.now = rome(2026, 11, 23, 10, 0) + timedelta(seconds=7)
    reports.due()
    totem.issue_walkin("A")
    clock.now += timedelta(seconds=11)  # 10:00:18: the desk calls; the agent wakes up
    call(store, clock)
    assert reports.due() == 0  # between ticks: nothing, whatever just happened
    clock.now = rome(2026, 11, 23, 10, 0) + timedelta(seconds=30)
    assert reports.due() == 1
    latest = statuses(store)[-1]
    assert (latest["now"], latest["at"]) == ("A001", "2026-11-23T10:00:00+01:00")


def serve_many(totem: Totem, store: Store, clock: Clock, count: int, minutes: int = 4) -> None:
    for _ in range(count):
        totem.issue_walkin("A")
        clock.now += timedelta(minutes=1)
        call(store, clock)
        clock.now += timedelta(minutes=minutes)
        store_desks.done(store, "1", None, "2026-11-23", clock())


def test_hours_are_sent_over_five_served_and_closed_at_day_end(
    totem: Totem, reports: ServiceReports, store: Store, clock: Clock
) -> None:
    clock.now = rome(2026, 11, 23, 9, 0)
    serve_many(totem, store, clock, 3)  # 09:00-09:15: 3 served
    clock.now = rome(2026, 11, 23, 10, 5)
    reports.due(force=True)
    assert outbox_events(store, "service.hour") == []  # 3 served: the span runs on
    serve_many(totem, store, clock, 4)  # 10:05-10:25: 4 more
    clock.now = rome(2026, 11, 23, 11, 0)
    reports.due(force=True)
    [hour] = outbox_events(store, "service.hour")
    assert (hour["span"], hour["issued"], hour["served"], hour["no_show"]) == (
        "09:00-11:00",
        7,
        7,
        0,
    )
    assert (hour["wait_p50"], hour["service_p50"]) == (1, 4)
    assert hour["at"] == "2026-11-23T11:00:00+01:00"
    serve_many(totem, store, clock, 2)  # 2 in 11:00-12:00, and then the day ends
    clock.now = rome(2026, 11, 24, 0, 10)
    reports.due(force=True)
    last = outbox_events(store, "service.hour")[-1]
    assert (last["day"], last["span"], last["served"], last["wait_p50"]) == (
        "2026-11-23", "11:00-12:00", 2, None,
    )  # fmt: skip
    assert reports.due(force=True) == 0  # closed: nothing more for that day
    for e in outbox_events(store, "service.hour"):
        assert (e["served"] >= events.MIN_SERVED) == (e["wait_p50"] is not None)


def test_a_service_closed_for_the_day_with_nobody_left_sends_its_last_span(
    totem: Totem, reports: ServiceReports, store: Store, clock: Clock
) -> None:
    clock.now = rome(2026, 11, 23, 11, 0)
    totem.issue_walkin("B")
    clock.now += timedelta(minutes=2)
    call(store, clock, services=("B",))
    clock.now = rome(2026, 11, 23, 16, 40)  # B closed at 16:30; its citizen is still at a desk
    reports.due(force=True)
    assert [e for e in outbox_events(store, "service.hour") if e["service"] == "B"] == []
    store_desks.done(store, "1", None, "2026-11-23", clock())
    clock.now += timedelta(minutes=1)
    reports.due(force=True)
    [b] = [e for e in outbox_events(store, "service.hour") if e["service"] == "B"]
    assert (b["span"], b["issued"], b["served"], b["service_p50"]) == ("11:00-17:00", 1, 1, None)


def test_every_report_is_refused_by_nothing(
    totem: Totem, reports: ServiceReports, store: Store, clock: Clock
) -> None:
    clock.now = rome(2026, 11, 23, 8, 0)
    serve_many(totem, store, clock, 12, minutes=7)
    clock.now = rome(2026, 11, 24, 0, 5)
    reports.due(force=True)
    from central import contract

    found = outbox_events(store)
    assert {e["type"] for e in found} >= {"service.status", "service.hour"}
    assert all(contract.violation(events.wire(e)) is None for e in found)
