"""The branch's screens in Arabic, right to left, in headless Chromium: the call display and
the desk console of a branch whose first language is Arabic, every word from the Arabic
catalog, nothing cut; and the desk console in Italian. ``TOTEM_SHOTS=docs`` also writes the
README's screenshots (docs/display-ar.png, docs/desk-it.png, docs/desk-ar.png), at the test
clock (Monday 23 November 2026, 10:00 in Rome: inside opening hours)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.config import load
from kiosk.store import Store
from kiosk.totem import Totem
from tests.conftest import Clock
from tests.integration.test_branch_server import Branch
from tests.integration.test_display_page import browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.integration
NAMES = {"A": ("السجل المدني", "Anagrafe"), "B": ("بطاقة الهوية", "Carta d'identità")}
OVERFLOW = (
    "[...document.querySelectorAll(SELECTOR)].filter(e => e.offsetParent !== null && ("
    "e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > innerWidth + 1"
    " || e.getBoundingClientRect().left < -1)).map(e => e.id || e.textContent)"
)


def branch_in(lang: str, write_config, clock: Clock) -> tuple[Branch, Totem]:
    text = write_config().read_text()
    if lang == "ar":
        text = text.replace('languages = ["it", "en"]', 'languages = ["ar", "it", "en"]')
        for (ar, it), old in zip(NAMES.values(), ("Anagrafe", "Carta d'identità"), strict=True):
            text = text.replace(f'name = {{ it = "{old}"', f'name = {{ ar = "{ar}", it = "{it}"')
    config = load(write_config(text))
    store = Store(config.database)
    totem = Totem(config, store, b"k" * 32, clock=clock)
    for service in "AABAB":
        totem.issue_walkin(service)
    return Branch(config, clock), totem


def shot(page, name: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = Path(os.environ.get("TOTEM_SHOTS", tmp_path)) / name
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000


def test_the_call_display_in_arabic(browser, write_config, clock: Clock, tmp_path) -> None:  # noqa: F811
    branch, totem = branch_in("ar", write_config, clock)
    try:
        for desk in ("1", "2", "3"):
            branch.next(desk)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.clock.set_fixed_time(clock())  # the screenshot's clock: the test's, in hours
        page.goto(f"{branch.url}/display")
        page.wait_for_function(
            "document.querySelectorAll('#calls li:not([hidden])').length >= 2", timeout=10_000
        )
        assert page.inner_text("#ticket") == "A003"
        assert "10:00" in page.inner_text("header")
        assert page.get_attribute("html", "dir") == "rtl"
        assert page.get_attribute("html", "lang") == "ar"
        board = page.inner_text("#services")
        assert NAMES["A"][0] in board and NAMES["B"][0] in board
        desk = i18n.text("ar", "display.desk", desk="3")
        assert page.inner_text("#calls").split("\n")[::2] == ["A002", "A001"]
        assert page.inner_text("#desk").replace("➜", "").strip() == desk
        # The arrow to the desk points the way the line reads: leftwards, in Arabic.
        turned = page.evaluate("getComputedStyle(document.querySelector('#desk .arrow')).transform")
        assert turned.startswith("matrix(-1")
        assert page.evaluate(OVERFLOW.replace("SELECTOR", "'#ticket, #desk, header *'")) == []
        page.wait_for_timeout(3200)  # the call's three flashes
        shot(page, "display-ar.png", tmp_path)
        page.close()
    finally:
        branch.stop()
        totem.store.close()


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_the_desk_console_in_each_direction(
    browser,  # noqa: F811
    write_config,
    clock: Clock,
    tmp_path,
    lang: str,
) -> None:
    branch, totem = branch_in(lang, write_config, clock)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.clock.set_fixed_time(clock())
        page.goto(f"{branch.url}/desk/2")
        page.wait_for_selector("#token", state="visible", timeout=10_000)
        page.fill("#token", branch.tokens["2"])
        page.press("#token", "Enter")
        page.wait_for_selector("#console", state="visible", timeout=10_000)
        page.click("#next")
        page.wait_for_function(
            "document.getElementById('ticket').textContent.includes('A001')", timeout=10_000
        )
        assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
        assert page.inner_text("#next").strip() == i18n.text(lang, "desk.next")
        assert NAMES["B"][0 if lang == "ar" else 1] in page.inner_text("#services")
        buttons = "'#console button, #console label, #services *'"
        assert page.evaluate(OVERFLOW.replace("SELECTOR", buttons)) == []
        shot(page, f"desk-{lang}.png", tmp_path)
        page.close()
    finally:
        branch.stop()
        totem.store.close()
