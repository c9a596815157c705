"""The phone page's wait range against the real waits of simulated days (tests/simday.py):
how often the real wait falls inside, and how far it is from the range's middle."""

from __future__ import annotations

import statistics

from kiosk.core.figures import wait_range
from kiosk.core.queue import pace, predicted_wait
from tests.bench.report import machine, write_section
from tests.simday import Day, score, simulate

SEEDS = range(1, 21)
DAYS = {
    "3 desks, 8 min, busy morning": Day(),
    "3 desks, overloaded (110%)": Day(load=1.1),
    "1 desk, 12 min": Day(desks=1, mean=12),
    "6 desks, 15 min, very variable": Day(desks=6, mean=15, cv=0.8),
    "2 desks, 5 min, steady": Day(desks=2, mean=5, cv=0.4, load=0.8),
}


def predictor(configured: float, floor: int = 3):
    def predict(ahead: int, served: list[float], desks: int) -> list[int]:
        return predicted_wait(ahead, desks, pace(configured, served), floor)

    return predict


def published(configured: float):
    """What the totem printed before: people ahead x the configured time, +-30%."""

    def predict(ahead: int, served: list[float], desks: int) -> list[int]:
        return wait_range(ahead, configured, desks)

    return predict


def _row(name: str, day: Day) -> str:
    ours = [score(simulate(predictor(day.mean), seed, day)) for seed in SEEDS]
    before = [score(simulate(published(day.mean), seed, day)) for seed in SEEDS]

    def mean(scores, attr: str) -> float:
        return statistics.mean(getattr(s, attr) for s in scores)

    return (
        f"| {name} | {sum(s.tickets for s in ours)} | {mean(ours, 'inside'):.0%} |"
        f" {mean(ours, 'median_error'):.1f} | {mean(ours, 'median_width'):.1f} |"
        f" {mean(before, 'inside'):.0%} | {mean(before, 'median_error'):.1f} |"
    )


def run() -> None:
    rows = "\n".join(_row(name, day) for name, day in DAYS.items())
    body = f"""## Wait range on the phone page

Machine: {machine()} (the figures do not depend on it). Simulated days
(tests/simday.py), {len(SEEDS)} seeds each: citizens arrive for four hours at a rate that
swells and ebbs, service times are log-normal, 5% do not come when called, and every desk
takes a 15-minute break the predictor does not know of. At each ticket the range is predicted
as the page does (people ahead, the citizens served before the last quarter hour, configured
desks, floor 3 min) and compared with the wait the citizen then had.

| day | tickets | real wait inside the range | median error (min, from the middle) | median width (min) | inside, configured time +-30% | its median error |
|---|---|---|---|---|---|---|
{rows}

The aim is 80% inside: reached or nearly (77-89%) on every day shape; the old range (the
configured time +-30%) held the real wait 56-67% of the time. The range is the learned service
time's sum over the people ahead, 1.6 spreads either side (the spread of the last 30 served),
never narrower than the floor. It is wider, and its middle further from the real wait, than it
could be: it takes in only the citizens served before the last quarter hour and does not count
busy desks, so that it never moves when a desk finishes with someone (which would let a phone
time each desk's work). The range, not its middle, is what the page shows.
"""
    write_section("predictor", body)
    print(body)


if __name__ == "__main__":
    run()
