"""The call display in headless Chromium: a new call shows within a second, is announced, and
the page reconnects by itself after the server restarts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from kiosk.config import BRANCH_NAME_MAX, Config, load
from kiosk.server import desks as desk_tokens
from kiosk.store import Store
from kiosk.totem import Totem
from tests.conftest import Clock
from tests.integration.test_branch_server import Branch

ROOT = Path(__file__).resolve().parents[2]

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


# The longest the configuration allows: a 48-character name (kiosk.config.BRANCH_NAME_MAX), a
# two-letter service code of the widest letters, desk 888.
LONGEST_NAME = "Municipio XV - Servizi demografici, stato civile"


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1080, 1920)])
def test_the_longest_code_desk_and_name_are_never_cut(
    browser, write_config, clock: Clock, tmp_path, width: int, height: int
) -> None:
    """The design review's overflow: SS012 or a long branch name cut the number and pushed the
    clock off a portrait display. Every text is sized to its length and stays on the screen;
    the services board shows each queue; the reconnecting banner covers nothing."""
    assert len(LONGEST_NAME) == BRANCH_NAME_MAX
    text = write_config().read_text()
    text = text.replace('branch_name = "Ufficio di prova"', f'branch_name = "{LONGEST_NAME}"')
    text = text.replace('code = "A"', 'code = "WM"')
    (tmp_path / "crest.svg").write_bytes((ROOT / "config" / "crest.svg").read_bytes())
    config = load(write_config(text + '\n[branding]\nprimary = "#7a1f2b"\nlogo = "crest.svg"\n'))
    with Store(config.database) as store:
        totem = Totem(config, store, b"k" * 32, clock=clock)
        for _ in range(8):
            totem.issue_walkin("WM")
    branch = Branch(config, clock)
    try:
        with Store(config.database) as store:
            token = desk_tokens.add(store, "888", replace=True)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.clock.set_fixed_time(clock())  # the screenshot's clock: the test's, in hours
        page.goto(f"{branch.url}/display")
        page.wait_for_function(
            "document.querySelectorAll('#services li').length === 2", timeout=10_000
        )
        assert page.is_visible("#empty") and not page.is_visible("#ticket")  # no call yet
        for _ in range(6):
            assert branch.post("888", "next", {"services": ["WM"]}, token=token).status_code == 200
        page.wait_for_function(
            "document.getElementById('ticket').textContent === 'WM006'", timeout=10_000
        )
        page.wait_for_function("!document.getElementById('logo').hidden", timeout=5000)
        page.wait_for_timeout(300)  # the fit after the logo took its room
        cut = page.evaluate(
            "[...document.querySelectorAll('#ticket, #desk, #calls li, header > *, #services li')]"
            ".filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > innerWidth + 1"
            " || e.getBoundingClientRect().left < -1 || e.getBoundingClientRect().bottom > innerHeight + 1)"
            ".map(e => [e.id || e.textContent, e.scrollWidth, e.clientWidth, e.getBoundingClientRect().bottom])"
        )
        assert cut == []
        half = page.evaluate(
            "(() => { const end = document.getElementById('history').getBoundingClientRect().bottom;"
            " return [...document.querySelectorAll('#calls li')].filter(e => !e.hidden"
            " && e.getBoundingClientRect().bottom > end + 1).length; })()"
        )
        assert half == 0  # a last call that does not fit is not shown, never half of it
        assert page.locator("#calls li:not([hidden])").count() >= 2
        size = page.evaluate(
            "parseFloat(getComputedStyle(document.getElementById('ticket')).fontSize)"
        )
        assert size >= 0.16 * min(width, height)  # a five-character code still reads across a room
        assert page.inner_text("#branch") == LONGEST_NAME
        assert "Sportello 888" in page.inner_text("#desk")
        board = page.inner_text("#services")
        assert "2 persone in attesa" in board and "Carta d'identità" in board
        shot = Path(os.environ.get("TOTEM_SHOTS", tmp_path)) / (
            f"display-{'landscape' if width > height else 'portrait'}.png"
        )
        page.wait_for_timeout(3200)  # the new call's three flashes
        page.screenshot(path=str(shot))
        branch.stop()  # offline: the banner takes its own row, the last call stays in view
        page.wait_for_function("document.body.classList.contains('offline')", timeout=10_000)
        covered = page.evaluate(
            "(() => { const s = document.getElementById('status').getBoundingClientRect();"
            " return [...document.querySelectorAll('#calls li, #ticket, #services li')]"
            ".filter(e => { const r = e.getBoundingClientRect();"
            " return r.top < s.bottom && r.bottom > s.top; }).length; })()"
        )
        assert covered == 0
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
