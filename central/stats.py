"""Branch statistics for managers, from what the totems send: pure, no database.

Per branch, service and day, and within a day per hour (tickets issued, counted from
``ticket.issued`` as they arrive) and per span as the totem closed it (served, no-shows and
the wait and service percentiles of ``service.hour``). A day's times are the served-weighted
median of its spans' figures: the totem never sends one citizen's time.

Never per desk or per person: the totems do not send the data to do it. Small counts stay
suppressed: a count from 1 to 4 is hidden, the smallest other cells of the day with it until
subtracting from the day's total cannot pin it down (:func:`hidden`), and a day's served or
no-shows with the other when one is hidden (issued - served is the no-shows most days). Every
hidden cell reads "hidden": "<5" would be a lie for the larger ones hidden to protect it.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from central.store import Figures

MIN_COUNT = 5
HIDDEN = "hidden"  # the label of every hidden cell, small or hidden to protect a small one
TICKET_COUNTS = ("issued", "reentries", "checked_in")
SPAN_COUNTS = ("served", "no_show")
TIMES = ("wait_p50", "wait_p90", "service_p50")
NOTE = (
    "No figure here is per desk or per person: the totems never send which desk or which "
    "employee served anyone, so the data to compute it does not exist. Counts from 1 to 4 are "
    "hidden, and so are the counts they could be worked out from."
)


def hidden(values: Sequence[int], total_shown: bool = True) -> set[int]:
    """Which of sibling counts to hide so that none from 1 to 4 can be recovered.

    Those from 1 to 4 are hidden. While their total is shown, an attacker knows what the
    hidden cells add up to, that each small one is 1 to 4, and, knowing this rule, that each
    other hidden one is at least 5 and at most the smallest count still shown. The smallest
    shown counts are hidden too, one by one, until every small cell could still be at least
    two values (1, 1 and 10 under a total of 12: all three hidden). Where even hiding all
    of them is not enough (1 and 5), the caller hides the total as well.
    """
    small = {i for i, v in enumerate(values) if 0 < v < MIN_COUNT}
    hide = set(small)
    if not small or not total_shown:
        return hide
    others = sorted((v, i) for i, v in enumerate(values) if v >= MIN_COUNT)
    while not protected(values, hide) and others:
        hide.add(others.pop(0)[1])
    return hide


def protected(values: Sequence[int], hide: set[int]) -> bool:
    """Whether each small hidden cell has at least two values consistent with what is shown
    and their total (when not, the total is hidden too)."""
    small = {i for i in hide if values[i] < MIN_COUNT}
    shown = [v for i, v in enumerate(values) if i not in hide and v > 0]
    cap = min(shown) if shown else 10**9  # a hidden larger cell is no larger than these
    total = sum(values[i] for i in hide)
    bounds = {i: (1, MIN_COUNT - 1) if i in small else (MIN_COUNT, cap) for i in hide}
    for i in small:
        low = total - sum(bounds[j][1] for j in hide if j != i)
        high = total - sum(bounds[j][0] for j in hide if j != i)
        if min(high, MIN_COUNT - 1) - max(low, 1) < 1:
            return False
    return True


def weighted_median(pairs: Iterable[tuple[int, int]]) -> int | None:
    """The value at half the total weight of ``(value, weight)`` pairs; None without any."""
    items = sorted((v, w) for v, w in pairs if w > 0)
    total = sum(w for _, w in items)
    if not items:
        return None
    running = 0
    for value, weight in items:
        running += weight
        if 2 * running >= total:
            return value
    return items[-1][0]  # pragma: no cover (the loop always returns)


def _span_label(hour: int) -> str:
    return f"{hour:02d}:00-{hour + 1:02d}:00"


def _day(
    day: str, service: str, hours: dict[int, list[int]], spans: list[tuple[Any, ...]]
) -> dict[str, Any]:
    out: dict[str, Any] = {"day": day, "service": service}
    suppressed: list[str] = []
    hour_rows: list[dict[str, Any]] = [
        {"hour": _span_label(h), **dict(zip(TICKET_COUNTS, hours[h], strict=True))}
        for h in sorted(hours)
    ]
    span_rows: list[dict[str, Any]] = [
        {"span": s[0], **dict(zip(SPAN_COUNTS + TIMES, s[1:], strict=True))} for s in spans
    ]
    for name in TIMES:  # before any count is hidden: the weights are the real counts
        out[name] = weighted_median(
            (s[name], s["served"]) for s in span_rows if s[name] is not None
        )
    for rows, names in ((hour_rows, TICKET_COUNTS), (span_rows, SPAN_COUNTS)):
        for name in names:
            total = sum(r[name] for r in rows)
            out[name] = total
            shown = not 0 < total < MIN_COUNT
            if not shown:
                out[name] = None
                suppressed.append(name)
            values = [r[name] for r in rows]
            hide = hidden(values, shown)
            if shown and not protected(values, hide):  # 1 and 5 under 6: the total goes too
                out[name] = None
                suppressed.append(name)
            for i in hide:
                rows[i][name] = None
                rows[i].setdefault("suppressed", []).append(name)
    _hide_derived(out, suppressed)
    out["suppressed"] = suppressed
    out["hours"] = hour_rows
    out["spans"] = span_rows
    return out


# Of a day's issued, served and no-shows, most days issued = served + no-shows (nobody left
# waiting at closing): one hidden among them is the difference of the other two.
PARTNER = {"no_show": "served", "served": "no_show", "issued": "served"}


def _hide_derived(out: dict[str, Any], suppressed: list[str]) -> None:
    hidden_here = [n for n in ("issued", "served", "no_show") if n in suppressed]
    if len(hidden_here) == 1:
        partner = PARTNER[hidden_here[0]]
        out[partner] = None
        suppressed.append(partner)


def compute(branch: str, first: str, last: str, figures: Figures) -> dict[str, Any]:
    """The statistics document (the JSON API, the page, the CSV and ``kiosk central stats``)."""
    hours: dict[tuple[str, str], dict[int, list[int]]] = defaultdict(dict)
    for day, service, hour, issued, reentries, checked_in in figures.issued:
        cell = hours[(day, service)].setdefault(hour, [0, 0, 0])
        for i, n in enumerate((issued, reentries, checked_in)):
            cell[i] += n
    spans: dict[tuple[str, str], list[tuple[Any, ...]]] = defaultdict(list)
    for day, service, span, _issued, served, no_show, p50, p90, sp50 in figures.hours:
        spans[(day, service)].append((span, served, no_show, p50, p90, sp50))
    keys = sorted(set(hours) | set(spans))
    return {
        "branch": branch,
        "from": first,
        "to": last,
        "min_count": MIN_COUNT,
        "note": NOTE,
        "services": sorted({service for _, service in keys}),
        "days": [
            _day(day, service, hours.get((day, service), {}), sorted(spans.get((day, service), [])))
            for day, service in keys
        ],
    }


def _shown(value: Any, suppressed: bool) -> str:
    if suppressed:
        return HIDDEN
    return "" if value is None else str(value)


CSV_COLUMNS = ("day", "service", "period", *TICKET_COUNTS, *SPAN_COUNTS, *TIMES)


def to_csv(doc: dict[str, Any]) -> str:
    """One row per service and day ("day"), then its hours and its spans."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for d in doc["days"]:
        rows = [("day", d, d["suppressed"])]
        rows += [(h["hour"], h, h.get("suppressed", [])) for h in d["hours"]]
        rows += [(s["span"], s, s.get("suppressed", [])) for s in d["spans"]]
        for period, row, hide in rows:
            writer.writerow(
                [d["day"], d["service"], period]
                + [
                    _shown(row.get(name), name in hide) if name in row else ""
                    for name in CSV_COLUMNS[3:]
                ]
            )
    return out.getvalue()


def describe(doc: dict[str, Any]) -> str:
    """The human text of ``kiosk central stats``."""
    lines = [f"{doc['branch']}: {doc['from']} to {doc['to']}"]
    header = f"  {'day':<10} {'svc':<3} {'issued':>6} {'served':>6} {'no-show':>7}"
    header += f" {'wait p50':>8} {'wait p90':>8} {'service p50':>11}"
    lines.append(header)
    for d in doc["days"]:
        cells = [_shown(d[n], n in d["suppressed"]) for n in ("issued", "served", "no_show")]
        times = [_shown(d[n], False) or "-" for n in TIMES]
        lines.append(
            f"  {d['day']:<10} {d['service']:<3} {cells[0]:>6} {cells[1]:>6} {cells[2]:>7}"
            f" {times[0]:>8} {times[1]:>8} {times[2]:>11}"
        )
    if not doc["days"]:
        lines.append("  (nothing received for these days)")
    lines.append(doc["note"])
    return "\n".join(lines)
