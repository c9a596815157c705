"""Without sight: the keypad alone (a simulated evdev keypad, read through evdev's own reader)
gets a ticket, a re-entry and the privacy notice, every step spoken; speech mode reads on the
first touch and acts on the second; the warning before the idle reset is seen, heard and
extends with one touch."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt

from drivers.keypad import EvdevKeypad
from drivers.printer.device import Printer
from drivers.printer.transport.sim import SimTransport
from drivers.sim.keypad import KeypadSim
from drivers.sim.printer import SimPrinter
from kiosk.config import Config
from kiosk.core import payload
from kiosk.store import Store
from kiosk.ui.app import TotemApp
from kiosk.ui.assist import WARN_S
from kiosk.ui.worker import make_totem_factory
from tests.conftest import Clock

pytestmark = pytest.mark.gui


@pytest.fixture
def blind(qtbot, config: Config, clock: Clock):
    """The UI with a keypad and nothing else: no touch is made in these tests."""
    sim = KeypadSim()
    paper = SimPrinter()
    printer = Printer(SimTransport(paper), "sim://", status_timeout=0.05)
    app = TotemApp(config, make_totem_factory(config, b"k" * 32, printer, clock), clock,
                   printer=printer, lockdown=False, keypad=EvdevKeypad(sim.opener))  # fmt: skip
    said: list[str] = []
    app.window.assist.say = None  # heard through the signal, not the speaker
    app.window.assist.spoken.connect(said.append)
    qtbot.addWidget(app.window)
    app.window.resize(1080, 1920)
    app.window.show()
    app.start()
    qtbot.waitUntil(lambda: app.keypad is not None and app.keypad.notifier is not None,
                    timeout=10_000)  # fmt: skip
    yield app, sim, said, paper
    app.window.setProperty("allowClose", True)
    app.stop()
    sim.close()


def press(qtbot, sim: KeypadSim, said: list[str], keys: str) -> str:
    """Press keys one by one, each heard before the next; what was said last."""
    for key in keys:
        before = len(said)
        sim.press(key)
        qtbot.waitUntil(lambda before=before: len(said) > before, timeout=5000)
    qtbot.wait(20)
    return said[-1]


def test_the_keypad_alone_gets_a_ticket_a_reentry_and_the_notice(qtbot, blind, clock) -> None:
    app, sim, said, paper = blind
    w = app.window
    heard = press(qtbot, sim, said, "5")  # the key with the nib: speech on, the screen read
    assert w.assist.on and "Tocchi il servizio che le serve" in heard and "Anagrafe" in heard
    assert "4 e 6 per scorrere" in heard
    heard = press(qtbot, sim, said, "6")  # the first service, read as it is reached
    assert heard.startswith("Anagrafe")
    press(qtbot, sim, said, "5")  # chosen: the ticket, printed and read
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.ticket, timeout=10_000)
    qtbot.waitUntil(lambda: "Il suo numero è a uno" in said[-1], timeout=5000)
    assert len(paper.jobs) == 1
    # Served, then back with the same ticket: the scanner reads it, the keypad does the rest.
    with Store(app.config.database) as store, store.write() as conn:
        conn.execute(
            "UPDATE tickets SET status = 'done', called_at = issued_at, done_at = issued_at"
        )
    code = payload.sign(b"k" * 32, app.config.branch,
                        clock().astimezone(app.config.timezone).date(), "A001")  # fmt: skip
    w.request_scan.emit(code, w.lang)
    qtbot.waitUntil(lambda: w.ticket.code.text() == "A002", timeout=10_000)
    qtbot.waitUntil(lambda: "Bentornato" in said[-1] and "a due" in said[-1], timeout=5000)
    heard = press(qtbot, sim, said, "8")  # repeat
    assert "a due" in heard
    # To the privacy notice: move along the buttons (the footer's too) to "Privacy".
    for _ in range(30):
        heard = press(qtbot, sim, said, "6")
        if heard.startswith("Privacy"):
            break
    assert heard.startswith("Privacy")
    press(qtbot, sim, said, "5")
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.privacy, timeout=5000)
    qtbot.waitUntil(lambda: "Informativa sul trattamento dei dati" in said[-1], timeout=5000)
    assert "Nessun dato che la identifichi" in said[-1]  # the three statements first
    first = press(qtbot, sim, said, "6")  # then the whole notice
    assert "Pagina 1 di" in first and "Titolare" in first
    heard = press(qtbot, sim, said, "6")  # the next page, read
    assert heard != first and "Pagina 2" in heard
    press(qtbot, sim, said, "5")
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.home, timeout=5000)
    press(qtbot, sim, said, "0")
    assert not w.assist.on


def test_speech_mode_reads_on_the_first_touch_and_acts_on_the_second(qtbot, make_ui) -> None:
    ui = make_ui()
    w = ui.window
    said: list[str] = []
    w.assist.say = None
    w.assist.spoken.connect(said.append)
    qtbot.waitUntil(lambda: w.assist.watching, timeout=5000)
    qtbot.mouseClick(w.assist.speak_button, Qt.MouseButton.LeftButton)
    assert w.assist.on and "Voce attiva" in said[-1]
    button = w.home.buttons["A"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert said[-1].startswith("Anagrafe") and w.stack.currentWidget() is w.home
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.ticket, timeout=10_000)
    assert ui.tickets() == ["A001"]


def test_the_warning_before_the_reset_is_seen_heard_and_extends(qtbot, make_ui) -> None:
    ui = make_ui()
    w = ui.window
    said: list[str] = []
    w.assist.say = None
    w.assist.spoken.connect(said.append)
    qtbot.waitUntil(lambda: w.assist.watching, timeout=5000)
    qtbot.mouseClick(w.language_buttons["en"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.privacy_button, Qt.MouseButton.LeftButton)
    w.idle.setInterval(50)
    w.idle.start()
    qtbot.waitUntil(w.assist.warning.isVisible, timeout=5000)
    assert w.assist.left == WARN_S >= 20
    assert said[-1].startswith("Do you need more time? Going back to the start in 20 seconds")
    assert w.assist.warning.more.height() >= w.sizes()["touch"]
    qtbot.mouseClick(w.assist.warning.more, Qt.MouseButton.LeftButton)
    assert not w.assist.warning.isVisible() and w.stack.currentWidget() is w.privacy
    assert w.idle.isActive() and w.lang == "en"
    # Not answered: back to the start when the seconds run out.
    w.assist.countdown.setInterval(5)
    w.idle.setInterval(50)
    w.idle.start()
    qtbot.waitUntil(w.assist.warning.isVisible, timeout=5000)
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.home and w.lang == "it", timeout=5000)
    assert not w.assist.warning.isVisible()


def test_the_delay_can_be_ten_times_the_default(write_config) -> None:
    from kiosk.config import ConfigError, load

    base = write_config().read_text()
    assert load(write_config(base + "\n[ui]\nidle_s = 600\n")).access.idle_s == 600
    with pytest.raises(ConfigError) as found:
        load(write_config(base + "\n[ui]\nidle_s = 601\n"))
    assert any(p.startswith("ui.idle_s") for p in found.value.problems)


def test_at_home_untouched_there_is_nothing_to_warn_about(qtbot, make_ui) -> None:
    ui = make_ui()
    w = ui.window
    w.idle.setInterval(20)
    w.idle.start()
    qtbot.wait(200)
    assert not w.assist.warning.isVisible() and w.stack.currentWidget() is w.home
    assert dataclasses.is_dataclass(ui.config.access)


def test_the_volume_is_set_on_screen_and_by_keys(qtbot, make_ui) -> None:
    ui = make_ui()
    w = ui.window
    said: list[str] = []
    w.assist.say = None
    w.assist.spoken.connect(said.append)
    heard: list[int] = []
    w.assist.volume_changed.connect(heard.append)
    assert not w.assist.volume_row.isVisible()  # only while speech is on
    qtbot.waitUntil(lambda: w.assist.watching, timeout=5000)
    qtbot.mouseClick(w.assist.speak_button, Qt.MouseButton.LeftButton)
    assert w.assist.volume_row.isVisible() and w.assist.quieter.height() >= w.sizes()["touch"]
    w.assist.louder.click()
    w.assist.louder.click()
    assert heard == [90, 100] and said[-1] == "Volume 100%"
    w.assist.louder.click()
    assert heard[-1] == 100  # no further
    w.assist.key("7")
    assert heard[-1] == 90 and ui.app.voice.volume == 90


def test_language_refusal_and_result_screens_for_a_citizen_who_cannot_see(qtbot, blind) -> None:
    """A language's name is said by its own voice, and choosing it reads the screen again in
    it; a refused touch is read out; a ticket read aloud stays until the idle warning instead
    of leaving after 15 s; with speech off, the keypad says nothing."""
    app, sim, said, _paper = blind
    w = app.window
    voices: list[str] = []
    w.assist.say = lambda _words, lang: voices.append(lang)
    press(qtbot, sim, said, "5")
    for _ in range(30):
        heard = press(qtbot, sim, said, "6")
        if heard.startswith("English"):
            break
    assert heard.startswith("English"), said[-30:]
    assert voices[-1] == "en"  # by the English voice, not the Italian one
    press(qtbot, sim, said, "5")
    qtbot.waitUntil(lambda: "Touch the service you need" in said[-1], timeout=5000)
    assert w.lang == "en" and voices[-1] == "en"
    before = len(said)
    w.refused("A", "cap_reached")  # a touch the host or the cap refused: heard, not silent
    qtbot.waitUntil(lambda: len(said) > before, timeout=5000)
    before = len(said)
    closing = [dict(st, available=False, reason="closed") if st["code"] == "A" else st
               for st in w.states]  # fmt: skip
    w.update_states(closing)  # a service closes while the citizen listens: read again
    qtbot.waitUntil(lambda: len(said) > before, timeout=5000)
    before = len(said)
    w.update_states(list(closing))  # the same figures again: nothing new to say
    qtbot.wait(100)
    assert len(said) == before
    w.set_language("it")
    w.show_ticket({"code": "A007", "names": {"it": "Anagrafe"}, "ahead": 2, "wait_min": 8,
                   "printed": True})  # fmt: skip
    assert not w.back_home.isActive()  # read aloud: it stays; the idle warning comes instead
    assert w.privacy.next.accessibleName() == "Pagina successiva"  # said, never "▶"
    # Controls that turn something on say whether it is on, and say it when it changes.
    assert w.assist.speak_button.accessibleName() == "Voce: sì"
    w.large_button.click()
    qtbot.waitUntil(lambda: said[-1] == "Testo grande: sì", timeout=5000)
    assert w.large_button.accessibleName() == "Testo grande: sì"
    w.large_button.click()
    qtbot.waitUntil(lambda: said[-1] == "Testo grande: no", timeout=5000)
    w.show_privacy()
    w.privacy.more.click()  # the whole notice, after its three statements
    w.privacy.next.click()  # a page turned by touch (its second touch) is read too
    qtbot.waitUntil(lambda: "Pagina 2" in said[-1], timeout=5000)
    press(qtbot, sim, said, "0")  # speech off
    assert not w.assist.on
    w.show_ticket({"code": "A008", "names": {"it": "Anagrafe"}, "ahead": 2, "wait_min": 8,
                   "printed": True})  # fmt: skip
    assert w.back_home.isActive()  # printed and seen: home by itself
    quiet = len(said)
    sim.press("6")
    sim.press("8")
    qtbot.wait(300)
    assert len(said) == quiet


def test_a_scans_answer_waits_for_the_idle_warning(qtbot, make_ui) -> None:
    """'Come back at 14:30' is on the screen and nowhere else: it does not leave by itself
    after a fixed delay; the idle warning, seen and heard, comes instead."""
    ui = make_ui()
    w = ui.window
    w.show_scan({"result": "too_early", "reason": "too_early", "come_back_at": "14:30"})
    assert w.stack.currentWidget() is w.result and not w.back_home.isActive()
    w.idle.setInterval(50)
    w.idle.start()
    qtbot.waitUntil(lambda: w.assist.warning.isVisible(), timeout=5000)


@pytest.mark.parametrize("size", [(800, 1280), (1080, 1920)])
def test_the_speech_banner_shows_the_keys_of_the_screen(qtbot, config: Config, size) -> None:
    """With speech on, the footer shows the keypad's keys as caps with their words, in the
    screen's language, the privacy notice's own keys on it; whole, inside the window's width,
    and silent (the keys are said at the end of each reading). With speech off it is gone; with
    large text too (small type is no help there, and the services need the room; the keys are
    still said)."""
    from kiosk.i18n import LANGUAGES
    from kiosk.ui.i18n import text
    from tests.gui.conftest import laid_out, window_in_every_language

    w = window_in_every_language(qtbot, config, size)
    legend = w.assist.legend
    assert legend.isHidden()
    w.assist.toggle()
    for lang in LANGUAGES:
        w.set_language(lang)
        laid_out(qtbot, w)
        assert legend.isVisible() and legend.property("silent")
        shown = legend.text()
        for word in ("key_move", "key_choose", "key_repeat", "key_volume", "key_off"):
            assert text(lang, word).replace("'", "&#x27;") in shown, (lang, word)
        assert w.width() == size[0]  # the banner wraps; it never widens the window
        assert legend.height() >= legend.heightForWidth(legend.width())  # no line cut
        assert ('dir="rtl"' in shown) == (lang == "ar")
    w.show_privacy()
    laid_out(qtbot, w)
    assert text("ar", "key_pages") in legend.text() and text("ar", "key_move") not in legend.text()
    w.go_home()
    w.toggle_large()
    laid_out(qtbot, w)
    assert legend.isHidden() and w.assist.volume_row.isVisible()
    w.toggle_large()
    assert legend.isVisible()
    w.assist.toggle()
    assert legend.isHidden()
