"""The auditor's attack: from everything the central server received in a whole day, can
anyone tell which tickets one desk served, or which desk called a ticket?

A realistic day runs through the real parts: tickets issued as the totem issues them, three
desks that serve different services working through the branch server over HTTP (random
service times, recalls, no-shows, transfers, a re-entry scan), the sync agent sending to the
reference central server, the night's purge. The test then attacks what the central server
holds: the attacker of contract version 2 attributed calls to desks from the waiting lists
(a B ticket that leaves while an older A one waits can only be the B-only desk's), and linked
tickets by adjacent events, the same minute, call order, the typical service time. On the same
day as version 2 would have sent it, the attribution is right every time; on what version 3
sends (sealed boxes, bucketed counts, hourly figures at fixed times) it is at chance, as is
every link, no transfer shows, and the day's last figures do not tell when the last citizen
left. The same links on the day as version 1 would have sent it find the desks at once.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

import pytest
import requests

from central import contract
from central.server import CentralServer
from kiosk import secrets
from kiosk.config import Config, load
from kiosk.core import events as contract_v3
from kiosk.core import sealed
from kiosk.server import desks as desk_tokens
from kiosk.server.app import make_app
from kiosk.serving import ThreadedServer
from kiosk.store import Store
from kiosk.store import desks as store_desks
from kiosk.store import purge as retention
from kiosk.store import tickets as store_tickets
from kiosk.totem import Totem, Unavailable
from sync.agent import SyncAgent
from sync.client import CentralClient
from tests.conftest import Clock, rome

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CONFIG = """
[kiosk]
id = "audit-totem"
branch = "audit-branch"
branch_name = "Ufficio di prova"
timezone = "Europe/Rome"
languages = ["it", "en"]
data_dir = "data"

[printer]
uri = "none://"

[scanner]
uri = "none://"

[central]
url = "{url}"
token_file = "secrets/central-token"

[[services]]
code = "A"
name = {{ it = "Anagrafe", en = "Registry office" }}
hours = {{ mon = ["08:00-17:00"] }}
minutes = 5
desks = 2

