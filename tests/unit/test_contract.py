"""Contract version 3: the totem's module, the reference server's own copy and the documented
table agree; what the outbox can hold leaves with exactly its type's keys or not at all."""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central import contract
from kiosk.core import events
from kiosk.core.figures import Record, hour_figures
from kiosk.store import Store
from kiosk.store.outbox import Outbox, add_event
from sync import allowlist
from tests.conftest import ROME

ROOT = Path(__file__).resolve().parents[2]
COMMON = {
    "id": "3f1c2a9e-8b7d-4c6e-9a5b-1d2e3f4a5b6c",
    "seq": 7,
    "branch": "roma-m1",
    "day": "2026-11-23",
    "at": "2026-11-23T10:15:00+01:00",
}
GOOD: dict[str, dict[str, Any]] = {
    "ticket.issued": {"ticket": "A042", "service": "A", "ref": "A017"},
    "appointment.checked_in": {"ticket": "A043", "service": "A", "ref": "apt-7731"},
    "service.sealed": {
        "service": "A",
        "tick": "2026-11-23T10:15:00+01:00",
        "boxes": [{"h": f"{n:022d}", "box": f"{n:0208d}"} for n in range(8)],
    },
    "service.hour": {
        "service": "A",
        "span": "10:00-11:00",
        "issued": 9,
        "served": 6,
        "no_show": 1,
        "wait_p50": 12,
        "wait_p90": 25,
        "service_p50": 7,
    },
    "kiosk.health": {"printer": "paper_low", "backlog": 3},
}


def event(kind: str, **change: Any) -> dict[str, Any]:
    return {**COMMON, "type": kind, **GOOD[kind], **change}


def documented_table() -> dict[str, dict[str, str]]:
    """The event table of docs/central-api.md, as (type -> key -> form)."""
    text = (ROOT / "docs" / "central-api.md").read_text()
    rows = re.findall(
        r"^\| (\(every event\)|`[a-z._]+`) \| `([a-z_0-9]+)` \| ([^|]+) \|$", text, re.M
    )
    table: dict[str, dict[str, str]] = {}
    for kind, key, form in rows:
        table.setdefault(kind.strip("`"), {})[key] = form.strip()
    return table


def test_the_reference_servers_table_is_the_documented_one() -> None:
    documented = documented_table()
    assert documented.pop("(every event)") == contract.EVERY_EVENT
    assert documented == contract.TABLE


def test_the_totems_contract_is_the_documented_one() -> None:
    documented = documented_table()
    assert tuple(documented.pop("(every event)")) == events.COMMON
    assert {k: tuple(v) for k, v in documented.items()} == events.KEYS
    forms = {(t, k): f for t, keys in documented.items() for k, f in keys.items()}
    assert {tk for tk, f in forms.items() if f.endswith("?")} == events.OPTIONAL
    assert {tk for tk, f in forms.items() if f.endswith(" or null")} == events.NULLABLE
    assert events.VERSION == 3 == contract.VERSION
    assert not set(events.RETIRED) & set(events.KEYS)


def test_the_printer_states_of_the_contract_are_the_drivers() -> None:
    from drivers.printer.status import PrinterState

    assert {s.value for s in PrinterState} == set(events.PRINTER_STATES)


@pytest.mark.parametrize("kind", list(GOOD))
def test_a_good_event_passes_both_and_leaves_as_compact_json(kind: str) -> None:
    good = event(kind)
    assert events.wire(good) == good
    assert contract.violation(good) is None
    checked = allowlist.check(good)
    assert checked.json == json.dumps(events.wire(good), separators=(",", ":"))
    assert json.loads(checked.json) == good
    assert list(json.loads(checked.json)) == [*events.COMMON, *events.KEYS[kind]]


def test_a_walkin_ticket_leaves_without_ref() -> None:
    walkin = event("ticket.issued")
    del walkin["ref"]
    assert events.wire(walkin) == walkin and contract.violation(walkin) is None
    assert "ref" not in events.wire({**walkin, "ref": None})


