"""The central's phone page (contract v3), in headless Chromium: a ticket's QR opens its
position, wait and desk through the real totem, sync agent and central service, the page
opening the ticket's own sealed box with WebCrypto; neither the payload nor the seal ever
reaches the central, which keeps only boxes it cannot open."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
import requests
from playwright.sync_api import Page

from central import phone as central_phone
from central import store as central_store
from central.server import CentralServer
from kiosk import secrets
from kiosk.config import Config
from kiosk.core import payload as ticket_payload
from kiosk.store import Store
from kiosk.store import desks as store_desks
from kiosk.totem import Totem
from sync.agent import SyncAgent
from sync.client import CentralClient
from tests.conftest import Clock
from tests.helpers import seat
from tests.integration.test_display_page import browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.integration
PHONE = {"viewport": {"width": 360, "height": 800}, "bypass_csp": True}  # Playwright's waits eval


@pytest.fixture
def office(synced: Config, sync_store: Store, central: CentralServer, clock: Clock):
    """A totem whose QRs point at the central's page, and its sync agent."""
    key = secrets.ensure(synced.ticket_key_file)
    printed = dataclasses.replace(synced, status_url=f"{central.url}/t/test-branch/#")
    totem = Totem(printed, sync_store, key, clock=clock)
    client = CentralClient(synced.central_url, synced.central_token_file, timeouts=(2.0, 5.0))
    agent = SyncAgent(synced, sync_store, client, clock=clock, key=key)
    central_store.set_branch(
        central.db, "test-branch", "Ufficio di prova", {"A": "Registry office"}
    )
    return totem, agent


def tick(agent: SyncAgent, clock: Clock) -> None:
    """The next minute: the agent seals the queue again and sends it."""
    clock.now += timedelta(minutes=1)
    agent.reports.due()
    assert agent.drain()


def says(page: Page, text: str, timeout: int = 5000) -> None:
    page.wait_for_function(
        f"document.getElementById('big').textContent === {json.dumps(text)}", timeout=timeout
    )


def call(sync_store: Store, clock: Clock, desk: str) -> None:
    store_desks.call_next(sync_store, seat(desk), ["A"], "2026-11-23", clock())


def test_the_qr_opens_its_own_sealed_status_and_follows_the_queue(
    browser,  # noqa: F811
    office,
    central: CentralServer,
    sync_store: Store,
    clock: Clock,
    monkeypatch,
) -> None:
    monkeypatch.setattr(central_phone, "POLL_S", 1)
    totem, agent = office
    issued = [totem.issue_walkin("A", lang="en") for _ in range(3)]
    qr = issued[2].qr
    assert qr.startswith(f"{central.url}/t/test-branch/#{issued[2].payload}.")
    tick(agent, clock)
    page = browser.new_page(**PHONE, extra_http_headers={"Accept-Language": "en"})
    try:
        page.goto(qr)  # what the QR holds, as a phone's camera opens it
        says(page, "2 people before you")
        # These boxes were sealed on the tests' Monday, days before the browser's own clock:
        # the page says they are not fresh (a totem cut off, or a document replayed).
        assert page.inner_text("#conn") == "Connection lost: trying again…"
        assert page.inner_text("#code") == "A003"
        assert page.inner_text("#service") == "Registry office"
        assert page.inner_text("#more").startswith("Wait:")
        call(sync_store, clock, "2")
        call(sync_store, clock, "2")
        tick(agent, clock)
        says(page, "You are next")
        assert page.inner_text("#now") == "A002"
        call(sync_store, clock, "1")
        tick(agent, clock)
        says(page, "It's your turn")
        # The sync agent cannot tell which desk (only the branch server's memory can): the
        # page sends the citizen to the screens, which show it.
        assert page.inner_text("#more") == "See the screens for your desk"
        store_desks.done(sync_store, seat(), None, "2026-11-23", clock())
        tick(agent, clock)
        page.wait_for_function("document.body.dataset.state === 'past'", timeout=5000)
    finally:
        page.close()
    # Neither the payload nor its seal ever reached the central: the fragment stays on the phone.
    seal = qr.rsplit(".", 1)[1]
    assert any(p == "/t/test-branch/sealed" for p in central.faults.paths)
    assert not [p for p in central.faults.paths if issued[2].payload in p or seal in p]
    # What the central keeps of the queue is boxes it cannot open: no number, no state, no desk.
    rows = central.db.run(lambda tx: tx.execute("SELECT boxes FROM sealed"))
    kept = json.dumps(rows)
    assert "A003" not in kept and "waiting" not in kept and "desk" not in kept


