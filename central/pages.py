"""The managers' pages: sign-in and statistics, with charts drawn here as inline SVG (no CDN,
no script). Everything shown is escaped; nothing is per desk or per person."""

from __future__ import annotations

import functools
import html
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from central.stats import MIN_COUNT, TIMES, weighted_median
from kiosk import design, i18n
from kiosk.i18n.dates import day as local_day
from kiosk.i18n.dates import short_day

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src 'self';"
        " form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class Town:
    """The town's look on these pages (``kiosk central serve --primary --logo``)."""

    primary: str | None = None
    logo: bool = False  # served at /branding/logo


COLOURS = ("#1f5fa8", "#c0571b", "#2e7d32", "#6a3d9a", "#8c6d1f", "#b0306a")  # >= 4.5:1 on white
PAGE_STYLE = """
body{font:16px/1.45 var(--font);margin:0;color:var(--ink);background:var(--bg)}
header{background:var(--header);color:var(--on-header);padding:.8rem 1.5rem;display:flex;
  gap:1rem;align-items:center}
header h1{font-size:1.3rem;margin:0;flex:1}
main{padding:1rem 1.5rem;max-width:75rem}
form.range{display:flex;gap:1rem;flex-wrap:wrap;align-items:end;margin:.5rem 0 1rem}
label{display:flex;flex-direction:column;font-size:.9rem}
input,select,button{font:inherit;padding:.35rem .5rem}
button{background:var(--primary);color:var(--on-primary);border:0;border-radius:4px;
  padding:.45rem 1rem}
.note{background:#eef3f8;border-inline-start:4px solid var(--primary);padding:.6rem 1rem;
  margin:1rem 0}
section.chart{background:#fff;border:1px solid #ddd;border-radius:6px;
  padding:.6rem 1rem;margin:1rem 0}
h2{font-size:1.1rem;margin:.3rem 0}
table{border-collapse:collapse;background:#fff;width:100%;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:right}
th:first-child,td:first-child,th:nth-child(2),td:nth-child(2){text-align:left}
.legend span{display:inline-block;margin-right:1rem}
.legend i{display:inline-block;width:.9rem;height:.9rem;margin-right:.3rem;vertical-align:-2px}
.error{color:#a00000;font-weight:600}
nav.languages{display:flex;gap:.9rem;flex-wrap:wrap}
.legend i.hatched{background:repeating-linear-gradient(45deg,#555 0 3px,#fff 3px 6px)}
section.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:1rem;
  margin:1rem 0}
.tile{background:#fff;border:1px solid #ddd;border-radius:var(--radius-m);padding:.8rem 1rem}
.tile span{display:block;color:var(--muted);font-size:.9rem}
.tile strong{display:block;font-size:1.8rem;font-variant-numeric:tabular-nums}
nav.languages a{color:#fff}
nav.languages a[aria-current]{font-weight:700;text-decoration:none}
header img.crest{height:2.6rem;width:auto}
"""


@functools.cache
def style(primary: str | None = None) -> str:
    """The tokens (the town's colour on the header and buttons) and the pages' own rules."""
    return design.css(primary=primary) + PAGE_STYLE


STYLE = style()


def _t(lang: str, key: str, **values: object) -> str:
    """A statistics page's message, escaped for HTML (values are filled in before)."""
    return html.escape(i18n.text(lang, "stats." + key, **values))


def _page(lang: str, title: str, body: str, town: Town) -> str:
    direction = "rtl" if lang in i18n.RTL else "ltr"
    return (
        f'<!doctype html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{style(town.primary)}</style></head>"
        f"<body>{body}</body></html>"
    )


def _crest(town: Town) -> str:
    return '<img class="crest" src="/branding/logo" alt="">' if town.logo else ""