@pytest.mark.parametrize(
    ("kind", "change", "key"),
    [
        ("ticket.issued", {"type": "ticket.called"}, "type"),  # version 1: never again
        ("ticket.issued", {"type": "ticket.done"}, "type"),
        ("ticket.issued", {"desk": "3"}, "desk"),
        ("ticket.issued", {"operator": "Mario Rossi"}, "operator"),
        ("ticket.issued", {"at": "2026-11-23T10:15:02+01:00"}, "at"),  # whole minutes only
        ("ticket.issued", {"at": "2026-11-23T10:15:00"}, "at"),  # the offset is required
        ("ticket.issued", {"ticket": "Mario Rossi"}, "ticket"),
        ("ticket.issued", {"ref": "42010581000042123456789012"}, "ref"),  # a payload
        ("ticket.issued", {"seq": True}, "seq"),
        ("ticket.issued", {"seq": 0}, "seq"),
        ("ticket.issued", {"day": "23/11/2026"}, "day"),
        ("appointment.checked_in", {"ref": "BOOKING CODE"}, "ref"),
        ("appointment.checked_in", {"ref": None}, "ref"),
        (
            "service.sealed",
            {"boxes": [{"h": f"{n:022d}", "box": f"{n:0208d}"} for n in range(9)]},
            "boxes",
        ),
        ("service.sealed", {"boxes": [{"h": "0" * 22, "box": "0" * 208}] * 8}, "boxes"),
        (
            "service.sealed",
            {"boxes": [{"h": f"{n:022d}", "box": "A042"} for n in range(8)]},
            "boxes",
        ),
        ("service.sealed", {"tick": "2026-11-23T10:15:30+01:00"}, "tick"),
        ("service.sealed", {"waiting": ["A041"]}, "waiting"),
        ("service.sealed", {"desk": "2"}, "desk"),
        ("service.hour", {"span": "10:30-11:00"}, "span"),
        ("service.hour", {"served": 4}, "wait_p50"),  # times over fewer than five: never
        ("service.hour", {"wait_p50": None}, "wait_p50"),
        ("service.hour", {"issued": -1}, "issued"),
        ("service.hour", {"wait_p90": 5}, "wait_p90"),  # below wait_p50
        ("kiosk.health", {"printer": "fine"}, "printer"),
        ("kiosk.health", {"ticket": "A001"}, "ticket"),
    ],
)
def test_both_refuse_naming_the_key_never_the_value(kind: str, change: dict, key: str) -> None:
    bad = event(kind, **change)
    with pytest.raises(events.NotAllowed) as info:
        events.wire(bad)
    assert str(info.value).startswith(f"{key}:")
    problem = contract.violation(bad)
    assert problem is not None
    for value in change.values():
        if isinstance(value, str) and len(value) > 4 and not value.startswith("ticket."):
            assert value not in str(info.value) and value not in problem


def test_a_version_2_status_never_leaves_and_the_central_takes_it_only_to_drop_it() -> None:
    old = {**COMMON, "type": "service.status", "service": "A", "now": "A040",
           "waiting": ["A041"], "wait": [8, 14]}  # fmt: skip
    with pytest.raises(events.NotAllowed, match=r"^type:"):
        events.wire(old)
    assert "service.status" in events.RETIRED and "service.status" in contract.RETIRED
    assert contract.violation(old) is None  # from a totem not yet upgraded: acked, not kept
    assert contract.violation({**old, "seq": 0}) is not None  # its common keys still checked


def test_times_over_fewer_than_five_served_are_null() -> None:
    few = event("service.hour", served=4, wait_p50=None, wait_p90=None, service_p50=None)
    assert events.wire(few) == few and contract.violation(few) is None


# -- property: the two independent checks agree, and the outbox holds only what may leave ------

junk = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 3000), st.text(max_size=8),
    st.sampled_from(["A042", "A", "10:00-11:00", "ok", "apt-1", "2026-11-23"]),
    st.lists(st.sampled_from(["A041", "A042", "B001", "x"]), max_size=3),
    st.lists(st.integers(-1, 2000), max_size=3),
)  # fmt: skip
extra_keys = st.sampled_from(["desk", "operator", "code", "payload", "name", "called_at", "now"])


@st.composite
def candidate(draw: st.DrawFn) -> dict[str, Any]:
    """An event of a contract type, with some keys dropped, replaced by junk, or added."""
    kind = draw(st.sampled_from(list(GOOD)))
    out = event(kind)
    for key in list(out):
        choice = draw(st.integers(0, 9))
        if choice == 0 and key != "type":
            del out[key]
        elif choice == 1 and key != "type":
            out[key] = draw(junk)
    for key in draw(st.lists(extra_keys, max_size=2)):
        out[key] = draw(junk)
    return out


@given(candidate())
def test_the_totems_check_and_the_servers_agree(candidate: dict[str, Any]) -> None:
    try:
        wire = events.wire(candidate)
    except events.NotAllowed:
        assert contract.violation(candidate) is not None
        return
    assert contract.violation(wire) is None
    assert set(wire) <= {*events.COMMON, *events.KEYS[wire["type"]]}


