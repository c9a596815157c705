"""``kiosk screenshot``: any screen, in any language and size, rendered offscreen to a PNG.

Runs on a throw-away copy of the configuration's data (a temporary folder), with the printer
simulator, so it never touches a totem's real queue.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from drivers.printer.device import Printer
from drivers.printer.transport.sim import SimTransport
from drivers.sim.printer import SimPrinter
from kiosk.config import Config
from kiosk.store import appointments as store_appointments
from kiosk.totem import Totem, Unavailable
from kiosk.ui.screen_names import SCREENS  # noqa: F401  (one list, for the command too)
from kiosk.ui.window import KioskWindow, now_utc
from kiosk.ui.worker import TotemWorker, make_totem_factory


@contextmanager
def staged(
    config: Config,
    screen: str,
    lang: str,
    size: tuple[int, int] = (1080, 1920),
    large: bool = False,
    contrast: bool = False,
    speech: bool = False,
    warning: bool = False,
) -> Iterator[KioskWindow]:
    """The window showing ``screen`` (with large text, high contrast, in speech mode with the
    keypad on its first button, or under the warning before the idle reset) on a demo day."""
    from kiosk.ui.app import install_qt_logging

    install_qt_logging()  # the offscreen platform's notes are not the technician's business
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        # A host's day, even for a satellite's screens, wholly in the throw-away folder: its
        # database, its key and its markers' witness (never the totem's own witness folder).
        cfg = dataclasses.replace(
            config,
            data_dir=Path(folder) / "data",
            witness_dir=None,  # beside it: <folder>/data-witness
            ticket_key_file=Path(folder) / "key",
            role="host",
        )
        sim = SimPrinter(cfg.paper_width)
        printer = Printer(SimTransport(sim), "sim://", status_timeout=0.05)
        clock = morning(cfg)
        worker = TotemWorker(cfg, make_totem_factory(cfg, b"screenshot", printer, clock))
        window = KioskWindow(cfg, clock, lockdown=False)
        worker.states.connect(window.update_states)
        worker.issued.connect(window.show_ticket)
        worker.scanned.connect(window.show_scan)
        window.resize(*size)
        window.set_language(lang)
        window.large, window.contrast = large, contrast
        window.apply()
        worker.start()
        try:
            _stage(cfg, worker, window, sim, screen, lang, clock)
            window.assist.say = None  # a picture: nothing is said
            if speech:
                window.assist.toggle()
                window.assist.key("6")
            if warning:
                window.assist.show_warning()
            window.show()
            for _ in range(5):
                QCoreApplication.processEvents()
            yield window
        finally:
            window.setProperty("allowClose", True)
            window.close()
            worker.shutdown()
    del app


def morning(cfg: Config) -> Callable[[], datetime]:
    """The wall clock moved to 10:00 of today in the branch's zone, still running: a demo day
    in office hours, whenever the picture is taken (at 23:30 the queue's waits would run past
    closing and the demo's tickets be refused)."""
    start = now_utc()
    local = start.astimezone(cfg.timezone)
    shift = local.replace(hour=10, minute=0, second=0, microsecond=0) - local
    return lambda: now_utc() + shift


def _stage(
    cfg: Config,
    worker: TotemWorker,
    window: KioskWindow,
    sim: SimPrinter,
    screen: str,
    lang: str,
    clock: Callable[[], datetime],
) -> None:
    assert worker.totem is not None
    open_services = [s for s in cfg.services if worker.totem.state(s.code).availability.available]
    for service in open_services[:2]:
        for _ in range(3):
            try:
                worker.totem.issue_walkin(service.code)
            except Unavailable:  # a short day or a small cap: fewer people waiting
                break
    worker.refresh()
    if screen in ("ticket", "ticket-on-screen") and open_services:
        if screen == "ticket-on-screen":
            sim.set_mode("paper_out")
        worker.issue(open_services[0].code, lang)
    elif screen == "scan":
        slot = (clock() + timedelta(hours=2)).astimezone(cfg.timezone)
        assert isinstance(worker.totem, Totem)  # screenshots use a host's demo day
        store_appointments.add(
            worker.totem.store,
            slot.date().isoformat(),
            "shot",
            "BOOK-SCREENSHOT",
            cfg.services[0].code,
            f"{slot:%H:%M}",
        )
        worker.scan("BOOK-SCREENSHOT", lang)
    elif screen == "privacy":
        window.show_privacy()
    elif screen == "out-of-order":
        window.fail("screenshot", logged=False)


def render(
    config: Config,
    screen: str,
    lang: str,
    size: tuple[int, int],
    out: Path,
    large: bool = False,
    contrast: bool = False,
    speech: bool = False,
    warning: bool = False,
) -> bool:
    """Draw ``screen`` (see :func:`staged`) and save it to ``out``; whether it was written."""
    with staged(config, screen, lang, size, large, contrast, speech, warning) as window:
        return bool(window.grab().save(str(out), "PNG"))


def say(config: Config, screen: str, lang: str) -> str:
    """What ``screen`` says aloud in ``lang`` (the words it shows, and its keypad help)."""
    from kiosk.ui.spoken import of_window

    with staged(config, screen, lang) as window:
        if screen == "privacy":  # every page, as the keypad's 6 turns them
            pages = []
            for n in range(len(window.privacy.pages)):
                window.privacy.page = n
                window.privacy.turn(0)
                pages.append(of_window(window))
            return " ".join(pages)
        return of_window(window)
