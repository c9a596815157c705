"""service.status and service.hour: when they are due, what they hold, and what they never
hold (times over fewer than five citizens), on a real store with a settable clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.config import Config
from kiosk.core import events, sealed
from kiosk.core import payload as ticket_payload
from kiosk.core.figures import Record, Span, percentile, spans_to_close, wait_range
from kiosk.phone.status import status_of
from kiosk.reports import ServiceReports
from kiosk.store import Store
from kiosk.store import desks as store_desks
from kiosk.store import purge as retention
from kiosk.store import state as store_state
from kiosk.totem import Totem
from tests.conftest import ROME, Clock, rome
from tests.helpers import outbox_events, seat

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


KEY = b"k" * 32


@pytest.fixture
def reports(config: Config, store: Store, clock: Clock) -> ServiceReports:
    return ServiceReports(config, store, clock, KEY)


def sealed_events(store: Store, service: str = "A") -> list[dict]:
    return [e for e in outbox_events(store, "service.sealed") if e["service"] == service]


def opened(store: Store, code: str, service: str = "A") -> dict | None:
    """What the phone of ticket ``code`` reads from the latest boxes of ``service``."""
    [event] = sealed_events(store, service)  # the outbox keeps one per service
    return open_with(store_state.seal_key(store, "2026-11-23", KEY), code, event)


def open_with(key: bytes, code: str, event: dict, day=DAY) -> dict | None:
    seal = ticket_payload.seal_secret(key, ticket_payload.sign(KEY, "test-branch", day, code))
    return sealed.find(seal, "test-branch", event["service"], event["tick"], event["boxes"])


def call(store: Store, clock: Clock, desk: str = "1", services: tuple[str, ...] = ("A",)):
    return store_desks.call_next(store, seat(desk), list(services), "2026-11-23", clock())


def test_every_ticket_reads_its_own_status_from_the_latest_boxes(
    totem: Totem, reports: ServiceReports, store: Store, clock: Clock
) -> None:
    assert reports.due() == 2  # 10:00, Monday: A and B are open, each sealed (decoys only)
    first = sealed_events(store)[0]
    assert (first["at"], first["tick"], len(first["boxes"])) == (
        "2026-11-23T10:00:00+01:00", "2026-11-23T10:00:00+01:00", 8,
    )  # fmt: skip
    totem.issue_walkin("A")
    totem.issue_walkin("A")
    clock.now += timedelta(minutes=1)
    assert reports.due() == 2
    mine = opened(store, "A001")
    assert mine is not None and (mine["state"], mine["ahead"], mine["now"]) == ("waiting", 0, None)
    # The very status the branch server's phone page shows for it, no more.
    payload = ticket_payload.sign(KEY, "test-branch", DAY, "A001")
    assert mine == status_of(reports.config, store, KEY, payload, clock()).status.as_json()
    assert opened(store, "A002")["ahead"] == 1
    assert opened(store, "A003") is None  # not issued
    call(store, clock)
    clock.now += timedelta(minutes=1)
    reports.due()
    assert opened(store, "A001") == {
        "ticket": "A001", "service": "A", "state": "called", "now": "A001",
    }  # fmt: skip
    assert (opened(store, "A002")["ahead"], opened(store, "A002")["now"]) == (0, "A001")
    store_desks.done(store, seat(), None, "2026-11-23", clock())
    clock.now += timedelta(minutes=1)
    reports.due()
    assert opened(store, "A001") is None  # served: gone from the boxes
    # A restarted agent goes on the same way: still one sealed per service waiting.
    clock.now += timedelta(minutes=1)
    assert ServiceReports(reports.config, store, clock, KEY).due() == 2
    assert len(sealed_events(store)) == len(sealed_events(store, "B")) == 1


def test_seals_come_from_a_key_of_their_day_that_the_purge_destroys(
    totem: Totem, reports: ServiceReports, store: Store, clock: Clock
) -> None:
    totem.issue_walkin("A")
    monday_key = store_state.seal_key(store, "2026-11-23", KEY)
    assert monday_key != KEY and len(monday_key) == 32
    clock.now += timedelta(minutes=1)
    reports.due()
    [archived] = sealed_events(store)  # what a central could keep for years
    assert open_with(monday_key, "A001", archived)["ticket"] == "A001"
    assert open_with(KEY, "A001", archived) is None  # the long-lived key opens nothing
    clock.now = rome(2026, 11, 24, 10, 0)
    totem.issue_walkin("A")
    assert store_state.seal_key(store, "2026-11-24", KEY) not in (monday_key, KEY)
    retention.purge(store, "2026-11-24", clock())
    # A disk taken after the night holds no key that opens Monday's boxes.
    assert store_state.get(store, store_state.SEAL_KEY + "2026-11-23") is None
    assert store_state.seal_key(store, "2026-11-23", KEY) == KEY
    assert open_with(store_state.seal_key(store, "2026-11-23", KEY), "A001", archived) is None
    assert store_state.get(store, store_state.SEAL_KEY + "2026-11-24") is not None


def test_a_day_begun_before_day_keys_keeps_the_ticket_key_to_its_end(
    totem: Totem, reports: ServiceReports, store: Store, clock: Clock
) -> None:
    totem.issue_walkin("A")
    with store.write() as conn:  # A001 was issued by the version before day keys
        conn.execute("DELETE FROM state WHERE key = ?", (store_state.SEAL_KEY + "2026-11-23",))
    totem.issue_walkin("A")  # the upgraded totem, the same day
    assert store_state.get(store, store_state.SEAL_KEY + "2026-11-23") == store_state.LEGACY_SEALS
    clock.now += timedelta(minutes=1)
    reports.due()
    [event] = sealed_events(store)
    assert open_with(KEY, "A001", event)["ahead"] == 0  # the QR printed before still opens
    assert open_with(KEY, "A002", event)["ahead"] == 1


def test_a_transferred_ticket_is_found_in_its_new_service(
    totem: Totem, reports: ServiceReports, store: Store, clock: Clock
) -> None:
    for _ in range(2):
        totem.issue_walkin("A")
    call(store, clock)
    call(store, clock)  # A002 called, A001 done
    store_desks.transfer(store, seat(), None, "B", "2026-11-23", clock())  # A002 goes on to B
    reports.due(force=True)
    assert opened(store, "A002") is None
    moved = opened(store, "A002", "B")
    assert moved is not None and (moved["service"], moved["state"]) == ("B", "waiting")


def central_view(store: Store) -> list[tuple[str, str, int]]:
    """What the central can compare of the sealed events: when each left, and how many boxes."""
    return [
        (e["service"], e["at"], len(e["boxes"])) for e in outbox_events(store, "service.sealed")
    ]


def test_a_desks_presses_change_nothing_the_central_can_see(
    config: Config, tmp_path, clock: Clock
) -> None:
    """Two branches with the same tickets; in one the desks call and finish citizens between
    the ticks, in the other nobody moves. The central gets the same: one sealed event per
    service and tick, of the same size, at the same minute."""
    views = []
    for name, moving in (("still", False), ("moving", True)):
        with Store(tmp_path / f"{name}.sqlite3") as store:
            clock.now = rome(2026, 11, 23, 10, 0)
            totem = Totem(config, store, KEY, clock=clock)
            reports = ServiceReports(config, store, clock, KEY)
            for _ in range(6):
                totem.issue_walkin("A")
            reports.due()
            sent = central_view(store)
            for minute in range(1, 8):
                clock.now = rome(2026, 11, 23, 10, minute) - timedelta(seconds=20)
                if moving and minute % 2:
                    call(store, clock)
                if moving and minute == 6:
                    store_desks.done(store, seat(), None, "2026-11-23", clock())
                assert reports.due() == 0  # between ticks: nothing, whatever just happened
                clock.now = rome(2026, 11, 23, 10, minute)
                reports.due()
                sent += central_view(store)
            views.append(sent)
    assert views[0] == views[1]
    assert len(views[0]) == 16  # A and B at each of the 8 ticks


def test_before_the_days_first_opening_nothing_is_sealed_then_every_service_is(
    write_config, clock: Clock
) -> None:
    from kiosk.config import load

    config = load(write_config(hours_a='mon = ["09:00-12:00"], wed = ["09:00-12:00"]'))
    with Store(config.database) as store:
        clock.now = rome(2026, 11, 23, 8, 0)  # Monday: B opens at 08:30, A at 09:00
        reports = ServiceReports(config, store, clock, KEY)
        assert reports.due() == 0
        clock.now = rome(2026, 11, 23, 8, 30)
        reports.due()  # from the first opening on, every service: A is not open yet
        assert {e["service"] for e in outbox_events(store, "service.sealed")} == {"A", "B"}
        # Without the ticket key (the nightly purge), nothing is sealed at all.
        clock.now = rome(2026, 11, 23, 8, 31)
        assert ServiceReports(config, store, clock).due() == 0


def test_a_ticket_sent_to_a_service_closed_today_starts_nothing_the_central_sees(
    write_config, clock: Clock
) -> None:
    """Wednesday: B is closed all day. A desk sends an A ticket on to B: B was already sealed
    at every tick, so nothing starts at the minute of the transfer."""
    from kiosk.config import load

    config = load(write_config())
    with Store(config.database) as store:
        clock.now = rome(2026, 11, 25, 10, 0)
        totem = Totem(config, store, KEY, clock=clock)
        reports = ServiceReports(config, store, clock, KEY)
        totem.issue_walkin("A")
        reports.due()
        assert len(sealed_events(store, "B")) == 1  # sealed though closed, from the start
        store_desks.call_next(store, seat(), ["A"], "2026-11-25", clock())
        store_desks.transfer(store, seat(), None, "B", "2026-11-25", clock())
        clock.now = rome(2026, 11, 25, 10, 1)
        reports.due()
        [b] = sealed_events(store, "B")
        assert b["tick"] == "2026-11-25T10:01:00+01:00" and len(b["boxes"]) == 8


def test_a_tick_is_sealed_once_and_the_count_never_falls_within_the_day(
    totem: Totem, reports: ServiceReports, store: Store, clock: Clock
) -> None:
    for _ in range(9):
        totem.issue_walkin("A")
    reports.due()
    first = sealed_events(store)[0]
    assert len(first["boxes"]) == 16
    # `kiosk sync --once` seals at once (force): not the tick already sealed, whose real
    # handles a second sealing would give away (the decoys change, the real ones do not).
    assert reports.due(force=True) == 0
    assert sealed_events(store)[0]["boxes"] == first["boxes"]
    for _ in range(5):  # five served: nine became four, a count of 8 would date it
        call(store, clock)
    store_desks.done(store, seat(), None, "2026-11-23", clock())
    clock.now += timedelta(minutes=1)
    reports.due()
    assert len(sealed_events(store)[0]["boxes"]) == 16
    clock.now = rome(2026, 11, 24, 10, 0)  # another day starts from its own count
    reports.due()
    assert len(sealed_events(store)[0]["boxes"]) == 8


def serve_many(totem: Totem, store: Store, clock: Clock, count: int, minutes: int = 4) -> None:
    for _ in range(count):
        totem.issue_walkin("A")
        clock.now += timedelta(minutes=1)
        call(store, clock)
        clock.now += timedelta(minutes=minutes)
        store_desks.done(store, seat(), None, "2026-11-23", clock())


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
    reports.due(force=True)
    assert outbox_events(store, "service.hour")[-1] == last  # closed: nothing more for that day
    for e in outbox_events(store, "service.hour"):
        assert (e["served"] >= events.MIN_SERVED) == (e["wait_p50"] is not None)


def test_the_days_last_span_leaves_at_a_fixed_hour_never_after_the_last_citizen(
    totem: Totem, reports: ServiceReports, store: Store, clock: Clock
) -> None:
    def last_spans() -> list[dict]:
        return [e for e in outbox_events(store, "service.hour") if e["service"] == "B"]

    clock.now = rome(2026, 11, 23, 11, 0)
    totem.issue_walkin("B")
    clock.now += timedelta(minutes=2)
    call(store, clock, services=("B",))
    clock.now = rome(2026, 11, 23, 16, 40)  # B closed at 16:30; its citizen is still at a desk
    reports.due(force=True)
    assert last_spans() == []
    store_desks.done(store, seat(), None, "2026-11-23", clock())  # the day's last citizen leaves
    for minute in range(41, 60):  # every tick until the hour: nothing tells when that was
        clock.now = rome(2026, 11, 23, 16, minute)
        reports.due()
        assert last_spans() == []
    clock.now = rome(2026, 11, 23, 17, 0)  # the first whole hour 30 min past closing
    reports.due()
    [b] = last_spans()
    assert (b["span"], b["issued"], b["served"], b["service_p50"]) == ("11:00-17:00", 1, 1, None)
    assert b["at"] == "2026-11-23T17:00:00+01:00"


def test_a_citizen_still_at_a_desk_holds_the_last_span_to_a_later_hour(
    totem: Totem, reports: ServiceReports, store: Store, clock: Clock
) -> None:
    clock.now = rome(2026, 11, 23, 16, 0)
    totem.issue_walkin("B")
    call(store, clock, services=("B",))
    clock.now = rome(2026, 11, 23, 17, 0)
    reports.due()  # still at the desk at 17:00
    clock.now = rome(2026, 11, 23, 17, 12)
    store_desks.done(store, seat(), None, "2026-11-23", clock())
    reports.due(force=True)
    clock.now = rome(2026, 11, 23, 17, 13)
    reports.due()
    assert [e for e in outbox_events(store, "service.hour") if e["service"] == "B"] == []
    clock.now = rome(2026, 11, 23, 18, 0)
    reports.due()
    [b] = [e for e in outbox_events(store, "service.hour") if e["service"] == "B"]
    assert (b["span"], b["at"]) == ("16:00-18:00", "2026-11-23T18:00:00+01:00")


def test_every_report_is_refused_by_nothing(
    totem: Totem, reports: ServiceReports, store: Store, clock: Clock
) -> None:
    clock.now = rome(2026, 11, 23, 8, 0)
    serve_many(totem, store, clock, 12, minutes=7)
    clock.now = rome(2026, 11, 24, 0, 5)
    reports.due(force=True)
    from central import contract

    found = outbox_events(store)
    assert {e["type"] for e in found} >= {"service.sealed", "service.hour"}
    assert all(contract.violation(events.wire(e)) is None for e in found)
