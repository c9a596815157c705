"""The phone page a ticket's QR opens, in headless Chromium at 360x800: the position and the
wait, the desk within a second of the call, a reconnection after the server restarts, nothing
for a forged payload, no cookie, and under 50 KB in all."""

from __future__ import annotations

import dataclasses

import pytest
import requests
from playwright.sync_api import Page

from kiosk import secrets
from kiosk.config import Config
from kiosk.store import Store
from kiosk.totem import Totem
from tests.conftest import Clock
from tests.integration.test_branch_server import Branch
from tests.integration.test_display_page import browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.integration
PHONE = {"width": 360, "height": 800}
# The page's own policy forbids eval, which Playwright's waits use; the policy is tested with
# it on in the last test.
TESTING = {"viewport": PHONE, "bypass_csp": True}


def state_is(page: Page, state: str, timeout: int) -> None:
    page.wait_for_function(f"document.body.dataset.state === '{state}'", timeout=timeout)


@pytest.fixture
def office(config: Config, clock: Clock, store: Store):
    """A branch server, and a totem whose QRs hold the server's page address."""
    branch = Branch(config, clock)
    configured = dataclasses.replace(config, status_url=f"{branch.url}/t/")
    totem = Totem(configured, store, secrets.ensure(config.ticket_key_file), clock=clock)
    yield branch, totem
    branch.stop()


def test_the_qr_opens_the_turn_and_the_desk_shows_within_a_second(
    browser,  # noqa: F811
    office,
) -> None:
    branch, totem = office
    issued = [totem.issue_walkin("A", lang="en") for _ in range(3)]
    page = browser.new_page(**TESTING)
    responses = []
    page.on("response", lambda r: responses.append(r))
    try:
        page.goto(issued[2].qr)  # what the QR holds, as a phone's camera opens it
        assert page.inner_text("#code") == "A003"
        assert page.inner_text("#service") == "Registry office"  # the ticket's language
        assert page.inner_text("#big") == "2 people before you"
        assert page.inner_text("#more").startswith("Wait:")
        page.wait_for_function(
            "document.getElementById('conn').textContent === 'Updates by itself'"
        )
        for _ in range(2):
            branch.next("2")
        state_is(page, "waiting", 1000)
        page.wait_for_function("document.getElementById('big').textContent === 'You are next'")
        assert page.inner_text("#now") == "A002"
        branch.next("1")
        state_is(page, "called", 1000)  # within a second of the desk's call
        assert page.inner_text("#big") == "It's your turn"
        assert page.inner_text("#more") == "Go to desk 1"
        branch.post("1", "done")
        state_is(page, "done", 3000)
        assert page.inner_text("#big") == "Served. Thank you for coming."
        assert responses and not any("set-cookie" in r.all_headers() for r in responses)
    finally:
        page.close()


def test_the_page_reconnects_after_the_server_restarts(
    browser,  # noqa: F811
    office,
    config: Config,
    clock: Clock,
) -> None:
    branch, totem = office
    issued = [totem.issue_walkin("A") for _ in range(2)]
    page = browser.new_page(**TESTING)
    port = int(branch.url.rsplit(":", 1)[1])
    try:
        page.goto(issued[1].qr)
        assert page.inner_text("#big") == "1 persona prima di lei"  # Italian, the default
        branch.stop()
        page.wait_for_function(
            "document.getElementById('conn').className === 'lost'", timeout=10_000
        )
        assert page.inner_text("#conn") == "Connessione persa: riprovo…"
        branch = Branch(config, clock, port=port)
        page.wait_for_function("document.getElementById('conn').className === ''", timeout=30_000)
        branch.next("3")
        branch.next("3")
        state_is(page, "called", 5000)
        assert page.inner_text("#more") == "Vada allo sportello 3"
    finally:
        page.close()
        branch.stop()


def test_a_forged_payload_gets_no_position(
    browser,  # noqa: F811
    office,
) -> None:
    branch, totem = office
    genuine = totem.issue_walkin("A").payload
    forged = genuine[:-1] + str((int(genuine[-1]) + 1) % 10)
    page = browser.new_page(**TESTING, locale="en-GB")
    try:
        answer = page.goto(f"{branch.url}/t/{forged}")
        assert answer is not None and answer.status == 404
        assert page.inner_text("#big") == "Not a ticket of this office."
        assert page.is_hidden("#ticket") and page.inner_text("#more") == ""
        assert "A001" not in page.content()
        assert page.is_hidden("#nowrow") and page.is_hidden("#alerts")
    finally:
        page.close()


def test_the_page_is_small_sets_no_cookie_and_loads_nothing_else(
    browser,  # noqa: F811
    office,
) -> None:
    branch, totem = office
    qr = totem.issue_walkin("A", lang="en").qr
    page = browser.new_page(viewport=PHONE)
    sizes: dict[str, int] = {}
    page.on("requestfinished", lambda r: sizes.__setitem__(r.url, r.sizes()["responseBodySize"]))
    try:
        page.goto(qr)
        page.wait_for_selector("#conn:not(:empty)")
        page.wait_for_timeout(300)
        pages = [u for u in sizes if "/stream" not in u]
        assert pages == [qr]  # no font, no script, no image from anywhere
        assert sum(sizes.values()) < 50 * 1024
        assert page.get_attribute("html", "lang") == "en"
        # readable at 360x800: nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        page.close()
    answer = requests.get(qr, timeout=5)
    assert "set-cookie" not in answer.headers
    assert answer.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in answer.headers["content-security-policy"]