@settings(max_examples=150)
@given(st.lists(candidate(), min_size=1, max_size=6))
def test_what_the_outbox_holds_leaves_with_exactly_its_keys_or_is_refused(
    candidates: list[dict[str, Any]],
) -> None:
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "k.sqlite3") as store:
        accepted = []
        for c in candidates:
            fields = {k: v for k, v in c.items() if k not in ("id", "seq")}
            try:
                with store.write() as conn:
                    add_event(conn, **fields)
            except (events.NotAllowed, TypeError):
                continue  # refused: nothing was written
            accepted.append(c)
        rows = Outbox(store).ready()
        assert len(rows) == len(accepted)
        for row, sent in zip(rows, accepted, strict=True):
            line = json.loads(allowlist.check_row(row).json)
            kind = line["type"]
            present = {k for k in events.KEYS[kind] if sent.get(k) is not None}
            present |= {k for k in events.KEYS[kind] if (kind, k) in events.NULLABLE}
            assert set(line) == {*events.COMMON, *present}
            assert contract.violation(line) is None


@given(
    kind=st.sampled_from(list(GOOD)),
    body=st.dictionaries(
        st.one_of(extra_keys, st.sampled_from(["ticket", "service", "ref"])), junk
    ),
    at=st.sampled_from(["2026-11-23T10:15:00+01:00", "2026-11-23T10:15:07+01:00", "x"]),
)
def test_a_row_written_behind_the_outboxs_back_is_refused_or_leaves_exactly(
    kind: str, body: dict[str, Any], at: str
) -> None:
    """A row the outbox did not check (an old program, a hand edit): the allow-list checks
    it again, so it leaves with exactly its type's keys or is refused."""
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "k.sqlite3") as store:
        with store.write() as conn:
            conn.execute(
                "INSERT INTO outbox (id, type, branch, day, at, body) VALUES (?, ?, ?, ?, ?, ?)",
                (COMMON["id"], kind, "roma-m1", "2026-11-23", at, json.dumps(body)),
            )
        [row] = Outbox(store).ready()
        try:
            line = json.loads(allowlist.check_row(row).json)
        except allowlist.NotAllowed:
            return
        assert set(line) - set(events.COMMON) <= set(events.KEYS[kind])
        assert contract.violation(line) is None


@given(
    st.lists(
        st.tuples(
            st.integers(0, 600),  # issued, minutes after 08:00
            st.one_of(st.none(), st.integers(0, 120)),  # called after issue
            st.integers(0, 60),  # served for
            st.booleans(),  # no-show instead of served
        ),
        max_size=30,
    )
)
def test_hour_figures_never_give_times_over_fewer_than_five_served(tickets: list) -> None:
    start = datetime(2026, 11, 23, 8, tzinfo=ROME)
    records = []
    for issued, called, took, gone in tickets:
        at = start + timedelta(minutes=issued)
        call = None if called is None else at + timedelta(minutes=called)
        records.append(
            Record(
                issued_at=at,
                called_at=call,
                done_at=None if call is None or gone else call + timedelta(minutes=took),
                no_show_at=call if call is not None and gone else None,
            )
        )
    for hours in (1, 2, 5, 16):
        figures = hour_figures(records, start, start + timedelta(hours=hours))
        served = figures["served"] or 0
        times = [figures["wait_p50"], figures["wait_p90"], figures["service_p50"]]
        if served < events.MIN_SERVED:
            assert times == [None, None, None]
        else:
            assert None not in times
        candidate_event = event("service.hour", **figures)
        assert contract.violation(candidate_event) is None


def test_the_outbox_refuses_an_event_and_rolls_back_its_ticket(store: Store) -> None:
    with pytest.raises(events.NotAllowed), store.write() as conn:
        conn.execute(
            "INSERT INTO tickets (day, service, number, code, kind, issued_at)"
            " VALUES ('2026-11-23', 'A', 1, 'A001', 'walkin', '2026-11-23T09:00:00+00:00')"
        )
        add_event(conn, type="ticket.called", branch="b", day="2026-11-23",
                  at=COMMON["at"], ticket="A001", service="A")  # fmt: skip
    assert store.scalar("SELECT COUNT(*) FROM tickets") == 0
    assert store.scalar("SELECT COUNT(*) FROM outbox") == 0


def test_outbox_columns_cannot_hold_a_desk(store: Store) -> None:
    columns = {c["name"] for c in store.query("PRAGMA table_info(outbox)")}
    # kiosk: another kiosk of the branch (a satellite's health goes through its host)
    assert columns == {"seq", "id", "type", "branch", "day", "at", "body", "state", "parked_at",
                       "error", "kiosk"}  # fmt: skip
    with pytest.raises(sqlite3.OperationalError):
        store.conn.execute("INSERT INTO outbox (desk) VALUES ('3')")
