"""The central service against real PostgreSQL and real SQLite (each test runs on both): tokens
and branches, idempotent ingest, contract version 2 only, appointments with no raw code kept,
retention, statistics equal to a direct computation, the public phone page."""

from __future__ import annotations

import json
import logging
import random
import socket
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
import requests

from central import stats, store
from central.server import CentralServer
from kiosk.core.bookings import CodeHash, sha256_hex

pytestmark = pytest.mark.integration


def event(kind: str, seq: int, day: str = "2026-11-23", hm: str = "10:00", branch: str = "b1",
          **keys: Any) -> dict[str, Any]:  # fmt: skip
    return {"id": str(uuid4()), "seq": seq, "type": kind, "branch": branch, "day": day,
            "at": f"{day}T{hm}:00+01:00", **keys}  # fmt: skip


def post(
    server: CentralServer, token: str, kiosk: str, events: list[dict[str, Any]]
) -> requests.Response:
    return requests.post(
        f"{server.url}/v1/events",
        json={"kiosk": kiosk, "events": events},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid4())},
        timeout=10,
    )


MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # the central's day in these tests


@pytest.fixture
def central(central_url: str):
    server = CentralServer(central_url, now=lambda: MONDAY_NOON).start()
    yield server
    server.stop()


def test_tokens_and_branches(central: CentralServer) -> None:
    mine = central.enrol("k1", "b1")
    other = central.enrol("k2", "b2")
    issued = [event("ticket.issued", 1, ticket="A001", service="A")]
    assert post(central, "wrong-token", "k1", issued).status_code == 401
    assert post(central, mine, "k2", issued).status_code == 403  # posing as another kiosk
    assert post(central, other, "k2", issued).status_code == 403  # b1's events from b2's kiosk
    answer = post(central, mine, "k1", issued)
    assert answer.status_code == 200 and answer.json() == {"acked": [issued[0]["id"]]}
    url = f"{central.url}/v1/branches/b1/appointments?day=2026-11-23"
    assert (
        requests.get(url, headers={"Authorization": f"Bearer {other}"}, timeout=5).status_code
        == 403
    )
    assert requests.get(url, timeout=5).status_code == 401
    store.remove_kiosk(central.db, "k1")  # revoked: its next request is refused
    assert post(central, mine, "k1", issued).status_code == 401
    assert store.counts(central.db)["events"] == 1


def test_version_1_events_and_stray_keys_are_refused(central: CentralServer) -> None:
    token = central.enrol("k1", "b1")
    called = event("ticket.called", 1, ticket="A001", service="A")
    called["desk"] = "3"
    good = event("ticket.issued", 2, ticket="A002", service="A")
    answer = post(central, token, "k1", [good, called])
    assert answer.status_code == 422
    assert answer.json()["rejected"] == [called["id"]]
    assert "contract version 3" in answer.json()["error"]
    leaky = event("ticket.issued", 3, ticket="A003", service="A", desk="2")
    leaky["booking 483920"] = 1  # a key that carries data is refused, and not repeated
    answer = post(central, token, "k1", [leaky])
    assert answer.status_code == 422 and "483920" not in answer.text
    hour = event("service.hour", 4, service="A", span="10:00-11:00", issued=4, served=3,
                 no_show=0, wait_p50=5, wait_p90=9, service_p50=4)  # fmt: skip
    assert post(central, token, "k1", [hour]).status_code == 422  # times over fewer than 5
    assert store.counts(central.db)["events"] == 0  # nothing of a refused batch is kept


def test_a_retried_batch_is_held_once(central: CentralServer) -> None:
    token = central.enrol("k1", "b1")
    batch = [event("ticket.issued", i, ticket=f"A{i:03d}", service="A") for i in range(1, 41)]
    batch.append(event("service.hour", 41, service="A", span="10:00-11:00", issued=40,
                       served=6, no_show=1, wait_p50=5, wait_p90=9, service_p50=4))  # fmt: skip
    for _ in range(3):
        answer = post(central, token, "k1", batch)
        assert answer.status_code == 200
        assert sorted(answer.json()["acked"]) == sorted(e["id"] for e in batch)
    counts = store.counts(central.db)
    assert (counts["events"], counts["hours"]) == (40, 1)
    doc = store.figures(central.db, "b1", "2026-11-23", "2026-11-23")
    assert sum(row[3] for row in doc.issued) == 40


