"""The call display in headless Chromium: a new call shows within a second, is announced, and
the page reconnects by itself after the server restarts."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import sync_playwright

from kiosk.config import Config
from kiosk.store import Store
from kiosk.totem import Totem
from tests.conftest import Clock
from tests.integration.test_branch_server import Branch

pytestmark = pytest.mark.integration
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip


@pytest.fixture
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_display_shows_and_announces_a_call_then_survives_a_restart(
    browser, config: Config, clock: Clock, store: Store
) -> None:
    totem = Totem(config, store, b"k" * 32, clock=clock)
    for _ in range(3):
        totem.issue_walkin("A")
    branch = Branch(config, clock)
    port = int(branch.url.rsplit(":", 1)[1])
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    announced: list[str] = []
    page.on(
        "request", lambda r: announced.append(r.url) if "/api/v1/announcement" in r.url else None
    )
    try:
        page.goto(f"{branch.url}/display")
        page.wait_for_function("!document.body.classList.contains('offline')", timeout=10_000)
        assert page.inner_text("#branch") == "Ufficio di prova"
        branch.next("2")
        page.wait_for_function(
            "document.getElementById('ticket').textContent === 'A001'", timeout=1000
        )
        assert "Sportello 2" in page.inner_text("#desk")
        for _ in range(100):  # the announcement follows the chime
            if any("ticket=A001" in u and "desk=2" in u for u in announced):
                break
            page.wait_for_timeout(50)
        assert any("ticket=A001" in u and "desk=2" in u for u in announced)

        branch.stop()  # the server restarts: the page says it is reconnecting...
        page.wait_for_function("document.body.classList.contains('offline')", timeout=10_000)
        assert page.is_visible("#status")
        branch = Branch(config, clock, port=port)
        page.wait_for_function("!document.body.classList.contains('offline')", timeout=30_000)
        branch.next("3")  # ...and shows the next call without anyone touching it
        page.wait_for_function(
            "document.getElementById('ticket').textContent === 'A002'", timeout=5000
        )
        assert "A001" in page.inner_text("#calls")
    finally:
        page.close()
        branch.stop()


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1080, 1920)])
def test_display_fits_landscape_and_portrait(
    browser, config: Config, clock: Clock, store: Store, width: int, height: int
) -> None:
    totem = Totem(config, store, b"k" * 32, clock=clock)
    for _ in range(6):
        totem.issue_walkin("A")
    branch = Branch(config, clock)
    try:
        for _ in range(6):
            branch.next("12")
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(f"{branch.url}/display")
        page.wait_for_function(
            "document.getElementById('ticket').textContent === 'A006'", timeout=10_000
        )
        overflow = page.evaluate(
            "[...document.querySelectorAll('#ticket, #desk, #calls li, header span')]"
            ".filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > innerWidth)"
            ".map(e => e.id || e.textContent)"
        )
        assert overflow == []
        # Readable from 10 metres: on a 42" 1080p screen 300 px is 15 cm, and 8 cm letters
        # already read at 10 m (an inch per ten feet).
        size = page.evaluate(
            "parseFloat(getComputedStyle(document.getElementById('ticket')).fontSize)"
        )
        assert size >= 0.28 * min(width, height)
        page.close()
    finally:
        branch.stop()


def test_the_clocks_show_the_branchs_time_not_the_screens(
    browser, config: Config, clock: Clock
) -> None:
    from datetime import datetime, timedelta

    branch = Branch(config, clock)
    context = browser.new_context(timezone_id="America/New_York")  # a screen set up abroad
    try:
        for path in ("/display", "/desk/1"):
            page = context.new_page()
            page.goto(f"{branch.url}{path}")
            now = datetime.now(config.timezone)
            near = sorted({(now + timedelta(minutes=d)).strftime("%H:%M") for d in (-1, 0, 1)})
            # The branch's zone arrives with /api/v1/info; the clock follows within a second.
            page.wait_for_function(
                "near => near.includes(document.getElementById('clock').textContent.trim())",
                arg=near,
                timeout=10_000,
            )
            page.close()
    finally:
        context.close()
        branch.stop()


def test_the_desk_console_takes_its_code_with_enter(browser, config: Config, clock: Clock) -> None:
    """A desk's code typed on a tablet's keyboard is saved by Enter, as by the button; a wrong
    one is said, and the field is labelled (a screen reader names it)."""
    branch = Branch(config, clock)
    try:
        page = browser.new_page()
        page.goto(f"{branch.url}/desk/2")
        page.wait_for_selector("#token", state="visible", timeout=10_000)
        assert page.evaluate("document.getElementById('token').labels.length") == 1
        page.fill("#token", "not-the-code")
        page.press("#token", "Enter")
        page.wait_for_function(
            "document.getElementById('login-text').textContent.includes('non valido')",
            timeout=10_000,
        )
        page.fill("#token", branch.tokens["2"])
        page.press("#token", "Enter")
        page.wait_for_selector("#console", state="visible", timeout=10_000)
        assert page.is_hidden("#login")
        page.close()
    finally:
        branch.stop()