[[services]]
code = "B"
name = {{ it = "Carta d'identità", en = "Identity card" }}
hours = {{ mon = ["08:00-17:00"] }}
minutes = 6
desks = 2
"""
# Desk 1 serves A, desk 3 serves B, desk 2 both: offices specialise their desks.
DESKS = {"1": ["A"], "2": ["A", "B"], "3": ["B"]}
TICKETS = 150


@dataclass
class DeskState:
    """What a desk is doing: free from ``until``, then ``then`` happens."""

    name: str
    services: list[str]
    until: datetime
    then: str = "next"  # next | done | no-show | transfer | recall
    ticket: str | None = None


@dataclass
class Day:
    """What really happened: every call, by desk, in order (the branch knows; nobody else)."""

    calls: list[tuple[datetime, str, str]] = field(default_factory=list)  # (at, desk, ticket)
    issued: dict[str, Any] = field(default_factory=dict)  # code -> Issued
    # What version 2 would have sent at each tick: each service's waiting list and now serving.
    screens: list[dict[str, Any]] = field(default_factory=list)
    queues: list[tuple[str, str, int]] = field(default_factory=list)  # (tick, service, in queue)

    def desks_of(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for _at, desk, ticket in self.calls:
            out[ticket].add(desk)
        return out


class Branch:
    def __init__(self, config: Config, clock: Clock) -> None:
        self.server = ThreadedServer(make_app(config, clock), graceful_timeout=1).start()
        with Store(config.database) as store:
            self.tokens = {d: desk_tokens.add(store, d) for d in DESKS}
        self.http = requests.Session()

    def post(self, desk: str, action: str, body: dict[str, Any] | None = None) -> Any:
        r = self.http.post(
            f"{self.server.url}/api/v1/desks/{desk}/{action}",
            json=body or {},
            headers={"Authorization": f"Bearer {self.tokens[desk]}"},
            timeout=10,
        )
        assert r.status_code in (200, 204), (action, r.status_code, r.text)
        return r.json() if r.status_code == 200 else None


def run_day(
    tmp_path: Path, seed: int
) -> tuple[Day, CentralServer, Store, SyncAgent, dict[str, datetime]]:
    rng = random.Random(seed)
    secrets.ensure(tmp_path / "secrets" / "central-token", b"audit-token-1234567890")
    central = CentralServer(tmp_path / "central.sqlite3").start()
    central.enrol("audit-totem", "audit-branch", "audit-token-1234567890")
    (tmp_path / "kiosk.toml").write_text(CONFIG.format(url=central.url))
    config = load(tmp_path / "kiosk.toml")
    clock = Clock(rome(2026, 11, 23, 8, 0))
    store = Store(config.database)
    totem = Totem(config, store, b"k" * 32, clock=clock)
    branch = Branch(config, clock)
    agent = SyncAgent(
        config, store, CentralClient(central.url, config.central_token_file), clock=clock,
        key=b"k" * 32,
    )  # fmt: skip
    arrival: dict[str, datetime] = {}  # event id -> when it reached the central server
    post = agent.client.post_events

    def recorded(body: bytes, key: str) -> Any:
        for event in json.loads(body)["events"]:
            arrival.setdefault(event["id"], clock.now)
        return post(body, key)

    agent.client.post_events = recorded  # type: ignore[method-assign]
    day = Day()
    opening = clock.now
    arrivals = sorted(
        opening + timedelta(seconds=rng.uniform(0, 6.5 * 3600)) for _ in range(TICKETS)
    )
    desks = [DeskState(name, services, opening) for name, services in DESKS.items()]
    reentry_done = False
    step = timedelta(seconds=5)

    def turn() -> None:
        """A turn of the agent's loop, which runs whenever the database changed (after every
        desk action) and at least every half second."""
        if clock.now >= agent.reports.next_check:
            screens(clock.now.replace(second=0))
        agent.dues()
        assert agent.pump().kind in ("idle", "sent")

    def screens(tick: datetime) -> None:
        """What the waiting-room screens show at this tick (version 2 sent it upstream)."""
        for service in ("A", "B"):
            waiting = store_tickets.call_queue(store, "2026-11-23", service, tick)
            now = store_desks.now_serving(store, "2026-11-23", service)
            day.screens.append({"id": f"{tick}{service}", "seq": len(day.screens) + 1,
                                "at": tick.isoformat(), "service": service,
                                "waiting": waiting, "now": now})  # fmt: skip
            at_desk = store.scalar(
                "SELECT COUNT(*) FROM tickets WHERE day = '2026-11-23' AND status = 'called'"
                " AND COALESCE(queue, service) = ?", (service,),
            )  # fmt: skip
            day.queues.append((tick.isoformat(), service, len(waiting) + int(at_desk or 0)))
            arrival[f"{tick}{service}"] = tick

    turn()  # the agent's first turn, as the office opens
    while clock.now < rome(2026, 11, 23, 17, 30):
        clock.now += step
        while arrivals and arrivals[0] <= clock.now:
            arrivals.pop(0)
            service = "A" if rng.random() < 0.55 else "B"
            try:
                issued = totem.issue_walkin(service)
            except Unavailable:  # pragma: no cover - the day is sized so that it never is
                pytest.fail("the simulated day refused a ticket")
            day.issued[issued.ticket.code] = issued
        for desk in rng.sample(desks, len(desks)):
            if desk.until <= clock.now:
                act(desk, branch, day, clock.now, rng)
        if not reentry_done and clock.now >= rome(2026, 11, 23, 11, 0):
            done = store.scalar("SELECT code FROM tickets WHERE status = 'done' LIMIT 1")
            outcome = totem.scan(day.issued[done].payload)
            assert outcome.result == "reentry", outcome
            day.issued[outcome.issued.ticket.code] = outcome.issued
            reentry_done = True
        turn()
    # After closing, the day's last spans; at night, the purge and what is left.
    clock.now = rome(2026, 11, 23, 18, 0)
    assert agent.drain() is True
    clock.now = rome(2026, 11, 24, 0, 30)
    retention.purge(store, "2026-11-24", clock())
    assert agent.drain() is True
    branch.server.stop()
    return day, central, store, agent, arrival


def act(desk: DeskState, branch: Branch, day: Day, now: datetime, rng: random.Random) -> None:
    """The desk does what it planned, and plans its next move."""
    if desk.then == "next":
        answer = branch.post(desk.name, "next", {"services": desk.services})
        if answer is None:
            desk.until, desk.ticket = now + timedelta(seconds=rng.choice((15, 30, 45))), None
            return
        desk.ticket = answer["ticket"]
        day.calls.append((now, desk.name, desk.ticket))
        roll = rng.random()
        if roll < 0.07:
            desk.then, desk.until = "recall", now + timedelta(minutes=rng.uniform(1, 2))
        elif roll < 0.12:
            desk.then, desk.until = "transfer", now + timedelta(minutes=rng.uniform(1, 6))
        else:
            took = min(30.0, max(0.5, rng.expovariate(1 / 4.5)))
            desk.then = "done" if rng.random() < 0.5 else "next"
            desk.until = now + timedelta(minutes=took)
        if rng.random() < 0.08 and desk.then in ("done", "next"):
            branch.post(desk.name, "recall")
        return
    if desk.then == "recall":
        branch.post(desk.name, "recall")
        desk.then, desk.until = "no-show", now + timedelta(minutes=rng.uniform(1, 2))
        return
    branch.post(desk.name, desk.then, {"service": "B" if desk.ticket.startswith("A") else "A"})
    desk.then, desk.ticket = "next", None
    desk.until = now + timedelta(seconds=rng.choice((0, 15, 30, 60, 90)))


# -- what the central server holds, and the attacks on it ------------------------------------


@dataclass(frozen=True)
class Seen:
    """A ticket the attacker sees leave the queue: the status event that shows it, and when
    that event reached the server (to the second: the attacker keeps access logs)."""

    seq: int
    at: str
    ticket: str
    service: str
    arrived: datetime


def observations(statuses: list[dict[str, Any]], arrival: dict[str, datetime]) -> list[Seen]:
    """Tickets leaving the waiting list, in the order the lists show them."""
    out: list[Seen] = []
    before: dict[str, list[str]] = defaultdict(list)
    for e in statuses:
        gone = [t for t in before[e["service"]] if t not in e["waiting"]]
        if (
            e["now"] is not None
            and e["now"] not in gone
            and e["now"] not in {s.ticket for s in out}
        ):
            gone.append(e["now"])
        out += [Seen(e["seq"], e["at"], t, e["service"], arrival[e["id"]]) for t in gone]
        before[e["service"]] = e["waiting"]
    return out


def rebuilt_lists(received: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The waiting lists an attacker can rebuild from version 3: the tickets issued, in order,
    and each tick's count of boxes; first in, first out, a ticket is taken to leave when the
    count can no longer hold it."""
    queue: dict[str, list[str]] = defaultdict(list)
    out = []
    for e in received:
        if e["type"] in ("ticket.issued", "appointment.checked_in"):
            queue[e["service"]].append(e["ticket"])
        elif e["type"] == "service.sealed":
            held = queue[e["service"]]
            while len(held) > len(e["boxes"]):
                held.pop(0)
            out.append({"id": e["id"], "seq": e["seq"], "at": e["at"], "service": e["service"],
                        "waiting": list(held), "now": None})  # fmt: skip
    return out


