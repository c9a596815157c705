"""The managers' pages: sign-in and statistics, with charts drawn here as inline SVG (no CDN,
no script). Everything shown is escaped; nothing is per desk or per person."""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from central.stats import HIDDEN, MIN_COUNT, TIMES

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:;"
        " form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
COLOURS = ("#1f5fa8", "#c0571b", "#2e7d32", "#6a3d9a", "#8c6d1f", "#b0306a")  # >= 4.5:1 on white
STYLE = """
body{font:16px/1.45 system-ui,"DejaVu Sans",sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
header{background:#183b63;color:#fff;padding:.8rem 1.5rem;display:flex;gap:1rem;align-items:center}
header h1{font-size:1.3rem;margin:0;flex:1}
main{padding:1rem 1.5rem;max-width:75rem}
form.range{display:flex;gap:1rem;flex-wrap:wrap;align-items:end;margin:.5rem 0 1rem}
label{display:flex;flex-direction:column;font-size:.9rem}
input,select,button{font:inherit;padding:.35rem .5rem}
button{background:#183b63;color:#fff;border:0;border-radius:4px;padding:.45rem 1rem}
.note{background:#eef3f8;border-left:4px solid #183b63;padding:.6rem 1rem;margin:1rem 0}
section.chart{background:#fff;border:1px solid #ddd;border-radius:6px;
  padding:.6rem 1rem;margin:1rem 0}
h2{font-size:1.1rem;margin:.3rem 0}
table{border-collapse:collapse;background:#fff;width:100%;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:right}
th:first-child,td:first-child,th:nth-child(2),td:nth-child(2){text-align:left}
.legend span{display:inline-block;margin-right:1rem}
.legend i{display:inline-block;width:.9rem;height:.9rem;margin-right:.3rem;vertical-align:-2px}
.error{color:#a00000;font-weight:600}
"""


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def signin(error: str | None = None) -> str:
    problem = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    return _page(
        "Sign in: branch statistics",
        "<header><h1>Branch statistics</h1></header><main>"
        "<p>Sign in with the manager token your IT department gave you"
        " (<code>kiosk central manager add</code>).</p>"
        f"{problem}"
        '<form method="post" action="signin" class="range">'
        '<label>Manager token <input name="token" type="password" autocomplete="off"'
        ' required size="40"></label><button type="submit">Sign in</button></form></main>',
    )


def _cell(row: dict[str, Any], name: str) -> str:
    if name in row.get("suppressed", []):
        return HIDDEN
    value = row.get(name)
    return "–" if value is None else str(value)


def stats(doc: dict[str, Any], branches: Sequence[str], who: str) -> str:
    """The statistics page for one branch and range of days."""
    services = doc["services"]
    colour = {s: COLOURS[i % len(COLOURS)] for i, s in enumerate(services)}
    legend = "".join(
        f'<span><i style="background:{colour[s]}"></i>Service {html.escape(s)}</span>'
        for s in services
    )
    options = "".join(
        f"<option{' selected' if b == doc['branch'] else ''}>{html.escape(b)}</option>"
        for b in branches
    )
    form = (
        '<form method="get" action="stats" class="range">'
        f'<label>Branch <select name="branch">{options}</select></label>'
        f'<label>From <input type="date" name="from" value="{doc["from"]}"></label>'
        f'<label>To <input type="date" name="to" value="{doc["to"]}"></label>'
        '<button type="submit">Show</button>'
        f'<a href="v1/branches/{html.escape(doc["branch"])}/stats.csv?from={doc["from"]}'
        f'&amp;to={doc["to"]}">Download CSV</a></form>'
    )
    charts = (
        _chart("Tickets issued per day", _bars_by_day(doc, colour), legend)
        + _chart("Tickets issued by hour of the day (all days shown)", _bars_by_hour(doc), "")
        + _chart("Waiting time per day: median (dot) to 90th percentile (line), minutes",
                 _waits(doc, colour), legend)
    )  # fmt: skip
    return _page(
        f"Statistics: {doc['branch']}",
        f"<header><h1>Statistics: {html.escape(doc['branch'])}</h1>"
        f'<span>{html.escape(who)}</span><form method="post" action="signout">'
        '<button type="submit">Sign out</button></form></header><main>'
        f'{form}<p class="note">{html.escape(doc["note"])}</p>{charts}{_table(doc)}</main>',
    )