def signin(lang: str, error: str | None = None, town: Town = Town()) -> str:
    """The sign-in page; ``error`` a message name ("not_manager"), or text already in ``lang``."""
    if error and i18n.known("stats." + error):
        error = i18n.text(lang, "stats." + error)
    problem = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    command = "<code>kiosk central manager add</code>"
    return _page(
        lang,
        i18n.text(lang, "stats.title_signin"),
        f"<header>{_crest(town)}<h1>{_t(lang, 'heading')}</h1>{_languages(lang, {})}</header>"
        "<main>"
        f"<p>{_t(lang, 'signin_help', command='{command}').format(command=command)}</p>"
        f"{problem}"
        f'<form method="post" action="signin?lang={lang}" class="range">'
        f'<label>{_t(lang, "token")} <input name="token" type="password" autocomplete="off"'
        f' required size="40"></label><button type="submit">{_t(lang, "signin")}</button>'
        "</form></main>",
        town,
    )


def _languages(lang: str, keep: dict[str, str]) -> str:
    """Links to the same page in each language, each named in its own."""
    query = "".join(f"&amp;{k}={html.escape(v)}" for k, v in keep.items())
    current = ' aria-current="true"'
    links = "".join(
        f'<a href="?lang={code}{query}" lang="{code}"{current if code == lang else ""}>{name}</a>'
        for code, name in i18n.LANGUAGE_NAMES.items()
    )
    return f'<nav class="languages">{links}</nav>'


def _cell(row: dict[str, Any], name: str, lang: str) -> str:
    if name in row.get("suppressed", []):
        return _t(lang, "hidden")
    value = row.get(name)
    return "–" if value is None else str(value)


def stats(
    doc: dict[str, Any], branches: Sequence[str], who: str, lang: str = "en", town: Town = Town()
) -> str:
    """The statistics page for one branch and range of days, in ``lang``, its services by
    their names (``doc["names"]``, from ``kiosk central branch set``)."""
    services, names = doc["services"], doc.get("names") or {}
    colour = {s: COLOURS[i % len(COLOURS)] for i, s in enumerate(services)}
    legend = "".join(
        f'<span><i style="background:{colour[s]}"></i>{html.escape(names.get(s, s))}</span>'
        for s in services
    )
    hatched = f'<span><i class="hatched"></i>{_t(lang, "hatched")}</span>'
    options = "".join(
        f"<option{' selected' if b == doc['branch'] else ''}>{html.escape(b)}</option>"
        for b in branches
    )
    keep = {"branch": doc["branch"], "from": doc["from"], "to": doc["to"]}
    form = (
        '<form method="get" action="stats" class="range">'
        f'<input type="hidden" name="lang" value="{lang}">'
        f'<label>{_t(lang, "branch")} <select name="branch">{options}</select></label>'
        f'<label>{_t(lang, "from")} <input type="date" name="from" value="{doc["from"]}"></label>'
        f'<label>{_t(lang, "to")} <input type="date" name="to" value="{doc["to"]}"></label>'
        f'<button type="submit">{_t(lang, "show")}</button>'
        f'<a href="v1/branches/{html.escape(doc["branch"])}/stats.csv?from={doc["from"]}'
        f'&amp;to={doc["to"]}">{_t(lang, "csv")}</a></form>'
    )
    charts = (
        _chart(_t(lang, "chart_day"), _bars_by_day(doc, colour, lang), legend + hatched)
        + _chart(_t(lang, "chart_hour"), _bars_by_hour(doc, lang), "")
        + _chart(_t(lang, "chart_wait"), _waits(doc, colour, lang), legend)
    )
    branch = html.escape(doc.get("branch_name") or doc["branch"])
    return _page(
        lang,
        i18n.text(lang, "stats.title", branch=doc.get("branch_name") or doc["branch"]),
        f"<header>{_crest(town)}"
        f"<h1>{_t(lang, 'title', branch='{branch}').format(branch=branch)}</h1>"
        f"{_languages(lang, keep)}"
        f'<span>{html.escape(who)}</span><form method="post" action="signout">'
        f'<button type="submit">{_t(lang, "signout")}</button></form></header><main>'
        f'{form}{_headline(doc, lang)}<p class="note">{_t(lang, "note")}</p>{charts}'
        f"{_table(doc, lang)}</main>",
        town,
    )


