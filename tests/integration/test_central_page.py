"""The managers' statistics page in headless Chromium: sign in with a manager token, a week's
figures with charts drawn server-side, nothing fetched from anywhere else, small counts hidden,
no desk. ``TOTEM_SHOTS=docs`` also writes the README's screenshot."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from central import store
from central.server import CentralServer
from kiosk.branding import Branding
from tests.integration.test_central import post, simulated_week
from tests.integration.test_display_page import browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.integration


ROOT = Path(__file__).parents[2]
TOWN = "#7a1f2b"


def test_a_manager_signs_in_and_reads_a_week(browser, tmp_path: Path) -> None:  # noqa: F811
    crest = tmp_path / "crest.svg"
    crest.write_bytes((ROOT / "config" / "crest.svg").read_bytes())
    server = CentralServer(tmp_path / "central.sqlite3",
                           branding=Branding(primary=TOWN, logo=crest)).start()  # fmt: skip
    try:
        token = server.enrol("roma-m1-totem-1", "b1")
        events = simulated_week(random.Random(7))
        for i in range(0, len(events), 300):
            assert post(server, token, "roma-m1-totem-1", events[i : i + 300]).status_code == 200
        manager = store.add_staff(server.db, "m.rossi", "manager", "b1")
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        elsewhere: list[str] = []
        page.on(
            "request", lambda r: None if r.url.startswith(server.url) else elsewhere.append(r.url)
        )
        page.goto(f"{server.url}/stats?branch=b1&from=2026-11-16&to=2026-11-22")
        assert page.url.endswith("/signin?lang=en")  # not signed in: sent to sign in
        # The town's: its crest drawn (from this server, under the page's policy), its colour.
        assert page.evaluate("document.querySelector('header img.crest').naturalWidth") > 0
        header = page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor")
        assert header == "rgb(122, 31, 43)"
        page.fill("input[name=token]", "not-a-manager-token")
        page.click("button[type=submit]")
        assert "not a manager" in page.inner_text("[role=alert]")
        page.fill("input[name=token]", manager)
        page.click("button[type=submit]")
        page.goto(f"{server.url}/stats?branch=b1&from=2026-11-16&to=2026-11-22")
        doc = requests.get(f"{server.url}/v1/branches/b1/stats?from=2026-11-16&to=2026-11-22",
                           headers={"Authorization": f"Bearer {manager}"}, timeout=10).json()  # fmt: skip
        assert page.inner_text("h1") == "Statistics: b1"
        assert "Service A" not in page.content()  # a service is its name, or its code
        store.set_branch(server.db, "b1", "Roma, Municipio I", {"A": "Anagrafe", "B": "Tributi"})
        page.click("nav.languages >> text=Italiano")
        assert page.inner_text("h1") == "Statistiche: Roma, Municipio I"
        assert page.inner_text("thead").split("\t")[:2] == ["Giorno", "Servizio"]
        assert "16 nov 2026" in page.inner_text("tbody") and "Anagrafe" in page.inner_text("tbody")
        assert "Anagrafe" in page.inner_text(".legend") and "Service" not in page.inner_text("main")
        shots = Path(os.environ.get("TOTEM_SHOTS", tmp_path))
        page.screenshot(path=str(shots / "central-stats-it.png"), full_page=True)
        page.click("nav.languages >> text=العربية")
        assert page.get_attribute("html", "dir") == "rtl" and page.inner_text("h1").startswith(
            "الإحصاءات"
        )
        page.screenshot(path=str(shots / "central-stats-ar.png"), full_page=True)
        assert (shots / "central-stats-ar.png").stat().st_size > 20_000
        page.click("nav.languages >> text=English")
        assert page.locator("svg[role=img]").count() == 3
        assert page.locator("svg rect").count() > 10  # bars were drawn
        rows = page.locator("tbody tr")
        assert rows.count() == len({(e["day"], e["service"]) for e in events})
        text = page.inner_text("main")
        assert "never send which desk" in text and "hidden" in text and "<5" not in text
        assert "Anagrafe" in text and "Nov 16, 2026" in text
        # The range at a glance; with a hidden day in it, a sum says "at least" what is shown
        # (the whole would give the hidden cells away).
        tiles = page.locator("section.tiles .tile").all_inner_texts()
        assert [t.split("\n")[0] for t in tiles] == [
            "Tickets issued",
            "Citizens served",
            "No-shows",
            "Median wait",
        ]
        shown = sum(d["issued"] for d in doc["days"] if d["issued"] is not None)
        assert tiles[0].split("\n")[1] == f"at least {shown}"
        assert tiles[3].split("\n")[1].endswith(" min")
        # A hidden count is a hatched stub, not an empty bar reading as none.
        hatched = page.locator("svg rect[fill^='url(#hatch']")
        assert hatched.count() == sum(1 for d in doc["days"] if d["issued"] is None) > 0
        assert "hidden" in (hatched.first.text_content() or "")
        assert "desk" not in page.inner_text("table").lower()
        cookie = next(c for c in page.context.cookies() if c["name"] == "central_manager")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["secure"]
        assert cookie["value"] != manager  # a session, never the manager's token itself
        shot = Path(os.environ.get("TOTEM_SHOTS", tmp_path)) / "central-stats.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 20_000
        page.click("text=Sign out")
        assert page.url.endswith("/signin")
        assert elsewhere == []
        # The cookie someone copied before the sign-out is worthless after it.
        stolen = requests.get(f"{server.url}/stats", cookies={"central_manager": cookie["value"]},
                              allow_redirects=False, timeout=10)  # fmt: skip
        assert stolen.status_code == 303 and stolen.headers["location"] == "signin?lang=it"
    finally:
        server.stop()


def test_sign_out_from_another_site_is_refused(tmp_path: Path) -> None:
    """A page elsewhere posting to /signout (CSRF) does not end the manager's session."""
    server = CentralServer(tmp_path / "central.sqlite3").start()
    try:
        store.add_staff(server.db, "m.rossi", "manager", "b1")
        who = store.Staff("m.rossi", "manager", "b1")
        session = store.open_session(server.db, who, datetime.now(UTC))
        forged = requests.post(f"{server.url}/signout", cookies={"central_manager": session},
                               headers={"Origin": "https://evil.example", "Sec-Fetch-Site":
                                        "cross-site"}, allow_redirects=False, timeout=10)  # fmt: skip
        assert forged.status_code == 403
        assert store.staff_of_session(server.db, session, datetime.now(UTC)) == who
        mine = requests.post(f"{server.url}/signout", cookies={"central_manager": session},
                             headers={"Sec-Fetch-Site": "same-origin"}, allow_redirects=False,
                             timeout=10)  # fmt: skip
        assert mine.status_code == 303
        assert store.staff_of_session(server.db, session, datetime.now(UTC)) is None
        assert store.remove_staff(server.db, "m.rossi")
    finally:
        server.stop()


