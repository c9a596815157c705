"""The citizen's UI by touch, offscreen: the whole flow, every reason, faults, scans, languages."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QPushButton

from kiosk.config import load
from kiosk.core import payload
from kiosk.design import TOUCH_TARGET_MM, mm_to_px
from kiosk.store import Store
from kiosk.store import appointments as store_appointments
from tests.conftest import rome

pytestmark = pytest.mark.gui


def touch(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_service_to_ticket_to_home(qtbot, make_ui) -> None:
    ui = make_ui()
    w = ui.window
    assert w.home.buttons["A"].detail.text() == "Nessuna attesa"
    touch(qtbot, w.home.buttons["A"])
    qtbot.waitUntil(lambda: ui.screen() is w.ticket, timeout=10_000)
    assert w.ticket.code.text() == "A001"
    assert w.ticket.hint.text() == "Prenda il biglietto qui sotto"
    assert w.ticket.photo.isHidden() and w.ticket.banner.isHidden()
    assert w.ticket.arrow.isVisible()  # pointing down, where the paper comes out
    assert len(ui.sim.complete_jobs()) == 1  # printed
    w.back_home.setInterval(50)  # the ticket screen goes home by itself
    w.back_home.start()
    qtbot.waitUntil(lambda: ui.screen() is w.home, timeout=5000)
    qtbot.waitUntil(
        lambda: w.home.buttons["A"].detail.text().startswith("1 persona"), timeout=10_000
    )


def test_back_button(qtbot, make_ui) -> None:
    ui = make_ui()
    w = ui.window
    touch(qtbot, w.home.buttons["A"])
    qtbot.waitUntil(lambda: ui.screen() is w.ticket, timeout=10_000)
    touch(qtbot, w.ticket.back)
    assert ui.screen() is w.home


def test_a_double_touch_issues_one_ticket(qtbot, make_ui) -> None:
    ui = make_ui()
    w = ui.window
    touch(qtbot, w.home.buttons["A"])
    touch(qtbot, w.home.buttons["A"])
    w.choose("A")  # even a third touch arriving by another route
    qtbot.waitUntil(lambda: ui.screen() is w.ticket, timeout=10_000)
    qtbot.wait(300)
    assert ui.tickets() == ["A001"]


def test_closed_service_says_until_when(qtbot, make_ui, clock) -> None:
    clock.now = rome(2026, 11, 23, 13, 0)  # B has a lunch break
    ui = make_ui()
    button = ui.window.home.buttons["B"]
    assert not button.isEnabled()
    assert button.detail.text() == "Chiuso, riapre alle 14:30"
    clock.now = rome(2026, 11, 24, 13, 0)  # Tuesday afternoon: B opens again on Monday
    ui.window.request_refresh.emit()
    qtbot.waitUntil(lambda: button.detail.text() == "Chiuso, riapre lun alle 08:30", timeout=5000)


def test_the_same_figures_again_redraw_nothing(qtbot, make_ui, monkeypatch) -> None:
    """The worker's refresh every few seconds, the start's second ask: the tiles are measured
    and laid out again only when a figure changed."""
    w = make_ui().window
    drawn: list[list[str]] = []
    real = w.home.set_services
    monkeypatch.setattr(
        w.home, "set_services", lambda codes, columns: (drawn.append(codes), real(codes, columns))
    )
    w.update_states([dict(st) for st in w.states])
    assert drawn == []
    more = [dict(st, waiting=st["waiting"] + 3) if st["code"] == "A" else st for st in w.states]
    w.update_states(more)
    assert drawn == [["A", "B"]] and "3" in w.home.buttons["A"].detail.text()


def test_daily_cap_reached(qtbot, make_ui, write_config) -> None:
    ui = make_ui(cfg=load(write_config(cap_a=1)))
    w = ui.window
    touch(qtbot, w.home.buttons["A"])
    qtbot.waitUntil(lambda: ui.screen() is w.ticket, timeout=10_000)
    w.go_home()
    qtbot.waitUntil(lambda: not w.home.buttons["A"].isEnabled(), timeout=10_000)
    assert w.home.buttons["A"].detail.text() == "Biglietti esauriti per oggi"


def test_printer_fault_with_screen_shows_the_ticket_and_its_qr(qtbot, make_ui) -> None:
    ui = make_ui(on_fault="screen", mode="paper_out")
    w = ui.window
    touch(qtbot, w.home.buttons["A"])
    qtbot.waitUntil(lambda: ui.screen() is w.ticket, timeout=10_000)
    assert w.ticket.code.text() == "A001" and not w.ticket.qr.isHidden()
    assert w.ticket.qr.pixmap().width() >= round(60 * w.px_per_mm())  # 60 mm at least
    assert w.ticket.banner.isVisible() and "stampante non funziona" in w.ticket.fault.text()
    assert w.ticket.caption.text().startswith("Questo codice è il suo biglietto")
    assert w.ticket.hint.isHidden() and w.ticket.arrow.isHidden()  # no paper to point to
    assert ui.tickets() == ["A001"] and ui.sim.complete_jobs() == []


def test_printer_fault_with_block_issues_nothing(qtbot, make_ui) -> None:
    ui = make_ui(on_fault="block", mode="cover_open")
    w = ui.window
    qtbot.waitUntil(lambda: w.printer_state == "cover_open", timeout=10_000)  # the monitor saw it
    touch(qtbot, w.home.buttons["A"])
    qtbot.waitUntil(
        lambda: w.home.buttons["A"].detail.text() == "Stampante non disponibile", timeout=10_000
    )
    assert ui.screen() is w.home and ui.tickets() == []


def test_paper_low_is_a_small_notice_for_staff(qtbot, make_ui) -> None:
    ui = make_ui(mode="paper_low")
    w = ui.window
    qtbot.waitUntil(lambda: w.paper_notice.isVisible(), timeout=10_000)
    assert w.paper_notice.text() == "Carta in esaurimento"
    assert w.home.buttons["A"].isEnabled()  # citizens are not alarmed: tickets still come


def scan(qtbot, ui, text: str) -> None:
    ui.window.request_scan.emit(text, ui.window.lang)


def test_scan_results(qtbot, make_ui, clock) -> None:
    ui = make_ui()
    w = ui.window
    # a served ticket gives a priority re-entry
    touch(qtbot, w.home.buttons["A"])
    qtbot.waitUntil(lambda: ui.screen() is w.ticket, timeout=10_000)
    with Store(ui.config.database) as store, store.write() as conn:
        conn.execute(
            "UPDATE tickets SET status = 'done', called_at = issued_at, done_at = issued_at"
        )
    code = payload.sign(
        b"k" * 32, ui.config.branch, clock().astimezone(ui.config.timezone).date(), "A001"
    )
    scan(qtbot, ui, code)
    qtbot.waitUntil(lambda: w.ticket.code.text() == "A002", timeout=10_000)
    assert w.ticket.heading.text() == "Bentornato: è in coda con priorità"
    # the same ticket again: refused with a reason
    scan(qtbot, ui, code)
    qtbot.waitUntil(lambda: ui.screen() is w.result, timeout=10_000)
    assert w.result.message.text() == "Questo biglietto è già stato usato per tornare"
    # appointments: early, on time, late with a walk-in offer
    with Store(ui.config.database) as store:
        for code_text, slot in (
            ("BOOK-EARLY1", "11:30"),
            ("BOOK-ONTIME", "10:00"),
            ("BOOK-LATE01", "09:00"),
        ):
            store_appointments.add(store, "2026-11-23", code_text.lower(), code_text, "A", slot)
    scan(qtbot, ui, "BOOK-EARLY1")
    qtbot.waitUntil(
        lambda: w.result.message.text() == "È in anticipo: torni dopo le 11:00", timeout=10_000
    )
    scan(qtbot, ui, "BOOK-ONTIME")
    qtbot.waitUntil(lambda: w.ticket.heading.text() == "Appuntamento registrato", timeout=10_000)
    scan(qtbot, ui, "BOOK-LATE01")
    qtbot.waitUntil(
        lambda: w.result.message.text() == "L'orario dell'appuntamento è passato", timeout=10_000
    )
    assert w.result.offer.isVisible()
    touch(qtbot, w.result.offer)  # takes the walk-in offered
    qtbot.waitUntil(
        lambda: ui.screen() is w.ticket and w.ticket.code.text() == "A004", timeout=10_000
    )
    scan(qtbot, ui, "nonsense!")
    qtbot.waitUntil(lambda: w.result.message.text() == "Codice non riconosciuto", timeout=10_000)


def test_language_switch_including_arabic_right_to_left(qtbot, make_ui) -> None:
    ui = make_ui()
    w = ui.window
    touch(qtbot, w.language_buttons["en"])
    assert w.home.title.text() == "Touch the service you need"
    assert w.home.buttons["A"].name.text() == "Registry office"
    assert w.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert w.contrast_button.text() == "◐ Contrast"  # a word, not only a sign
    touch(qtbot, w.home.buttons["A"])
    qtbot.waitUntil(lambda: ui.screen() is w.ticket, timeout=10_000)
    assert w.ticket.hint.text() == "Take your ticket below"  # printed in English: nothing more


def test_arabic(qtbot, make_ui, write_config) -> None:
    text = (
        write_config()
        .read_text()
        .replace('languages = ["it", "en"]', 'languages = ["it", "en", "ar"]')
    )
    text = text.replace('en = "Registry office" }', 'en = "Registry office", ar = "السجل المدني" }')
    text = text.replace('en = "Identity card" }', 'en = "Identity card", ar = "بطاقة الهوية" }')
    ui = make_ui(cfg=load(write_config(text)))
    w = ui.window
    touch(qtbot, w.language_buttons["ar"])
    assert w.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert w.home.title.text() == "المس الخدمة التي تحتاجها"
    assert w.home.buttons["A"].name.text() == "السجل المدني"
    touch(qtbot, w.home.buttons["A"])
    qtbot.waitUntil(lambda: ui.screen() is w.ticket, timeout=10_000)
    assert w.ticket.heading.text() == "رقمك"
    # printed in English: no printer code page holds Arabic, and the screen says so
    from drivers.printer.texts import ticket_texts

    paper = ui.sim.complete_jobs()[0].paper().text()  # the name is a picture; the rest is text
    assert ticket_texts("en")["keep"] in paper
    assert w.ticket.hint.text().endswith(
        "التذكرة الورقية مطبوعة باللغة الإنجليزية"
    )  # not "English"
    assert w.contrast_button.text() == "◐ تباين"


def test_idle_resets_language_look_and_screen(qtbot, make_ui) -> None:
    ui = make_ui()
    w = ui.window
    touch(qtbot, w.language_buttons["en"])
    touch(qtbot, w.large_button)
    touch(qtbot, w.privacy_button)
    assert ui.screen() is w.privacy
    w.assist.countdown.setInterval(5)  # the warning's 20 seconds, quickly
    w.idle.setInterval(50)
    w.idle.start()
    qtbot.waitUntil(w.assist.warning.isVisible, timeout=5000)  # warned first
    qtbot.waitUntil(lambda: ui.screen() is w.home and w.lang == "it", timeout=5000)
    assert not w.large and not w.contrast


def test_large_text_and_high_contrast(qtbot, make_ui) -> None:
    ui = make_ui()
    w = ui.window
    normal = w.sizes()["base"]
    touch(qtbot, w.large_button)
    assert w.sizes()["base"] > normal * 1.25
    assert f"font-size: {w.sizes()['base']}px" in w.styleSheet()
    touch(qtbot, w.contrast_button)
    assert w.theme.name == "high_contrast"
    assert "#000000" in w.styleSheet() and "#ffff00" in w.styleSheet()


def test_privacy_notice_one_touch_away_names_the_controller(qtbot, make_ui) -> None:
    ui = make_ui()
    w = ui.window
    touch(qtbot, w.privacy_button)
    assert ui.screen() is w.privacy
    assert w.privacy.summary.isVisible()  # three short statements first
    touch(qtbot, w.privacy.more)
    assert w.privacy.body.text() == w.privacy.pages[0]  # the first page, then the next ones
    body = " ".join(w.privacy.pages)
    assert "Ufficio di prova" in body and "art. 6(1)(e)" in body and "Garante" in body


def test_touch_targets_are_at_least_two_centimetres(qtbot, make_ui) -> None:
    ui = make_ui()
    w = ui.window
    dpi = w.screen().logicalDotsPerInch()
    for button in w.findChildren(QPushButton):
        if button.isVisible():
            assert min(button.width(), button.height()) >= mm_to_px(TOUCH_TARGET_MM, dpi) - 1, (
                button.objectName()
            )


def test_lockdown_nothing_closes_it(qtbot, make_ui) -> None:
    ui = make_ui()
    w = ui.window
    event = QCloseEvent()
    w.closeEvent(event)
    assert not event.isAccepted()
    for key in (Qt.Key.Key_Escape, Qt.Key.Key_F4, Qt.Key.Key_Q):
        qtbot.keyClick(w, key, Qt.KeyboardModifier.AltModifier)
    assert w.isVisible()
    assert w.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu
    assert QEvent.Type.KeyPress and isinstance(QKeyEvent, type)


def test_storage_failure_shows_out_of_order(qtbot, make_ui, caplog) -> None:
    ui = make_ui()
    w = ui.window
    with caplog.at_level("ERROR", logger="kiosk.ui.window"):
        ui.app.worker.failed.emit("disk full")
        qtbot.waitUntil(lambda: ui.screen() is w.broken_screen, timeout=5000)
    assert [r.getMessage() for r in caplog.records] == ["out of order: disk full"]
    assert w.broken_screen.message.text() == "Totem fuori servizio"
    touch(qtbot, w.language_buttons["en"])
    assert w.broken_screen.message.text() == "Out of order"
    # A touch on a service asks the worker for nothing while out of order.
    with qtbot.assertNotEmitted(w.request_issue, wait=200):
        w.choose("A")
    assert ui.tickets() == []


def test_out_of_order_after_the_host_was_away_says_out_of_order(qtbot, make_ui) -> None:
    """The screen made while the host was away said so; a fault after it must not keep that
    message (the words follow the cause)."""
    w = make_ui().window
    w.host_away("no answer")
    assert w.showing() == "broken"
    assert w.broken_screen.message.text() == "Questo totem non raggiunge la coda dell'ufficio"
    w.fail("disk full")
    assert w.broken_screen.message.text() == "Totem fuori servizio"


def test_a_scan_from_the_scanner_reaches_the_screen(qtbot, config, clock) -> None:
    """The scanner's file descriptor is watched by the event loop (QSocketNotifier)."""
    from drivers.scanner.evdev_scanner import EvdevScanner
    from drivers.sim.scanner import KeyboardScannerSim
    from kiosk.ui.app import TotemApp
    from kiosk.ui.worker import make_totem_factory

    sim = KeyboardScannerSim("it")
    app = TotemApp(
        config,
        make_totem_factory(config, b"k" * 32, None, clock),
        clock,
        scanner=EvdevScanner(sim.opener, "it"),
        lockdown=False,
    )
    qtbot.addWidget(app.window)
    app.window.show()
    app.start()
    try:
        qtbot.waitUntil(lambda: bool(app.window.states), timeout=10_000)
        sim.type("nonsense-code!")
        qtbot.waitUntil(
            lambda: app.window.result.message.text() == "Codice non riconosciuto", timeout=10_000
        )
        sim.unplug()  # unplugged: the UI keeps working and waits for it
        qtbot.waitUntil(lambda: app.scanner.notifier is None, timeout=10_000)
        sim.plug()
        qtbot.waitUntil(lambda: app.scanner.notifier is not None, timeout=10_000)
        app.window.go_home()
        sim.type("BOOK-NOT-KNOWN")
        qtbot.waitUntil(
            lambda: app.window.stack.currentWidget() is app.window.result, timeout=10_000
        )
    finally:
        app.window.setProperty("allowClose", True)
        app.stop()
        sim.close()


def test_kiosk_ui_process_stops_cleanly_on_sigterm(write_config, tmp_path) -> None:
    """systemd stops the UI with SIGTERM; the window refuses to be closed, the process does not."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    text = (
        write_config()
        .read_text()
        .replace('[printer]\nuri = "none://"', '[printer]\nuri = "sim://"')
    )
    path = write_config(text)
    kiosk = Path(sys.executable).with_name("kiosk")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        [kiosk, "--config", str(path), "ui"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        database = tmp_path / "data" / "kiosk.sqlite3"
        while time.monotonic() < deadline:  # ready once the printer state has been recorded
            if database.exists():
                with Store(database) as store:
                    if store.scalar("SELECT value FROM state WHERE key = 'printer.state'") == "ok":
                        break
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.1)
        else:
            raise AssertionError("the UI did not start")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        proc.kill()
        proc.stderr.close()