def _headline(doc: dict[str, Any], lang: str) -> str:
    """The range at a glance: tickets issued, citizens served, no-shows, the median wait. A sum
    with a hidden day in it says "at least" the shown part: the whole would give the hidden
    cells' total away."""
    tiles = []
    for name, key in (("issued", "tile_issued"), ("served", "tile_served"),
                      ("no_show", "tile_noshow")):  # fmt: skip
        shown = [d[name] for d in doc["days"] if d[name] is not None]
        some_hidden = any(d[name] is None for d in doc["days"])
        total = sum(shown)
        value = _t(lang, "at_least", n=total) if some_hidden else str(total)
        tiles.append((_t(lang, key), value))
    wait = weighted_median(
        (d["wait_p50"], d["served"]) for d in doc["days"]
        if d["wait_p50"] is not None and d["served"] is not None
    )  # fmt: skip
    minutes = "–" if wait is None else html.escape(i18n.plural(lang, "stats.minutes", wait, n=wait))
    tiles.append((_t(lang, "tile_wait"), minutes))
    return (
        '<section class="tiles">'
        + "".join(
            f'<div class="tile"><span>{label}</span><strong>{value}</strong></div>'
            for label, value in tiles
        )
        + "</section>"
    )


def _table(doc: dict[str, Any], lang: str) -> str:
    heads = ("h_day", "h_service", "h_issued", "h_reentries", "h_checkins", "h_served",
             "h_noshow", "h_wait50", "h_wait90", "h_service50")  # fmt: skip
    names = ("issued", "reentries", "checked_in", "served", "no_show", *TIMES)
    service_names = doc.get("names") or {}
    rows = "".join(
        f"<tr><td>{html.escape(local_day(lang, date.fromisoformat(d['day'])))}</td>"
        f"<td>{html.escape(service_names.get(d['service'], d['service']))}</td>"
        + "".join(f"<td>{_cell(d, n, lang)}</td>" for n in names)
        + "</tr>"
        for d in doc["days"]
    )
    if not rows:
        rows = f'<tr><td colspan="{len(heads)}">{_t(lang, "nothing")}</td></tr>'
    head = "".join(f'<th scope="col">{_t(lang, h)}</th>' for h in heads)
    return (
        f"<h2>{_t(lang, 'by_day')}</h2><p>{_t(lang, 'times')}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _chart(title: str, svg: str, legend: str) -> str:
    """A chart; ``title`` is HTML already escaped."""
    legend_html = f'<div class="legend">{legend}</div>' if legend else ""
    return f'<section class="chart"><h2>{title}</h2>{legend_html}{svg}</section>'


W, H, PAD_L, PAD_B, PAD_T = 900, 240, 44, 34, 12


HIDDEN_STUB = 14  # px: a hidden count's bar, hatched


def _hatches() -> str:
    """One hatch pattern per colour: a hidden count drawn as such."""
    return (
        "<defs>"
        + "".join(
            f'<pattern id="hatch-{i}" width="6" height="6" patternUnits="userSpaceOnUse"'
            f' patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="{c}" stroke-width="3"/></pattern>'
            for i, c in enumerate(COLOURS)
        )
        + "</defs>"
    )


def _axis(top: int, labels: Sequence[tuple[float, str]], title: str) -> str:
    """The chart's frame; ``title`` is HTML already escaped."""
    out = [f'<svg viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="{title}">',
           f"<title>{title}</title>", _hatches()]  # fmt: skip
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


def _bars_by_day(doc: dict[str, Any], colour: dict[str, str], lang: str) -> str:
    days = sorted({d["day"] for d in doc["days"]})
    if not days:
        return f"<p>{_t(lang, 'no_tickets')}</p>"
    names = doc.get("names") or {}
    values = {(d["day"], d["service"]): d["issued"] for d in doc["days"]}
    top = _nice(max(v or 0 for v in values.values()))
    services = doc["services"]
    slot = (W - PAD_L) / len(days)
    bar = max(2.0, slot * 0.8 / max(1, len(services)))
    out = [_axis(top, [(PAD_L + slot * (i + 0.5), _short(lang, day)) for i, day in enumerate(days)],
                 _t(lang, "chart_day"))]  # fmt: skip
    for i, day in enumerate(days):
        for j, service in enumerate(services):
            n = values.get((day, service), 0)
            x = PAD_L + slot * i + slot * 0.1 + bar * j
            said = _t(lang, "hidden") if n is None else str(n)
            # A hidden count is a hatched stub, never an empty bar that reads as none.
            height = HIDDEN_STUB if n is None else _scale(n, top)
            fill = f"url(#hatch-{j % len(COLOURS)})" if n is None else colour[service]
            out.append(
                f'<rect x="{x:.1f}" y="{H - PAD_B - height:.1f}" width="{bar - 1:.1f}"'
                f' height="{height:.1f}" fill="{fill}" stroke="{colour[service]}">'
                f"<title>{_short(lang, day)} {html.escape(names.get(service, service))}: {said}"
                "</title></rect>"
            )
    return "".join(out) + "</svg>"


def _bars_by_hour(doc: dict[str, Any], lang: str) -> str:
    totals: dict[int, int] = defaultdict(int)
    for d in doc["days"]:
        for h in d["hours"]:
            totals[int(h["hour"][:2])] += h["issued"] or 0
    if not totals:
        return f"<p>{_t(lang, 'no_tickets')}</p>"
    hours = list(range(min(totals), max(totals) + 1))
    top = _nice(max(totals.values()))
    slot = (W - PAD_L) / len(hours)
    out = [_axis(top, [(PAD_L + slot * (i + 0.5), f"{h:02d}") for i, h in enumerate(hours)],
                 _t(lang, "chart_hour"))]  # fmt: skip
    for i, hour in enumerate(hours):
        height = _scale(totals[hour], top)
        out.append(
            f'<rect x="{PAD_L + slot * i + slot * 0.15:.1f}" y="{H - PAD_B - height:.1f}"'
            f' width="{slot * 0.7:.1f}" height="{height:.1f}" fill="{COLOURS[0]}">'
            f"<title>{hour:02d}:00: {totals[hour]}</title></rect>"
        )
    return "".join(out) + "</svg>"


def _waits(doc: dict[str, Any], colour: dict[str, str], lang: str) -> str:
    points = [d for d in doc["days"] if d["wait_p50"] is not None]
    if not points:
        said = i18n.plural(lang, "stats.no_day", MIN_COUNT, n=MIN_COUNT)
        return f"<p>{html.escape(said)}</p>"
    names = doc.get("names") or {}
    days = sorted({d["day"] for d in doc["days"]})
    top = _nice(max(d["wait_p90"] for d in points))
    services = doc["services"]
    slot = (W - PAD_L) / len(days)
    out = [_axis(top, [(PAD_L + slot * (i + 0.5), _short(lang, day)) for i, day in enumerate(days)],
                 _t(lang, "chart_wait"))]  # fmt: skip
    for d in points:
        i, j = days.index(d["day"]), services.index(d["service"])
        x = PAD_L + slot * i + slot * (j + 1) / (len(services) + 1)
        y50, y90 = H - PAD_B - _scale(d["wait_p50"], top), H - PAD_B - _scale(d["wait_p90"], top)
        c = colour[d["service"]]
        tip = _t(lang, "wait_tip", day=_short(lang, d["day"]), p50=d["wait_p50"],
                 service=names.get(d["service"], d["service"]), p90=d["wait_p90"])  # fmt: skip
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y50:.1f}" y2="{y90:.1f}" stroke="{c}"'
            f' stroke-width="3"/><circle cx="{x:.1f}" cy="{y50:.1f}" r="5" fill="{c}">'
            f"<title>{tip}</title></circle>"
        )
    return "".join(out) + "</svg>"


def _short(lang: str, day: str) -> str:
    """A chart's day label in ``lang`` ("3 dic", "Dec 3")."""
    return short_day(lang, date.fromisoformat(day))