def boxes(n: int, fill: str = "0") -> list[dict[str, str]]:
    return [{"h": f"{i:0>22}", "box": fill * 208} for i in range(n)]


def test_only_the_latest_sealed_is_kept_and_a_version_2_status_is_dropped(
    central: CentralServer,
) -> None:
    token = central.enrol("k1", "b1")
    newer = event("service.sealed", 5, hm="10:05", service="A", tick="2026-11-23T10:05:00+01:00",
                  boxes=boxes(8, "n"))  # fmt: skip
    older = event("service.sealed", 4, hm="10:04", service="A", tick="2026-11-23T10:04:00+01:00",
                  boxes=boxes(16, "o"))  # fmt: skip
    assert post(central, token, "k1", [newer]).status_code == 200
    assert post(central, token, "k1", [older]).status_code == 200  # late, and acked
    [kept] = store.sealed(central.db, "b1")
    assert (kept["tick"], kept["boxes"]) == (newer["tick"], newer["boxes"])
    # A totem not yet upgraded sends version 2's waiting list: acknowledged, never kept.
    status = event("service.status", 6, service="A", now="A002", waiting=["A003"], wait=[2, 6])
    answer = post(central, token, "k1", [status])
    assert answer.status_code == 200 and answer.json() == {"acked": [status["id"]]}
    assert "A003" not in json.dumps(_every_row(central))
    assert store.counts(central.db)["sealed"] == 1


BOOKINGS_CSV = "ref,code,service,slot\nr-1,SECRET-CODE-1111,A,10:30\n,SECRET-CODE-2222,B,11:00\n"


def test_appointments_round_trip_with_no_raw_code_anywhere(
    central: CentralServer, central_url: str, tmp_path, capsys, caplog
) -> None:
    from tests.helpers import run_kiosk

    caplog.set_level(logging.DEBUG)
    token = central.enrol("k1", "b1")
    booking = store.add_staff(central.db, "cup", "booking", "b1")
    file = tmp_path / "bookings.csv"
    file.write_text(BOOKINGS_CSV)
    code, out, err = run_kiosk(capsys, "--config", str(tmp_path / "none.toml"), "central",
                               "appointments", "import", str(file), "--branch", "b1",
                               "--day", "2026-11-23", "--database", central_url)  # fmt: skip
    assert code == 0, err
    assert out.strip() == "2 appointment(s) for b1 on 2026-11-23"
    put = requests.put(
        f"{central.url}/v1/branches/b1/appointments?day=2026-11-24",
        data=json.dumps(
            {"appointments": [{"code": "SECRET-CODE-3333", "service": "A", "slot": "09:00"}]}
        ),
        headers={"Authorization": f"Bearer {booking}", "Content-Type": "application/json"},
        timeout=5,
    )
    assert put.status_code == 200 and put.json()["appointments"] == 1
    wrong_branch = requests.put(f"{central.url}/v1/branches/b2/appointments?day=2026-11-24",
                                data=b"[]", headers={"Authorization": f"Bearer {booking}"},
                                timeout=5)  # fmt: skip
    assert wrong_branch.status_code == 403
    auth = {"Authorization": f"Bearer {token}"}
    url = f"{central.url}/v1/branches/b1/appointments?day=2026-11-23"
    first = requests.get(url, headers=auth, timeout=5)
    items = first.json()["appointments"]
    assert (items[0]["ref"], items[0]["service"], items[0]["slot"]) == ("r-1", "A", "10:30")
    # The code only as the day's salted slow hash: the plain SHA-256 is nowhere.
    day_hash = CodeHash.parse(first.json()["hash"])
    assert (day_hash.n, day_hash.r, day_hash.p) == (CodeHash(b"").n, 8, 1)
    assert items[0]["code_hash"] == day_hash.of("SECRET-CODE-1111")
    assert "code_sha256" not in items[0]
    assert items[1]["ref"].startswith("apt-") and items[1]["ref"] != "apt-"
    other_day = requests.get(url.replace("2026-11-23", "2026-11-24"), headers=auth, timeout=5)
    assert other_day.json()["hash"]["salt"] != day_hash.salt.hex()  # a salt per day
    again = requests.get(url, headers={**auth, "If-None-Match": first.headers["ETag"]}, timeout=5)
    assert again.status_code == 304
    # A bad row names the row and the key, never the code.
    file.write_text("code,service,slot\nSECRET-CODE-4444,A,25:00\n")
    code, out, err = run_kiosk(capsys, "--config", str(tmp_path / "none.toml"), "central",
                               "appointments", "import", str(file), "--branch", "b1",
                               "--day", "2026-11-23", "--database", central_url)  # fmt: skip
    assert code == 2 and "appointment 1: slot: not a time HH:MM" in err
    assert "SECRET" not in out + err
    dump = json.dumps(_every_row(central))
    assert "SECRET" not in dump and "SECRET" not in caplog.text
    assert sha256_hex("SECRET-CODE-1111") not in dump
    if central_url.startswith("sqlite"):
        raw = (tmp_path / "central.sqlite3").read_bytes()
        wal = tmp_path / "central.sqlite3-wal"
        assert b"SECRET" not in raw + (wal.read_bytes() if wal.exists() else b"")