def test_a_wrong_seal_or_another_days_ticket_gets_no_position(
    browser,  # noqa: F811
    office,
    central: CentralServer,
    clock: Clock,
    monkeypatch,
) -> None:
    monkeypatch.setattr(central_phone, "POLL_S", 1)
    totem, agent = office
    issued = totem.issue_walkin("A", lang="en")
    tick(agent, clock)
    forged = issued.qr[:-4] + ("AAAA" if not issued.qr.endswith("AAAA") else "BBBB")
    yesterday = ticket_payload.sign(b"k", "test-branch", clock().date() - timedelta(days=1), "A001")
    page = browser.new_page(**PHONE, extra_http_headers={"Accept-Language": "en"})
    try:
        page.goto(forged)
        page.wait_for_function("document.body.dataset.state === 'pending'")
        page.wait_for_timeout(2500)  # two more looks at the boxes: still nothing to open
        assert page.evaluate("document.body.dataset.state") == "pending"
        assert page.inner_text("#big") == "Your ticket will appear here in a moment."
        page.goto(f"{central.url}/t/test-branch/#{yesterday}.AAAAAAAAAAAAAAAA")
        page.wait_for_function("document.body.dataset.state === 'unknown'")
        page.goto(f"{central.url}/t/test-branch/#not-a-ticket")
        page.wait_for_function("document.getElementById('big').textContent.length > 0")
        assert page.inner_text("#big") == "Not a ticket of this office."
    finally:
        page.close()


def test_the_boxes_are_one_document_for_every_phone_and_old_addresses_are_gone(
    office, central: CentralServer, clock: Clock
) -> None:
    totem, agent = office
    issued = totem.issue_walkin("A")
    tick(agent, clock)
    url = f"{central.url}/t/test-branch/sealed"
    first = requests.get(url, timeout=5)
    doc = first.json()
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    assert [(s["service"], s["day"], len(s["boxes"])) for s in doc["services"]] == [
        ("A", "2026-11-23", 8), ("B", "2026-11-23", 8),
    ]  # fmt: skip
    again = requests.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=5)
    assert again.status_code == 304 and not again.content
    assert requests.get(f"{central.url}/t/test-branch/", timeout=5).status_code == 200
    assert requests.get(f"{central.url}/t/nowhere/", timeout=5).status_code == 404
    # Version 2's address had the payload in its path: it is refused, and says nothing.
    old = requests.get(f"{central.url}/t/test-branch/{issued.payload}", timeout=5)
    assert old.status_code == 410 and "A001" not in old.text
    assert "set-cookie" not in first.headers


def test_a_guest_wifi_of_phones_is_served_and_a_script_is_held_back(
    central: CentralServer,
) -> None:
    """A hundred phones behind one address (an IPv6 /64, a NAT) polling every 30 s ask about
    3 times a second: all served. A script asking as fast as it can runs out of budget."""
    url = f"{central.url}/t/test-branch/sealed"
    with requests.Session() as session:
        answers = [
            session.get(url, timeout=5).status_code for _ in range(central_phone.PER_ADDRESS_BURST)
        ]
        assert set(answers) == {200}
        more = [session.get(url, timeout=5) for _ in range(60)]
    refused = [a for a in more if a.status_code == 429]
    assert refused and refused[0].headers["Retry-After"]


def test_fresh_boxes_say_the_page_is_live(
    browser,  # noqa: F811
    office,
    clock: Clock,
) -> None:
    from datetime import UTC, datetime

    totem, agent = office
    clock.now = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    issued = totem.issue_walkin("A", lang="en")
    tick(agent, clock)
    page = browser.new_page(**PHONE, extra_http_headers={"Accept-Language": "en"})
    try:
        page.goto(issued.qr)
        says(page, "You are next")
        assert page.inner_text("#conn") == "Updates by itself"
    finally:
        page.close()