# Records what the page asks of the phone: vibrations, notifications, sounds.
SPY = """
window.__told = [];
navigator.vibrate = function (p) { window.__told.push("vibrate:" + JSON.stringify(p)); return true; };
window.Notification = function (title) { window.__told.push("notify:" + title); };
window.Notification.permission = "granted";
window.Notification.requestPermission = function () { return Promise.resolve("granted"); };
"""


def test_the_phone_is_told_when_three_are_left_and_when_called(
    browser,  # noqa: F811
    office,
) -> None:
    branch, totem = office
    issued = [totem.issue_walkin("A", lang="en") for _ in range(6)]
    page = browser.new_page(**TESTING)
    page.add_init_script(SPY)
    try:
        page.goto(issued[5].qr)  # 5 ahead
        page.click("#alerts")
        assert page.inner_text("#alerts") == "Alerts on: keep this page open"
        page.evaluate("window.__told = []")
        branch.next("1")  # 4 ahead: nothing yet
        page.wait_for_function("document.getElementById('big').textContent.startsWith('4')")
        assert page.evaluate("window.__told.filter(t => t.startsWith('notify'))") == []
        branch.next("2")  # 3 ahead: told
        page.wait_for_function("window.__told.some(t => t.startsWith('notify'))", timeout=3000)
        told = page.evaluate("window.__told")
        assert "notify:Almost your turn: come back to the waiting room" in told
        assert any(t.startswith("vibrate:[") for t in told)
        for desk in ("1", "2", "3"):
            branch.next(desk)
        page.evaluate("window.__told = []")
        branch.next("1")  # its turn
        page.wait_for_function("window.__told.some(t => t.startsWith('notify'))", timeout=3000)
        assert "notify:It's your turn. Go to desk 1" in page.evaluate("window.__told")
    finally:
        page.close()


def test_a_ticket_sent_to_another_service_shows_it_and_is_told_again(
    browser,  # noqa: F811
    office,
) -> None:
    branch, totem = office
    mine = totem.issue_walkin("A", lang="en")
    page = browser.new_page(**TESTING)
    page.add_init_script(SPY)
    try:
        page.goto(mine.qr)
        page.click("#alerts")
        branch.next("1")
        state_is(page, "called", 2000)
        assert branch.post("1", "transfer", {"service": "B"}).status_code == 200
        page.wait_for_function(
            "document.getElementById('service').textContent === 'Identity card'", timeout=5000
        )  # the page names the new service
        assert page.inner_text("#big") == "You are next"
        page.evaluate("window.__told = []")
        assert branch.next("3", ["B"]) == "A001"
        page.wait_for_function("window.__told.some(t => t.startsWith('notify'))", timeout=3000)
        assert "notify:It's your turn. Go to desk 3" in page.evaluate("window.__told")
    finally:
        page.close()


def test_arabic_is_said_in_its_own_plural_forms_on_the_phone(
    browser,  # noqa: F811
    config: Config,
    clock: Clock,
    store: Store,
    tmp_path,
) -> None:
    """The page picks CLDR's form with the phone's own Intl.PluralRules: two people ahead are
    "شخصان", never "2 أشخاص". ``TOTEM_SHOTS=docs`` also writes the README's screenshots."""
    import os
    from pathlib import Path

    config = dataclasses.replace(config, languages=("it", "en", "ar"))
    branch = Branch(config, clock)
    configured = dataclasses.replace(config, status_url=f"{branch.url}/t/")
    totem = Totem(configured, store, secrets.ensure(config.ticket_key_file), clock=clock)
    issued = [totem.issue_walkin("A", lang=lang) for lang in ("en", "en", "ar", "en", "it")]
    shots = Path(os.environ.get("TOTEM_SHOTS", tmp_path))
    page = browser.new_page(**TESTING)
    try:
        page.goto(issued[2].qr)
        assert page.get_attribute("html", "dir") == "rtl"
        assert page.inner_text("#big") == "شخصان قبلك"
        page.wait_for_function("document.getElementById('conn').textContent !== ''")
        page.screenshot(path=str(shots / "phone-waiting-ar.png"), full_page=True)
        page.goto(issued[3].qr)
        assert page.inner_text("#big") == "3 people before you"
        page.screenshot(path=str(shots / "phone-waiting-en.png"), full_page=True)
        page.goto(issued[4].qr)
        assert page.inner_text("#big") == "4 persone prima di lei"
        page.screenshot(path=str(shots / "phone-waiting-it.png"), full_page=True)
        branch.next("1")
        page.goto(issued[1].qr)
        assert page.inner_text("#big") == "You are next"
    finally:
        page.close()
        branch.stop()