def _every_row(server: CentralServer) -> list[Any]:
    names = ("kiosks", "staff", "branches", "events", "issued", "hours", "statuses", "sealed",
             "appointments", "bookings", "salts")  # fmt: skip
    return server.db.run(lambda tx: [tx.execute(f"SELECT * FROM {n}") for n in names])


def test_retention_deletes_tickets_and_keeps_their_counts(
    central: CentralServer, central_url: str, tmp_path
) -> None:
    token = central.enrol("k1", "b1")
    now = datetime.now(UTC)
    old = (now - timedelta(days=12)).date().isoformat()  # a totem offline for twelve days
    recent = (now - timedelta(days=1)).date().isoformat()
    batch = [event("ticket.issued", i, day=old, hm="09:15", ticket=f"A{i:03d}", service="A")
             for i in range(1, 8)]  # fmt: skip
    batch += [event("ticket.issued", 8, day=old, hm="10:05", ticket="A008", service="A",
                    ref="A002"),
              event("appointment.checked_in", 9, day=old, hm="10:10", ticket="A009",
                    service="A", ref="r-1"),
              event("ticket.issued", 10, day=recent, ticket="A001", service="A"),
              event("kiosk.health", 11, day=old, printer="ok", backlog=0)]  # fmt: skip
    assert post(central, token, "k1", batch).status_code == 200
    yesterday, soon = (now.date() + timedelta(days=d) for d in (-1, 30))
    central.book("b1", yesterday.isoformat(), [{"code": "X-1", "service": "A", "slot": "10:00"}])
    central.book("b1", soon.isoformat(), [{"code": "X-2", "service": "A", "slot": "10:00"}])
    gone_hash = store.appointments(central.db, "b1", yesterday.isoformat())[1][0]["code_hash"]
    before = store.figures(central.db, "b1", old, recent)
    # Six days after they arrived, the twelve-day-old rows are still here: sent again (their
    # acknowledgement lost), they are recognised and not counted twice.
    done = store.retain(central.db, now + timedelta(days=6), 7)
    assert (done.rows, done.appointments) == (0, 1)  # yesterday's appointments went
    assert post(central, token, "k1", batch).json()["acked"] == [e["id"] for e in batch]
    assert store.figures(central.db, "b1", old, recent).issued == before.issued
    # Eight days after: every per-ticket row is gone, its count kept.
    done = store.retain(central.db, now + timedelta(days=8), 7)
    assert (done.rows, done.appointments) == (11, 0)
    assert store.counts(central.db)["events"] == 0
    after = store.figures(central.db, "b1", old, recent)
    assert sorted(after.issued) == sorted(before.issued)  # the same figures, from the counts
    assert store.retain(central.db, now + timedelta(days=8), 7).rows == 0  # nothing twice
    assert sorted(store.figures(central.db, "b1", old, recent).issued) == sorted(before.issued)
    kept = store.appointments(central.db, "b1", soon.isoformat())[1]
    assert [a["slot"] for a in kept] == ["10:00"]
    if central_url.startswith("sqlite"):  # gone from the file and its WAL, nothing asked
        for name in ("central.sqlite3", "central.sqlite3-wal"):
            if (tmp_path / name).exists():
                assert b"A009" not in (tmp_path / name).read_bytes(), name
    else:  # no dead tuple left in the tables' files (the attacker read them before a vacuum)
        for table, gone in (("events", b"A009"), ("bookings", gone_hash.encode())):
            assert gone not in relation_bytes(central_url, table), table


