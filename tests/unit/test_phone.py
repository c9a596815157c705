"""The phone page's parts: its strings in every language, its rendering (escaped, one
language, right to left for Arabic, small), its colours' contrast, and the wait predictor."""

from __future__ import annotations

import json
import re
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.queue import EARLY_SPREAD, Pace, pace, predicted_wait
from kiosk.design import contrast
from kiosk.phone import page
from tests.simday import Day, score, simulate

WAITING = {"ticket": "A042", "service": "A", "state": "waiting", "ahead": 4, "now": "A038",
           "wait": [6, 14]}  # fmt: skip


def test_the_page_is_one_language_escaped_and_small() -> None:
    html = page.render(
        {**WAITING, "ticket": "</script><b>"},
        lang="ar",
        office='Ufficio "<i>"',
        service_names={"A": "Anagrafe & co"},
        stream="/api/v1/tickets/1/stream",
    )
    assert '<html lang="ar" dir="rtl">' in html
    assert "<i>" not in html and "&lt;i&gt;" in html and "Anagrafe &amp; co" in html
    assert html.count("</script>") == 4  # texts, status, names and the code: none injected
    texts = re.search(r'<script type="application/json" id="texts">(.*?)</script>', html, re.S)
    assert texts and json.loads(texts.group(1)) == page.texts("ar")
    assert json.loads(texts.group(1))["ahead"]["two"] == "شخصان قبلك"  # CLDR's forms, by name
    assert page.texts("it")["title"] not in html
    assert len(html.encode()) < 20 * 1024  # the whole page, code and style included


def test_a_page_without_a_ticket_has_no_stream_and_no_number() -> None:
    html = page.render(None, lang="en", office="Office", service_names={}, stream=None)
    assert 'data-stream=""' in html and 'id="status">null<' in html
    assert 'data-state="unknown"' in html


@pytest.mark.parametrize(
    ("preferred", "accept", "expected"),
    [
        ("fr", "de-DE,de;q=0.9", "fr"),  # the ticket's language first
        (None, "de-DE,de;q=0.9,en;q=0.5", "de"),  # then the phone's
        (None, "ja,zh;q=0.8", "it"),  # then the office's first
        ("ja", None, "it"),
        (None, "EN-us", "en"),
    ],
)
def test_language_of_the_page(preferred, accept, expected) -> None:
    assert page.language(preferred, accept, ("it", "en", "fr", "de")) == expected


def _colours(scheme: str) -> dict[str, str]:
    """The page's colours as rendered: the design tokens, the page's own, and in the dark its
    dark ones over them."""
    html = page.render(None, lang="en", office="Office", service_names={}, stream=None)
    blocks = [dict(re.findall(r"--([\w-]+):(#[0-9a-f]{6})", b))
              for b in re.findall(r":root\{([^}]*)\}", html)]  # fmt: skip
    light = {**blocks[0], **blocks[1], "soft": blocks[0]["muted"]}  # --soft:var(--muted)
    return light if scheme == "light" else {**light, **blocks[2]}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_reads_at_4_5_to_1_in_light_and_dark(scheme: str) -> None:
    c = _colours(scheme)
    pairs = [("ink", "bg"), ("ink", "card"), ("soft", "bg"), ("soft", "card"),
             ("goink", "go"), ("warn", "bg"), ("warn", "card")]  # fmt: skip
    for fg, bg in pairs:
        assert contrast(c[fg], c[bg]) >= 4.5, (scheme, fg, bg, contrast(c[fg], c[bg]))


# -- the predictor -------------------------------------------------------------------------


def test_before_five_served_the_spread_is_the_configured_share() -> None:
    assert pace(8.0, [3.0, 4.0]) == Pace(pytest.approx(5.75), 8.0 * EARLY_SPREAD)
    assert pace(8.0, [200.0] * 10) == Pace(8.0, 4.0)  # a forgotten "done" says nothing
    later = pace(8.0, [6.0, 10.0, 6.0, 10.0, 6.0, 10.0])
    assert later.spread == pytest.approx(2.0)


def test_the_range_and_its_floor() -> None:
    today = Pace(8.0, 0.0)
    assert predicted_wait(0, 2, today, 3) == [0, 5]  # half a service over two desks, +-3
    low, high = predicted_wait(10, 2, today, 3)
    assert high - low >= 6 and low <= 42 <= high  # 10.5 services over 2 desks


@given(
    st.integers(0, 200), st.integers(1, 10), st.floats(0.5, 90), st.floats(0, 60),
    st.integers(0, 60),
)  # fmt: skip
def test_a_range_never_shrinks_as_people_are_added(ahead, desks, minutes, spread, floor):
    today = Pace(minutes, spread)
    low, high = predicted_wait(ahead, desks, today, floor)
    low2, high2 = predicted_wait(ahead + 1, desks, today, floor)
    assert 0 <= low <= high and high - low >= min(floor, high)
    assert low2 >= low and high2 >= high


def _predict(ahead: int, served: list[float], desks: int) -> list[int]:
    return predicted_wait(ahead, desks, pace(8.0, served), 3)


@pytest.mark.parametrize(
    "day", [Day(), Day(load=1.1), Day(desks=1, mean=12), Day(desks=6, mean=15, cv=0.8)],
    ids=["3 desks", "overloaded", "1 desk", "6 slow desks"],
)  # fmt: skip
def test_most_real_waits_fall_inside_the_range(day: Day) -> None:
    """On simulated days (breaks, no-shows, a swelling morning), the real wait falls inside
    the predicted range about 80% of the time (docs: BENCHMARKS.md has the figures)."""
    scores = [score(simulate(_predict, seed, day)) for seed in range(1, 8)]
    assert statistics.mean(s.inside for s in scores) >= 0.72