def test_the_towns_look_is_checked_when_the_central_starts(tmp_path: Path) -> None:
    """A colour too light or a crest that could run a script: one line, exit 2, no server;
    without a crest, the pages draw none and /branding/logo is not found."""
    import subprocess
    import sys

    kiosk = Path(sys.executable).with_name("kiosk")
    bad = tmp_path / "bad.svg"
    bad.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    base = [str(kiosk), "--config", "/nonexistent/kiosk.toml", "central", "serve",
            "--database", f"sqlite:///{tmp_path / 'c.sqlite3'}", "--listen", "127.0.0.1:0"]  # fmt: skip
    for extra, said in ((["--primary", "#ffee00"], "--primary: #ffee00 is too light"),
                        (["--logo", str(bad)], "--logo: "),
                        (["--logo", str(tmp_path / "none.svg")], "no such file")):  # fmt: skip
        done = subprocess.run([*base, *extra], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and said in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    server = CentralServer(tmp_path / "plain.sqlite3").start()
    try:
        assert "<img" not in requests.get(f"{server.url}/signin", timeout=10).text
        assert requests.get(f"{server.url}/branding/logo", timeout=10).status_code == 404
    finally:
        server.stop()


def test_the_citizens_phone_page_on_the_central_is_the_towns_too(tmp_path: Path) -> None:
    crest = tmp_path / "crest.svg"
    crest.write_bytes((ROOT / "config" / "crest.svg").read_bytes())
    server = CentralServer(tmp_path / "central.sqlite3",
                           branding=Branding(primary=TOWN, logo=crest)).start()  # fmt: skip
    try:
        server.enrol("roma-m1-totem-1", "b1")
        page = requests.get(f"{server.url}/t/b1/", timeout=10)
        assert page.status_code == 200 and '<img src="/branding/logo"' in page.text
        assert TOWN in page.text
        logo = requests.get(f"{server.url}/branding/logo", timeout=10)
        assert logo.status_code == 200 and logo.headers["content-type"].startswith("image/svg")
        assert logo.content == crest.read_bytes()
    finally:
        server.stop()
