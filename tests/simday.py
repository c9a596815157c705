"""A simulated morning at one service, to measure the wait predictor against real waits.

Citizens arrive at a rate that swells and ebbs; desks serve in arrival order with service
times drawn from a log-normal distribution; some citizens do not answer the call, and each
desk takes a break at some point, so fewer desks are open than the configuration says. At
every ticket the predictor is asked for a range, exactly as the phone page asks it: from the
people ahead, the service times of citizens served so far and the configured desks.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.core.queue import PACE_EVERY_MIN

Predictor = Callable[[int, list[float], int], list[int]]


@dataclass(frozen=True)
class Day:
    """The shape of the simulated day (minutes)."""

    desks: int = 3
    mean: float = 8.0  # service time
    cv: float = 0.6  # its coefficient of variation
    minutes: int = 240  # citizens arrive for this long
    load: float = 0.95  # arrivals at the peak, as a share of what the desks can serve
    no_show: float = 0.05
    no_show_wait: float = 1.0  # how long a desk waits for someone who does not come
    break_minutes: float = 15.0


@dataclass(frozen=True)
class Outcome:
    predicted: list[int]
    real: float


def _rate(day: Day, t: float) -> float:
    """Arrivals per minute at ``t``: a morning swell peaking mid-day, never below a third."""
    capacity = day.desks / day.mean
    swell = 0.35 + 0.65 * math.sin(math.pi * t / day.minutes) ** 2
    return capacity * day.load * swell


def _arrivals(day: Day, rng: random.Random) -> list[float]:
    peak = day.desks / day.mean * day.load
    out, t = [], 0.0
    while True:
        t += rng.expovariate(peak)
        if t >= day.minutes:
            return out
        if rng.random() < _rate(day, t) / peak:
            out.append(t)


def _service_time(day: Day, rng: random.Random) -> float:
    sigma = math.sqrt(math.log(1 + day.cv**2))
    return rng.lognormvariate(math.log(day.mean) - sigma**2 / 2, sigma)


def simulate(predict: Predictor, seed: int, day: Day | None = None) -> list[Outcome]:
    """Run one day; for every ticket, the range predicted at issue and the wait it had."""
    day = day or Day()
    rng = random.Random(seed)
    arrivals = _arrivals(day, rng)
    breaks = [rng.uniform(30, day.minutes - 30) for _ in range(day.desks)]
    # (time, order, kind, who): kind 0 a desk frees (who: desk), 1 a citizen arrives
    heap: list[tuple[float, int, int, int]] = [(t, i, 1, i) for i, t in enumerate(arrivals)]
    heap += [(0.0, -1 - d, 0, d) for d in range(day.desks)]
    heapq.heapify(heap)
    order = len(arrivals)
    waiting: deque[int] = deque()
    idle: set[int] = set()
    served: list[tuple[float, float]] = []  # (done at, service time), in done order
    predicted: dict[int, list[int]] = {}
    called: dict[int, float] = {}

    def call(desk: int, now: float) -> None:
        nonlocal order
        if breaks[desk] <= now:
            breaks[desk] = math.inf
            order += 1
            heapq.heappush(heap, (now + day.break_minutes, order, 0, desk))
            return
        if not waiting:
            idle.add(desk)
            return
        who = waiting.popleft()
        called[who] = now
        if rng.random() < day.no_show:
            took = day.no_show_wait
        else:
            took = _service_time(day, rng)
            served.append((now + took, took))
        order += 1
        heapq.heappush(heap, (now + took, order, 0, desk))

    while heap:
        now, _, kind, who = heapq.heappop(heap)
        if kind == 1:
            cut = now // PACE_EVERY_MIN * PACE_EVERY_MIN
            known = [took for done, took in served if done < cut]
            predicted[who] = predict(len(waiting), known, day.desks)
            waiting.append(who)
            if idle:
                call(idle.pop(), now)
        else:
            call(who, now)
    return [Outcome(predicted[i], called[i] - arrivals[i]) for i in range(len(arrivals))]


@dataclass(frozen=True)
class Score:
    tickets: int
    inside: float  # share of real waits inside the range
    median_error: float  # minutes between the real wait and the range's middle
    median_width: float  # minutes from low to high


def score(outcomes: list[Outcome]) -> Score:
    def median(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[len(ordered) // 2]

    inside = sum(o.predicted[0] <= o.real <= o.predicted[1] for o in outcomes)
    return Score(
        tickets=len(outcomes),
        inside=inside / len(outcomes),
        median_error=median([abs(o.real - sum(o.predicted) / 2) for o in outcomes]),
        median_width=median([o.predicted[1] - o.predicted[0] for o in outcomes]),
    )
