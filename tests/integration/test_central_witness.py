"""The central service as the third witness of a kiosk's day (contract section 5, DESIGN 10),
on real SQLite and real PostgreSQL: a seq that goes back is refused with 409 and the highest
seq held, nothing of that batch is stored, a batch sent again is still acknowledged, and a
kiosk may read its own high-water marks (never another's)."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from central import store
from central.server import CentralServer
from tests.integration.test_central import central, event, post  # noqa: F401 (the fixture)


def issued(seq: int, number: int, service: str = "A") -> dict:
    return event("ticket.issued", seq, ticket=f"{service}{number:03d}", service=service)


def test_a_seq_that_goes_back_is_refused_and_nothing_of_the_batch_is_kept(
    central: CentralServer,  # noqa: F811
) -> None:
    token = central.enrol("k1", "b1")
    first = [issued(s, s) for s in (1, 2, 3)]
    assert post(central, token, "k1", first).status_code == 200
    assert post(central, token, "k1", first).status_code == 200  # sent again: acked again
    # The kiosk lost its database and started over: A001 again, seq 1 again.
    again = [issued(1, 1), issued(4, 2)]
    answer = post(central, token, "k1", again)
    assert answer.status_code == 409
    assert answer.json() == {"error": "seq_went_back", "last_seq": 3}
    assert store.counts(central.db)["events"] == 3  # not even the event whose seq was fine
    later = [issued(4, 4)]
    assert post(central, token, "k1", later).status_code == 200  # above 3: goes on
    answer = post(central, token, "k1", [issued(4, 5)])  # a new id with a seq already used
    assert (answer.status_code, answer.json()["last_seq"]) == (409, 4)


def test_the_highest_seq_outlives_the_retention(central: CentralServer) -> None:  # noqa: F811
    token = central.enrol("k1", "b1")
    assert post(central, token, "k1", [issued(s, s) for s in range(1, 11)]).status_code == 200
    store.retain(central.db, datetime(2027, 1, 1, tzinfo=UTC), 1)  # every event gone with it
    assert store.counts(central.db)["events"] == 0
    answer = post(central, token, "k1", [issued(5, 1)])
    assert (answer.status_code, answer.json()["last_seq"]) == (409, 10)


def test_a_kiosk_reads_its_own_marks_and_no_others(central: CentralServer) -> None:  # noqa: F811
    mine, other = central.enrol("k1", "b1"), central.enrol("k2", "b1")
    batch = [issued(1, 1), issued(2, 2), issued(3, 1, "B"), issued(7, 3)]
    batch.append(event("ticket.issued", 8, day="2026-11-22", ticket="A090", service="A"))
    assert post(central, mine, "k1", batch).status_code == 200
    url = f"{central.url}/v1/kiosks/k1/marks?day=2026-11-23"
    answer = requests.get(url, headers={"Authorization": f"Bearer {mine}"}, timeout=5)
    assert answer.status_code == 200
    assert answer.json() == {
        "kiosk": "k1", "day": "2026-11-23", "seq": 8, "numbers": {"A": 3, "B": 1},
    }  # fmt: skip
    assert (
        requests.get(url, headers={"Authorization": f"Bearer {other}"}, timeout=5).status_code
        == 403
    )
    assert requests.get(url, timeout=5).status_code == 401
    bad = requests.get(url[:-10] + "11-23", headers={"Authorization": f"Bearer {mine}"}, timeout=5)
    assert bad.status_code == 400