def attributions(statuses: list[dict[str, Any]], issued: dict[str, int]) -> list[tuple[str, str]]:
    """The version-2 attacker's attribution: a ticket that leaves while an older ticket of the
    other service still waits was called by the desk that serves its service alone (desk 2
    serves both and calls the oldest first)."""
    alone = {"A": "1", "B": "3"}
    waiting: dict[str, list[str]] = defaultdict(list)
    out = []
    for e in statuses:
        gone = [t for t in waiting[e["service"]] if t not in e["waiting"]]
        waiting[e["service"]] = e["waiting"]
        other = waiting["B" if e["service"] == "A" else "A"]
        for ticket in gone:
            if any(issued[o] < issued[ticket] for o in other):
                out.append((ticket, alone[e["service"]]))
    return out


def judge_attributions(found: list[tuple[str, str]], day: Day) -> tuple[float, float, int]:
    """(right, what guessing the same desk for the service gives, number of attributions)."""
    desks = day.desks_of()
    calls: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for ticket, held in desks.items():
        for desk in held:
            calls[ticket.rstrip("0123456789")][desk] += 1
    right = chance = 0.0
    for ticket, desk in found:
        service = ticket.rstrip("0123456789")
        right += desk in desks.get(ticket, set())
        chance += calls[service][desk] / sum(calls[service].values())
    n = max(len(found), 1)
    return right / n, chance / n, len(found)