def _table(doc: dict[str, Any]) -> str:
    heads = ("Day", "Service", "Issued", "Re-entries", "Check-ins", "Served", "No-shows",
             "Wait p50", "Wait p90", "Service p50")  # fmt: skip
    names = ("issued", "reentries", "checked_in", "served", "no_show", *TIMES)
    rows = "".join(
        f"<tr><td>{d['day']}</td><td>{html.escape(d['service'])}</td>"
        + "".join(f"<td>{_cell(d, n)}</td>" for n in names)
        + "</tr>"
        for d in doc["days"]
    )
    if not rows:
        rows = f'<tr><td colspan="{len(heads)}">Nothing received for these days.</td></tr>'
    head = "".join(f'<th scope="col">{h}</th>' for h in heads)
    return (
        "<h2>By day and service</h2><p>Times in minutes. A day's times are the served-weighted"
        " median of its hours' figures.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _chart(title: str, svg: str, legend: str) -> str:
    legend_html = f'<div class="legend">{legend}</div>' if legend else ""
    return f'<section class="chart"><h2>{html.escape(title)}</h2>{legend_html}{svg}</section>'


W, H, PAD_L, PAD_B, PAD_T = 900, 240, 44, 34, 12


def _axis(top: int, labels: Sequence[tuple[float, str]], title: str) -> str:
    out = [f'<svg viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="{html.escape(title)}">',
           f"<title>{html.escape(title)}</title>"]  # fmt: skip
    step = _step(top)
    for i in range(top // step + 1):
        value = step * i
        y = H - PAD_B - _scale(value, top)
        out.append(
            f'<line x1="{PAD_L}" x2="{W}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end">'
            f"{value:.0f}</text>"
        )
    for x, label in labels:
        out.append(
            f'<text x="{x:.1f}" y="{H - 12}" font-size="12" text-anchor="middle">'
            f"{html.escape(label)}</text>"
        )
    return "".join(out)


def _nice(largest: int) -> int:
    """The axis top: a multiple of a round step (1, 2 or 5 x 10^k), in at most five steps."""
    step = 1
    while largest > 5 * step:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return max(step * -(-largest // step), 1)


def _step(top: int) -> int:
    return next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, top)
                if top % s == 0 and top // s <= 5)  # fmt: skip


def _scale(value: float, top: int) -> float:
    return (H - PAD_B - PAD_T) * value / top


def _bars_by_day(doc: dict[str, Any], colour: dict[str, str]) -> str:
    days = sorted({d["day"] for d in doc["days"]})
    if not days:
        return "<p>No tickets in these days.</p>"
    values = {(d["day"], d["service"]): d["issued"] or 0 for d in doc["days"]}
    top = _nice(max(values.values()))
    services = doc["services"]
    slot = (W - PAD_L) / len(days)
    bar = max(2.0, slot * 0.8 / max(1, len(services)))
    out = [_axis(top, [(PAD_L + slot * (i + 0.5), day[5:]) for i, day in enumerate(days)],
                 "Tickets issued per day")]  # fmt: skip
    for i, day in enumerate(days):
        for j, service in enumerate(services):
            n = values.get((day, service), 0)
            height = _scale(n, top)
            x = PAD_L + slot * i + slot * 0.1 + bar * j
            out.append(
                f'<rect x="{x:.1f}" y="{H - PAD_B - height:.1f}" width="{bar - 1:.1f}"'
                f' height="{height:.1f}" fill="{colour[service]}">'
                f"<title>{day} {html.escape(service)}: {n}</title></rect>"
            )
    return "".join(out) + "</svg>"


def _bars_by_hour(doc: dict[str, Any]) -> str:
    totals: dict[int, int] = defaultdict(int)
    for d in doc["days"]:
        for h in d["hours"]:
            totals[int(h["hour"][:2])] += h["issued"] or 0
    if not totals:
        return "<p>No tickets in these days.</p>"
    hours = list(range(min(totals), max(totals) + 1))
    top = _nice(max(totals.values()))
    slot = (W - PAD_L) / len(hours)
    out = [_axis(top, [(PAD_L + slot * (i + 0.5), f"{h:02d}") for i, h in enumerate(hours)],
                 "Tickets issued by hour of the day")]  # fmt: skip
    for i, hour in enumerate(hours):
        height = _scale(totals[hour], top)
        out.append(
            f'<rect x="{PAD_L + slot * i + slot * 0.15:.1f}" y="{H - PAD_B - height:.1f}"'
            f' width="{slot * 0.7:.1f}" height="{height:.1f}" fill="{COLOURS[0]}">'
            f"<title>{hour:02d}:00: {totals[hour]}</title></rect>"
        )
    return "".join(out) + "</svg>"


def _waits(doc: dict[str, Any], colour: dict[str, str]) -> str:
    points = [d for d in doc["days"] if d["wait_p50"] is not None]
    if not points:
        return f"<p>No day with {MIN_COUNT} or more citizens served.</p>"
    days = sorted({d["day"] for d in doc["days"]})
    top = _nice(max(d["wait_p90"] for d in points))
    services = doc["services"]
    slot = (W - PAD_L) / len(days)
    out = [_axis(top, [(PAD_L + slot * (i + 0.5), day[5:]) for i, day in enumerate(days)],
                 "Waiting time per day")]  # fmt: skip
    for d in points:
        i, j = days.index(d["day"]), services.index(d["service"])
        x = PAD_L + slot * i + slot * (j + 1) / (len(services) + 1)
        y50, y90 = H - PAD_B - _scale(d["wait_p50"], top), H - PAD_B - _scale(d["wait_p90"], top)
        c = colour[d["service"]]
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y50:.1f}" y2="{y90:.1f}" stroke="{c}"'
            f' stroke-width="3"/><circle cx="{x:.1f}" cy="{y50:.1f}" r="5" fill="{c}">'
            f"<title>{d['day']} {html.escape(d['service'])}: p50 {d['wait_p50']},"
            f" p90 {d['wait_p90']} min</title></circle>"
        )
    return "".join(out) + "</svg>"