def relation_bytes(url: str, table: str) -> bytes:
    """A PostgreSQL table's file as it is on disk (after a checkpoint), read as root can."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        (folder,) = conn.execute("SHOW data_directory").fetchone()  # type: ignore[misc]
        (path,) = conn.execute("SELECT pg_relation_filepath(%s)", (table,)).fetchone()  # type: ignore[misc]
    return b"".join(p.read_bytes() for p in sorted(Path(folder).glob(f"{path}*")))


# --- the statistics of a simulated week, against a direct computation from the events ---


def simulated_week(rng: random.Random) -> list[dict[str, Any]]:
    events, seq = [], 0
    for d in range(7):
        day = (date(2026, 11, 16) + timedelta(days=d)).isoformat()
        for service in ("A", "B"):
            count = rng.choice([0, 3, 12, 40, 55, 75, 90])
            for n in range(1, count + 1):
                seq += 1
                hour = rng.choice([8, 9, 9, 10, 10, 10, 11, 14, 15])
                kind = "appointment.checked_in" if rng.random() < 0.15 else "ticket.issued"
                keys: dict[str, Any] = {"ticket": f"{service}{n:03d}", "service": service}
                if kind == "appointment.checked_in":
                    keys["ref"] = f"r-{seq}"
                elif rng.random() < 0.1:
                    keys["ref"] = f"{service}{max(1, n - 1):03d}"
                events.append(event(kind, seq, day=day, hm=f"{hour:02d}:{rng.randrange(60):02d}",
                                    **keys))  # fmt: skip
            start, left = 8, count  # spans as the totem closes them: 5 served or more,
            while left and start < 16:  # but the day's last, sent at closing whatever it holds
                end = start + rng.choice([1, 1, 2])
                served = min(left, rng.choice([5, 6, 9, 14]))
                if end >= 16 or left - served < 5:
                    end, served = 16, left
                left -= served
                times = (
                    [*sorted([rng.randrange(1, 30), rng.randrange(1, 60)]), rng.randrange(2, 15)]
                    if served >= 5 else [None, None, None]
                )  # fmt: skip
                seq += 1
                events.append(event("service.hour", seq, day=day, hm=f"{min(end, 23):02d}:00",
                                    service=service, span=f"{start:02d}:00-{end:02d}:00",
                                    issued=rng.randrange(20), served=served,
                                    no_show=rng.choice([0, 0, 1, 2, 6]), wait_p50=times[0],
                                    wait_p90=times[1], service_p50=times[2]))  # fmt: skip
                start = end
    return events


def direct(events: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The figures, computed straight from the events, before any suppression."""
    out: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"issued": 0, "reentries": 0, "checked_in": 0, "served": 0, "no_show": 0,
                 "hours": defaultdict(lambda: [0, 0, 0]), "spans": []}
    )  # fmt: skip
    for e in events:
        cell = out[(e["day"], e["service"])]
        hour = int(e["at"][11:13])
        if e["type"] == "ticket.issued":
            cell["issued"] += 1
            cell["hours"][hour][0] += 1
            if "ref" in e:
                cell["reentries"] += 1
                cell["hours"][hour][1] += 1
        elif e["type"] == "appointment.checked_in":
            cell["checked_in"] += 1
            cell["hours"][hour][2] += 1
        elif e["type"] == "service.hour":
            cell["served"] += e["served"]
            cell["no_show"] += e["no_show"]
            cell["spans"].append(e)
    for cell in out.values():
        for key in ("wait_p50", "wait_p90", "service_p50"):
            values = sorted(
                v for s in cell["spans"] for v in [s[key]] * s["served"] if s[key] is not None
            )  # every served citizen carries their span's figure: the weighted median
            cell[key] = values[(len(values) - 1) // 2] if values else None
    return out


def expected_hidden(values: list[int], total_shown: bool) -> set[int]:
    """The rule itself is proved in tests/unit/test_central_units.py (no small count can be
    recovered); here, that the service applies it to every hour of the simulated week."""
    return stats.hidden(values, total_shown)


@pytest.mark.parametrize("seed", [1, 2])
def test_statistics_of_a_simulated_week_equal_a_direct_computation(
    central: CentralServer, seed: int
) -> None:
    token = central.enrol("k1", "b1")
    events = simulated_week(random.Random(seed))
    for i in range(0, len(events), 200):
        assert post(central, token, "k1", events[i : i + 200]).status_code == 200
    assert post(central, token, "k1", events[:300]).status_code == 200  # a retry: no change
    manager = store.add_staff(central.db, "boss", "manager", "b1")
    answer = requests.get(f"{central.url}/v1/branches/b1/stats?from=2026-11-16&to=2026-11-22",
                          headers={"Authorization": f"Bearer {manager}"}, timeout=10)  # fmt: skip
    assert answer.status_code == 200
    doc = answer.json()
    truth = direct(events)
    assert {(d["day"], d["service"]) for d in doc["days"]} == set(truth)
    checked = 0
    for d in doc["days"]:
        want = truth[(d["day"], d["service"])]
        order = sorted(want["hours"])
        parts = {key: [want["hours"][h][i] for h in order]
                 for i, key in enumerate(("issued", "reentries", "checked_in"))}  # fmt: skip
        parts |= {key: [sp[key] for sp in sorted(want["spans"], key=lambda sp: sp["span"])]
                  for key in ("served", "no_show")}  # fmt: skip
        gone = {}
        for key in ("issued", "reentries", "checked_in", "served", "no_show"):
            small = 1 <= want[key] <= 4
            # also hidden where hiding every part could not protect a small one (1 and 5)
            gone[key] = small or not stats.protected(parts[key], stats.hidden(parts[key]))
        linked = [k for k in ("issued", "served", "no_show") if gone[k]]
        if len(linked) == 1:  # issued - served = no-shows most days: its partner goes too
            gone[stats.PARTNER[linked[0]]] = True
        for key in ("issued", "reentries", "checked_in", "served", "no_show"):
            if gone[key]:
                assert d[key] is None and key in d["suppressed"]
            else:
                assert d[key] == want[key], (d["day"], d["service"], key)
                checked += 1
        for key in ("wait_p50", "wait_p90", "service_p50"):
            assert d[key] == want[key], (d["day"], d["service"], key)
        hours = {int(h["hour"][:2]): h for h in d["hours"]}
        assert set(hours) == set(want["hours"])
        for i, key in enumerate(("issued", "reentries", "checked_in")):
            order = sorted(want["hours"])
            values = [want["hours"][h][i] for h in order]
            hide = expected_hidden(values, not 1 <= want[key] <= 4)
            for j, h in enumerate(order):
                shown = hours[h][key]
                assert (shown is None) == (j in hide), (d["day"], d["service"], h, key)
                if shown is not None:
                    assert shown == values[j]
    assert checked > 30  # most figures are shown, not hidden
    csv = requests.get(f"{central.url}/v1/branches/b1/stats.csv?from=2026-11-16&to=2026-11-22",
                       headers={"Authorization": f"Bearer {manager}"}, timeout=10).text  # fmt: skip
    assert csv.splitlines()[0].startswith("day,service,period,issued")
    assert ",hidden," in csv and "<5" not in csv and "desk" not in csv.lower()


def test_managers_see_only_their_branch(central: CentralServer) -> None:
    branch = store.add_staff(central.db, "rossi", "manager", "b1")
    town = store.add_staff(central.db, "sindaco", "manager", None)
    booking = store.add_staff(central.db, "cup", "booking", None)

    def stats(branch_id: str, token: str) -> int:
        return requests.get(f"{central.url}/v1/branches/{branch_id}/stats",
                            headers={"Authorization": f"Bearer {token}"}, timeout=5).status_code  # fmt: skip

    assert (stats("b1", branch), stats("b2", branch)) == (200, 403)
    assert (stats("b1", town), stats("b2", town)) == (200, 200)
    assert stats("b1", booking) == 401  # the booking system reads no statistics
    assert stats("b1", "nobody") == 401
    bad = requests.get(f"{central.url}/v1/branches/b1/stats?from=2026-13-01",
                       headers={"Authorization": f"Bearer {branch}"}, timeout=5)  # fmt: skip
    assert bad.status_code == 400 and "from: '2026-13-01' is not a day" in bad.json()["error"]
    # Signing in: from this page, yes; a form posted by another site, no.
    mine = urlsplit(central.url).netloc
    for origin, site, status in ((f"http://{mine}", "same-origin", 303),
                                 ("null", "same-origin", 303),  # a no-referrer page's own form
                                 ("https://evil.example", "cross-site", 403),
                                 ("https://evil.example", "", 403), ("null", "", 403),
                                 ("null", "cross-site", 403)):  # fmt: skip
        headers = {"Origin": origin, **({"Sec-Fetch-Site": site} if site else {})}
        answer = requests.post(f"{central.url}/signin", data={"token": branch},
                               headers=headers, allow_redirects=False, timeout=5)  # fmt: skip
        assert answer.status_code == status, origin
        assert ("set-cookie" in answer.headers) == (status == 303)


def test_hostile_requests_are_refused_before_they_cost_anything(central_url: str) -> None:
    """As `kiosk central serve` runs it: no body kept in memory; a body past the limit refused
    before it is read (a declared length, or one sent in chunks with none); nonsense days a
    400, not a crash."""
    server = CentralServer(central_url, record=False).start()
    try:
        token = server.enrol("k1", "b1")
        auth = {"Authorization": f"Bearer {token}"}
        assert post(server, token, "k1", [event("ticket.issued", 1, ticket="A001",
                                                service="A")]).status_code == 200  # fmt: skip
        assert server.faults.bodies == []  # a production server keeps no copy of what it stored
        address = urlsplit(server.url)
        with socket.create_connection((address.hostname, address.port), timeout=5) as sock:
            sock.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 300000000\r\n"
                         b"Authorization: Bearer " + token.encode() + b"\r\n\r\n{")  # fmt: skip
            assert b" 413 " in sock.recv(200).split(b"\r\n")[0]  # without the 300 MB

        def chunks():
            for _ in range(400):
                yield b"x" * 1024

        answer = requests.post(f"{server.url}/v1/events", data=chunks(), headers=auth, timeout=10)
        assert answer.status_code == 413
        answer = requests.post(f"{server.url}/signin", data=chunks(), timeout=10)
        assert answer.status_code == 413
        manager = store.add_staff(server.db, "m", "manager", "b1")
        for day in ("0001-01-03", "9999-12-31", "2026-02-30"):
            answer = requests.get(f"{server.url}/v1/branches/b1/stats?to={day}", timeout=10,
                                  headers={"Authorization": f"Bearer {manager}"})  # fmt: skip
            assert answer.status_code == 400 and "to:" in answer.json()["error"], day
    finally:
        server.stop()