Link = tuple[str, str]


def adjacency(seen: list[Seen], received: list[dict[str, Any]]) -> list[Link]:
    """The version-1 auditor's link: tickets in events next to each other by seq."""
    mentioned = []
    for e in received:
        if e["type"] == "service.sealed":
            mentioned += [s.ticket for s in seen if s.seq == e["seq"]]
        elif "ticket" in e:
            mentioned.append(e["ticket"])
    return [(a, b) for a, b in itertools.pairwise(mentioned) if a != b]


def same_minute(seen: list[Seen], received: list[dict[str, Any]]) -> list[Link]:
    """Tickets shown leaving in the same minute, or arriving at the server together."""
    groups: dict[Any, list[str]] = defaultdict(list)
    for s in seen:
        groups[s.at].append(s.ticket)
        groups[s.arrived].append(s.ticket)
    return [(a, b) for group in groups.values() for a, b in itertools.pairwise(group)]


def call_order(seen: list[Seen], received: list[dict[str, Any]]) -> list[Link]:
    """Each ticket and the next one to leave the queue, anywhere, then within its service."""
    links = [(a.ticket, b.ticket) for a, b in itertools.pairwise(seen)]
    per_service: dict[str, list[str]] = defaultdict(list)
    for s in seen:
        per_service[s.service].append(s.ticket)
    for tickets in per_service.values():
        links += list(itertools.pairwise(tickets))
    return links


def typical_service_time(seen: list[Seen], received: list[dict[str, Any]]) -> list[Link]:
    """Each ticket and the one called closest to a typical service time after it (the
    attacker reads the typical time from the hourly figures)."""
    times = [e["service_p50"] for e in received if e["type"] == "service.hour"]
    p50 = timedelta(minutes=median(t for t in times if t is not None))
    moments = [(s.arrived, s) for s in seen]
    links = []
    for at, s in moments:
        target = at + p50
        later = [(abs((m - target).total_seconds()), o) for m, o in moments if m > at]
        if later:
            links.append((s.ticket, min(later, key=lambda x: x[0])[1].ticket))
    return links


def version_1_transaction_link(day: Day) -> list[Link]:
    """What version 1 let anyone do: `next` wrote ticket.done for the desk's last ticket and
    ticket.called for its next, side by side; the pair is the link."""
    stream = []
    last: dict[str, str] = {}
    for at, desk, ticket in day.calls:
        if desk in last:
            stream.append(("ticket.done", last[desk], at))
        stream.append(("ticket.called", ticket, at))
        last[desk] = ticket
    return [
        (a[1], b[1])
        for a, b in itertools.pairwise(stream)
        if a[0] == "ticket.done" and b[0] == "ticket.called" and a[2] == b[2]
    ]


