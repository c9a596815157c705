"""The statistics' suppression rules on figures an attacker chose (central/stats.py)."""

from __future__ import annotations

from central import stats
from central.store import Figures


def day_of(issued: int, served: int, no_show: int) -> dict:
    """One service's day: issued over three hours, served and no-shows in one closed span."""
    thirds = [issued // 3, issued // 3, issued - 2 * (issued // 3)]
    figures = Figures(
        issued=[("2026-11-23", "A", 9 + i, n, 0, 0) for i, n in enumerate(thirds)],
        hours=[("2026-11-23", "A", "09:00-12:00", issued, served, no_show, 10, 20, 8)],
    )
    (day,) = stats.compute("b1", "2026-11-23", "2026-11-23", figures)["days"]
    return day


def test_no_shows_are_not_issued_minus_served() -> None:
    """The attacker's subtraction: 40 issued, 37 served, no-shows hidden as 3: 40 - 37 = 3.
    With the no-shows hidden, the served go too."""
    day = day_of(40, 37, 3)
    assert day["issued"] == 40
    assert day["no_show"] is None and day["served"] is None
    assert {"no_show", "served"} <= set(day["suppressed"])


def test_served_hidden_takes_the_no_shows_with_it() -> None:
    day = day_of(40, 4, 36)
    assert day["served"] is None and day["no_show"] is None


def test_nothing_small_hides_nothing() -> None:
    day = day_of(40, 30, 10)
    assert (day["issued"], day["served"], day["no_show"]) == (40, 30, 10)
    assert day["suppressed"] == []


def test_every_hidden_cell_reads_hidden_never_less_than_five() -> None:
    """A cell hidden to protect a small one is 5 or more: labelled "<5" it would lie."""
    doc = stats.compute("b1", "2026-11-23", "2026-11-23", Figures(
        issued=[("2026-11-23", "A", 9, 1, 0, 0), ("2026-11-23", "A", 10, 6, 0, 0),
                ("2026-11-23", "A", 11, 30, 0, 0)],
        hours=[],
    ))  # fmt: skip
    (day,) = doc["days"]
    hidden = [h for h in day["hours"] if h["issued"] is None]
    assert len(hidden) == 2  # the 1, and the 6 that would give it away (37 - 30)
    csv = stats.to_csv(doc)
    assert csv.count(",hidden,") >= 2 and "<5" not in csv
    assert "<5" not in stats.describe(doc)