def test_a_kiosk_fetches_only_todays_codes_and_short_codes_are_warned(
    central: CentralServer,
) -> None:
    """A stolen kiosk token fetched any day's code hashes, next month's too: now only a day
    that is today somewhere (at the central's Monday noon UTC: Monday, and Tuesday east of +12). A booking
    system sending 8-digit codes is told they are too short, without a code repeated."""
    token = central.enrol("k1", "b1")
    booking = store.add_staff(central.db, "cup", "booking", "b1")
    auth = {"Authorization": f"Bearer {token}"}
    for day, status in (("2026-11-23", 200), ("2026-11-24", 200), ("2026-11-22", 403),
                        ("2026-11-25", 403), ("2026-12-23", 403), ("2026-11-20", 403)):  # fmt: skip
        answer = requests.get(f"{central.url}/v1/branches/b1/appointments?day={day}",
                              headers=auth, timeout=5)  # fmt: skip
        assert answer.status_code == status, day
    items = [{"code": f"{n:08d}", "service": "A", "slot": "09:00"} for n in (12345678, 87654321)]
    items.append({"code": "K7QX-93MD-PLW2", "service": "A", "slot": "09:10"})
    put = requests.put(f"{central.url}/v1/branches/b1/appointments?day=2026-11-24",
                       json={"appointments": items}, timeout=5,
                       headers={"Authorization": f"Bearer {booking}"})  # fmt: skip
    assert put.status_code == 200 and put.json()["appointments"] == 3
    warning = put.json()["warning"]
    assert warning.startswith("2 booking code(s) shorter than 10 characters")
    assert "12345678" not in warning and "87654321" not in warning
    fine = requests.put(f"{central.url}/v1/branches/b1/appointments?day=2026-11-24",
                        json={"appointments": items[2:]}, timeout=5,
                        headers={"Authorization": f"Bearer {booking}"})  # fmt: skip
    assert "warning" not in fine.json()


def test_the_import_warns_of_short_codes_on_stderr(central_url: str, tmp_path, capsys) -> None:
    from tests.helpers import run_kiosk

    file = tmp_path / "bookings.csv"
    file.write_text("code,service,slot\n483920,A,09:00\nK7QX-93MD-PLW2,A,09:10\n")
    code, out, err = run_kiosk(capsys, "--config", str(tmp_path / "none.toml"), "central",
                               "appointments", "import", str(file), "--branch", "b1",
                               "--day", "2026-11-23", "--database", central_url)  # fmt: skip
    assert code == 0 and out.strip() == "2 appointment(s) for b1 on 2026-11-23"
    assert err.startswith("warning: 1 booking code(s) shorter than 10 characters")
    assert "483920" not in err