def judge(
    links: Iterable[Link], day: Day, service_of: Callable[[str], str]
) -> tuple[float, float, int]:
    """(hit rate, what chance gives for the same pairs of services, number of links)."""
    desks = day.desks_of()
    share: dict[str, dict[str, float]] = {}
    for service in ("A", "B"):
        counts: dict[str, int] = defaultdict(int)
        for ticket, held in desks.items():
            if service_of(ticket) == service:
                for d in held:
                    counts[d] += 1
        total = sum(counts.values())
        share[service] = {d: n / total for d, n in counts.items()}
    hits = chance = 0.0
    n = 0
    for a, b in links:
        if a not in desks or b not in desks:
            continue
        n += 1
        hits += bool(desks[a] & desks[b])
        sa, sb = share[service_of(a)], share[service_of(b)]
        chance += sum(p * sb.get(d, 0.0) for d, p in sa.items())
    return hits / n, chance / n, n


def test_nothing_the_central_server_holds_tells_one_desks_tickets_apart(tmp_path: Path) -> None:
    day, central, store, agent, arrival = run_day(tmp_path, seed=20261123)
    try:
        bodies = [json.loads(b) for b in central.bodies()]
        received = sorted(
            {e["id"]: e for body in bodies for e in body["events"]}.values(),
            key=lambda e: e["seq"],
        )
        # The bar: every body passes the independent check, nothing was parked or lost.
        for body in bodies:
            assert set(body) == {"kiosk", "events"}
            for e in body["events"]:
                assert contract.violation(e) is None, e
        assert agent.outbox.summary()[:2] == (0, 0)
        issued = [e["ticket"] for e in received if e["type"] == "ticket.issued"]
        assert sorted(issued) == sorted(day.issued) and len(issued) == TICKETS + 1
        boxes = [e for e in received if e["type"] == "service.sealed"]
        hours = [e for e in received if e["type"] == "service.hour"]
        assert hours
        for h in hours:
            assert (h["wait_p50"] is None) == (h["served"] < contract_v3.MIN_SERVED)
        for service in ("A", "B"):
            spans = [h for h in hours if h["service"] == service]
            assert sum(h["issued"] for h in spans) == sum(c.startswith(service) for c in day.issued)
        assert {e["type"] for e in received} <= set(contract_v3.KEYS)
        assert not any("desk" in e for e in received)

        def service_of(ticket: str) -> str:
            return ticket.rstrip("0123456789")

        # Every service sealed at every minute of the day, whatever the desks did: the same
        # events at the same moments whether the queue moved or not; only the count's bucket
        # varies, and it is the bucket of the queue (waiting and at a desk), no finer.
        ticks = {(e["service"], e["tick"]) for e in boxes}
        minutes = int((rome(2026, 11, 23, 17, 30) - rome(2026, 11, 23, 8, 0)).total_seconds() // 60)
        for service in ("A", "B"):
            for m in range(minutes):
                tick = (rome(2026, 11, 23, 8, 0) + timedelta(minutes=m)).isoformat()
                assert (service, tick) in ticks, (service, tick)
        assert {arrival[e["id"]].second for e in boxes} == {0}  # on the wall-clock tick
        health = [e for e in received if e["type"] == "kiosk.health"]
        assert health and {arrival[e["id"]].second for e in health} == {0}
        queue = {(t, s): n for t, s, n in day.queues}
        for e in boxes:
            if (e["tick"], e["service"]) in queue:
                assert len(e["boxes"]) == sealed.bucket(queue[(e["tick"], e["service"])])
        # No ticket number in anything but its issue: a transfer or a call shows nowhere.
        issued_codes = set(day.issued)
        for e in received:
            if e["type"] not in ("ticket.issued", "appointment.checked_in"):
                text = json.dumps(e)
                assert not [c for c in issued_codes if f'"{c}"' in text], e["type"]
        # Hourly figures leave on whole hours only (the day's last on the first whole hour
        # 30 min after closing), never at the first tick after the last citizen left.
        assert {(arrival[h["id"]].minute, arrival[h["id"]].second) for h in hours} == {(0, 0)}
        order = {e["ticket"]: e["seq"] for e in received if "ticket" in e}
        # The version-2 attacker, on the day as version 2 sent it (the screens' waiting lists):
        # right far more often than chance...
        rate, chance, n = judge_attributions(attributions(day.screens, order), day)
        assert n >= 5 and rate >= 0.8 and rate > chance + 0.2, (rate, chance, n)
        # ...and on the lists it can rebuild from version 3, no better than chance.
        rebuilt = rebuilt_lists(received)
        rate, chance, n = judge_attributions(attributions(rebuilt, order), day)
        if n:
            margin = 3 * math.sqrt(chance * (1 - chance) / n) + 0.03
            assert rate <= chance + margin, ("attribution", rate, chance, n)
        # Version 1's link finds each desk's next ticket every time: the attack works...
        rate, chance, n = judge(version_1_transaction_link(day), day, service_of)
        assert n > 100 and rate == 1.0 and chance < 0.7
        # ...and on what version 3 sends, no link does better than chance.
        seen = observations(rebuilt, arrival)
        for method in (adjacency, same_minute, call_order, typical_service_time):
            rate, chance, n = judge(method(seen, received), day, service_of)
            margin = 3 * math.sqrt(chance * (1 - chance) / max(n, 1)) + 0.03
            assert rate <= chance + margin, (method.__name__, rate, chance, n)
    finally:
        store.close()
        central.stop()


def test_the_lan_shows_at_most_six_calls_of_the_last_half_hour(tmp_path: Path) -> None:
    """After nine calls, the calls API and the stream's replay give at most six, whatever is
    asked; calls older than 30 minutes are not shown at all."""
    (tmp_path / "kiosk.toml").write_text(CONFIG.format(url="http://127.0.0.1:9"))
    config = load(tmp_path / "kiosk.toml")
    clock = Clock(rome(2026, 11, 23, 9, 0))
    with Store(config.database) as store:
        totem = Totem(config, store, b"k" * 32, clock=clock)
        for _ in range(9):
            totem.issue_walkin("A")
        branch = Branch(config, clock)
        try:
            for _ in range(9):
                clock.now += timedelta(minutes=1)
                assert branch.post("1", "next", {"services": ["A"]})
            base = branch.server.url
            for query in ("", "?limit=100", "?limit=9", "?limit=1000000"):
                calls = branch.http.get(f"{base}/api/v1/calls{query}", timeout=5).json()["calls"]
                assert [c["ticket"] for c in calls] == [f"A{n:03d}" for n in range(9, 3, -1)]
            assert (
                len(branch.http.get(f"{base}/api/v1/calls?limit=2", timeout=5).json()["calls"]) == 2
            )
            # A display that reconnects claiming it saw only the first call gets six back.
            with branch.http.get(
                f"{base}/api/v1/calls/stream",
                headers={"Last-Event-ID": "1"},
                stream=True,
                timeout=5,
            ) as r:
                lines = []
                for line in r.iter_lines(decode_unicode=True):
                    lines.append(line)
                    if sum(x.startswith("data:") for x in lines) == 6:
                        break
            replayed = [json.loads(x[5:])["ticket"] for x in lines if x.startswith("data:")]
            assert replayed == [f"A{n:03d}" for n in range(4, 10)]
            # No call is kept on disk at all: the log is the branch server's memory.
            assert store.scalar("SELECT COUNT(*) FROM calls") == 0
            clock.now += timedelta(minutes=31)
            assert branch.http.get(f"{base}/api/v1/calls", timeout=5).json() == {"calls": []}
        finally:
            branch.server.stop()
