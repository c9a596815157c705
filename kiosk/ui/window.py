"""The totem's full-screen window: home, ticket, scan results, privacy notice, out of order.

Only words and pictures happen here; the work runs in :class:`~kiosk.ui.worker.TotemWorker`
on another thread. A touch while a ticket is being issued does nothing, and after a minute
without a touch everything goes back to home in the branch language.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.branding import LogoError, logo_bytes
from kiosk.config import Config
from kiosk.design import (
    FONT_ARABIC,
    FONT_LATIN,
    HIGH_CONTRAST,
    NORMAL,
    PICTOGRAM_FONT,
    PICTOGRAMS,
    TOUCH_TARGET_MM,
    Theme,
    mm_to_px,
)
from kiosk.ui import i18n
from kiosk.ui.flow import FlowRow
from kiosk.ui.i18n import LANGUAGE_NAMES, RTL, paper_in, plural, text, with_state
from kiosk.ui.screens import (
    HomeScreen,
    MessageScreen,
    PrivacyScreen,
    TicketScreen,
    label,
    logo_pixmap,
    restyle,
)

log = logging.getLogger(__name__)


def town_logo(config: Config) -> bytes | None:
    """The logo's bytes, or None (none configured, or it became unusable since config check:
    the header is drawn without it, and the log says why)."""
    if config.branding.logo is None:
        return None
    try:
        return logo_bytes(config.branding.logo)
    except LogoError as exc:
        log.warning("branding.logo: %s: the screens are drawn without it", exc)
        return None


IDLE_MS = 60_000  # back to home, in the branch language, after a minute without a touch
RESULT_MS = 15_000  # a ticket or a scan result stays this long
STALE_STATES_MS = 30_000


SHOWN_EVENT = QEvent.Type(QEvent.registerEventType())

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    widget.setObjectName(name)
    return widget


QR_MM = 60  # the fault screen's QR: photographed from arm's length, even by an old phone
CODE_SCALE = 6  # the ticket number, in the text size


class KioskWindow(QWidget):
    """The window. Signals go to the worker; its answers come back to the slots below."""

    request_issue = Signal(str, str)  # service, language
    request_scan = Signal(str, str)  # scanned text, language
    request_refresh = Signal()
    # Once, when the home screen is first drawn with its services (or out of order): the
    # totem is up. systemd hears READY=1 then; the scanner driver loads then.
    shown = Signal()
    # A screen's words changed for the citizen (a ticket, a scan's answer): speech reads it.
    told = Signal()

    def __init__(self, config: Config, clock: Any, lockdown: bool = True) -> None:
        super().__init__()
        # One type family for Latin and one for Arabic on every surface (kiosk.design).
        self.setFont(QFont([FONT_LATIN, FONT_ARABIC]))
        self.config = config
        self.clock = clock
        self.lang = config.languages[0]
        self.large = False
        self.contrast = False
        self.busy = False
        self.states: list[dict[str, Any]] = []
        self.printer_state = "unknown"
        self.broken: str | None = None
        self.away = False  # a satellite that cannot reach the host
        self.last_result: dict[str, Any] | None = None
        self.shown_once = False
        self.setObjectName("kiosk")
        self.setWindowTitle("Totem")
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.lockdown = lockdown
        if lockdown:
            self.setWindowFlags(
                Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
            )
            self.setCursor(Qt.CursorShape.BlankCursor)
            screen = QApplication.primaryScreen()
            if screen is not None:  # full screen: lay out once, at the size it will have
                self.resize(screen.size())
        self._build()
        self.idle = QTimer(self, singleShot=True, interval=IDLE_MS)
        self.idle.timeout.connect(self.reset)
        self.back_home = QTimer(self, singleShot=True, interval=RESULT_MS)
        self.back_home.timeout.connect(self.go_home)
        self.ticker = QTimer(self, interval=1000)
        self.ticker.timeout.connect(self._tick)
        self.ticker.start()
        from kiosk.ui.assist import Assist  # speech, keypad, the warning before the reset

        self.assist = Assist(self)
        from kiosk.ui.reach import ReachLayout  # every control within a wheelchair's reach

        self.reach = ReachLayout(self)
        # Every touch anywhere restarts the idle timer; the filter goes in once home is drawn
        # (a Python filter sees every event, the hundreds of the first show included).
        self.shown.connect(self._watch_touches)
        self.apply()

    # -- building -------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.header = header = named(QWidget(), "header")
        row = QHBoxLayout(header)
        self.branch = label(
            "branch", align=Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter
        )
        self.clock_label = label(
            "clock",
            wrap=False,
            align=Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter,
        )
        self.logo = QLabel()  # the town's crest, when [branding] logo names one
        self.logo.setObjectName("logo")
        self.logo_data = town_logo(self.config)
        self.logo.setVisible(self.logo_data is not None)
        row.addWidget(self.logo)
        row.addWidget(self.branch, 1)
        row.addWidget(self.clock_label)
        outer.addWidget(header)

        self.stack = QStackedWidget()
        # The screens take the room left, never more: a screen that needs more (large text on
        # a small screen) must not push the window past the display and the footer off it.
        self.stack.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.home = HomeScreen()
        self.home.chosen.connect(self.choose)
        self.stack.addWidget(self.home)
        # The other screens are made when first needed, or once home is drawn (make_screens):
        # the start styles and lays out home only.
        self._ticket: TicketScreen | None = None
        self._result: MessageScreen | None = None
        self._privacy: PrivacyScreen | None = None
        self._broken: MessageScreen | None = None
        outer.addWidget(self.stack, 1)

        self.footer = footer = named(QWidget(), "footer")
        rows = QVBoxLayout(footer)
        # Rows that wrap rather than cut a word (large text, a narrow screen, a long language).
        languages = FlowRow()
        rows.addLayout(languages)
        self.bar = bar = FlowRow()
        rows.addLayout(bar)
        self.language_buttons: dict[str, QPushButton] = {}
        for lang in self.config.languages:
            button = named(QPushButton(LANGUAGE_NAMES[lang]), "language")
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, value=lang: self.set_language(value))
            languages.addWidget(button)
            self.language_buttons[lang] = button
        self.paper_notice = named(QLabel(), "paperLow")
        bar.addWidget(self.paper_notice)
        self.large_button = named(QPushButton("A+"), "toggle")
        self.large_button.setCheckable(True)
        self.large_button.clicked.connect(self.toggle_large)
        self.contrast_button = named(QPushButton("◐"), "toggle")
        self.contrast_button.setCheckable(True)
        self.contrast_button.clicked.connect(self.toggle_contrast)
        self.privacy_button = named(QPushButton(), "privacyButton")
        self.privacy_button.clicked.connect(self.show_privacy)
        for widget in (self.large_button, self.contrast_button, self.privacy_button):
            bar.addWidget(widget)
        outer.addWidget(footer)

    # -- the screens besides home, made when first needed ---------------------------------

    @property
    def ticket(self) -> TicketScreen:
        if self._ticket is None:
            t = self._ticket = TicketScreen()
            t.back.clicked.connect(self.go_home)
            self._made(t)
        return self._ticket

    @property
    def result(self) -> MessageScreen:
        if self._result is None:
            r = self._result = MessageScreen()
            r.back.clicked.connect(self.go_home)
            r.offer.clicked.connect(lambda: self.choose(r.offer.code))
            self._made(r)
        return self._result

    @property
    def privacy(self) -> PrivacyScreen:
        if self._privacy is None:
            p = self._privacy = PrivacyScreen()
            p.back.clicked.connect(self.go_home)
            for pager in (p.previous, p.next, p.more):
                pager.clicked.connect(self.told.emit)  # in speech mode, the new page is read
            self._made(p)
        return self._privacy

    @property
    def broken_screen(self) -> MessageScreen:
        if self._broken is None:
            b = self._broken = MessageScreen()
            b.back.hide()
            b.offer.hide()
            self._made(b)
        return self._broken

    def _made(self, screen: QWidget) -> None:
        self.stack.addWidget(screen)
        if hasattr(self, "reach"):  # within reach, and in the current words, as the rest
            self.reach.place(screen)
        self._words_of(screen)

    def make_screens(self) -> None:
        """Make every screen not made yet (once home is drawn, so no touch waits for one)."""
        _ = (self.ticket, self.result, self.privacy, self.broken_screen)

    def made_screens(self) -> list[QWidget]:
        """Home and the screens made so far."""
        return [self.home, *(s for s in self._screens() if s is not None)]

    def _screens(self) -> tuple[QWidget | None, ...]:
        return (self._ticket, self._result, self._privacy, self._broken)

    def showing(self) -> str:
        """Which screen is on: home, ticket, result, privacy or broken (out of order)."""
        names = ("home", "ticket", "result", "privacy", "broken")
        on = self.stack.currentWidget()
        return next(n for n, s in zip(names, (self.home, *self._screens()), strict=True) if s is on)

    # -- look -----------------------------------------------------------------------------

    @property
    def theme(self) -> Theme:
        return HIGH_CONTRAST if self.contrast else NORMAL.branded(self.config.branding.primary)

    def sizes(self) -> dict[str, int]:
        # Sized for the rows within reach: on a tall screen mounted high the band is a
        # smaller screen of its own, and every control must fit in it.
        reach = getattr(self, "reach", None)
        height = max(reach.reachable_px(self.height()) if reach else self.height(), 600)
        base = round(height / 42 * (1.3 if self.large else 1.0))
        screen = self.screen()
        dpi = screen.logicalDotsPerInch() if screen is not None else 96.0
        return {"base": base, "touch": max(mm_to_px(TOUCH_TARGET_MM, dpi), round(base * 2.2))}

    def px_per_mm(self) -> float:
        """Pixels per millimetre of this screen: from ``ui.screen_height_mm`` when the
        technician measured it, else as the screen reports itself (96 dpi if it does not)."""
        height_mm = self.config.access.screen_height_mm
        if height_mm:
            return self.height() / height_mm
        screen = self.screen()
        dpi = screen.physicalDotsPerInch() if screen is not None else 0.0
        return (dpi if dpi > 0 else 96.0) / 25.4

    def style_sheet(self) -> str:
        t, s = self.theme, self.sizes()
        b, touch = s["base"], s["touch"]
        border = "4px solid #ffffff" if self.contrast else "0"
        return f"""
        #kiosk, QStackedWidget, QScrollArea, #privacyBody {{ background: {t.background}; color: {t.text}; }}
        QLabel {{ color: {t.text}; font-size: {b}px; }}
        #header, #footer {{ background: {t.header}; }}
        #header QLabel {{ color: {t.header_text}; font-size: {round(b * 1.1)}px; font-weight: bold; padding: {b // 3}px; }}
        #title {{ font-size: {round(b * 1.3)}px; font-weight: bold; padding: {b // 2}px; }}
        #service {{ background: {t.button}; border-radius: {b // 2}px; min-height: {touch * 2}px; border: {border}; padding: {b // 3}px {b // 2}px; }}
        #service[available="false"] {{ background: {t.disabled}; }}
        #service QLabel {{ color: {t.button_text}; background: transparent; }}
        #service[available="false"] QLabel {{ color: {t.disabled_text}; }}
        #serviceName {{ font-size: {round(b * 1.4)}px; font-weight: bold; }}
        #serviceDescription {{ font-size: {round(b * 0.8)}px; }}
        #serviceDetail {{ font-size: {b}px; font-weight: bold; }}
        #serviceIcon {{ font-family: "{PICTOGRAM_FONT}"; font-size: {round(b * 2)}px; }}
        #serviceLetter {{ font-size: {round(b * 1.2)}px; font-weight: bold; border: 3px solid {t.button_text}; border-radius: {b // 3}px; padding: 0 {b // 3}px; }}
        #service[available="false"] #serviceLetter {{ border-color: {t.disabled_text}; }}
        #ticketCode {{ color: {t.accent}; font-size: {b * CODE_SCALE}px; font-weight: bold; }}
        #faultBanner {{ background: {t.warning}; border-left: {max(6, b // 4)}px solid {t.warning_text}; }}
        #faultBanner QLabel {{ color: {t.warning_text}; font-size: {b}px; font-weight: bold; }}
        #faultSign, #paperArrow {{ font-family: "{PICTOGRAM_FONT}"; font-size: {round(b * 1.4)}px; }}
        #paperArrow {{ color: {t.accent}; font-size: {round(b * 3)}px; }}
        #qrCaption {{ font-size: {b}px; font-weight: bold; }}
        #ticketService[compact="true"], #ticketQueue[compact="true"] {{ font-size: {b}px; }}
        #heading, #message {{ font-size: {round(b * 1.4)}px; font-weight: bold; }}
        #ticketService, #ticketQueue, #hint, #messageDetail {{ font-size: {round(b * 1.2)}px; }}
        #privacyBody {{ font-size: {b}px; padding: {b // 2}px; }}
        #privacyIcon {{ font-family: "{PICTOGRAM_FONT}"; font-size: {round(b * 2.2)}px; color: {t.accent}; }}
        #privacyPoint {{ font-size: {round(b * 1.2)}px; font-weight: bold; }}
        #more {{ min-width: {touch * 3}px; font-weight: bold; padding: 0 {b}px; }}
        QPushButton {{ min-height: {touch}px; min-width: {touch}px; font-size: {b}px; border-radius: {b // 3}px;
            background: {t.button}; color: {t.button_text}; padding: 0 {b // 2}px; border: {border}; }}
        QPushButton#language {{ min-width: 0; font-size: {round(b * 0.8)}px; padding: 0 4px; }}
        QPushButton#language:checked, QPushButton#toggle:checked {{ background: {t.button_text}; color: {t.button}; border: 3px solid {t.button}; }}
        #back {{ min-width: {touch * 3}px; font-weight: bold; }}
        #pager {{ min-width: {touch * 2}px; font-size: {round(b * 1.2)}px; font-weight: bold; }}
        #pager:disabled {{ background: {t.disabled}; color: {t.disabled_text}; }}
        #pageNumber {{ font-size: {b}px; }}
        #speak {{ min-width: {touch * 2}px; font-weight: bold; }}
        #speak:checked {{ background: {t.button_text}; color: {t.button}; border: 3px solid {t.button}; }}
        #timeoutWarning {{ background: {t.background}; border: {max(6, b // 4)}px solid {t.accent}; }}
        #footer QLabel#keysRow {{ color: {t.header_text}; font-size: {round(b * 0.75)}px; padding: {b // 6}px; }}
        #footer QLabel#volume {{ color: {t.header_text}; font-weight: bold; qproperty-alignment: AlignCenter; }}
        #moreTime {{ min-height: {touch * 2}px; font-size: {round(b * 1.4)}px; font-weight: bold; }}
        #paperLow {{ background: {t.warning}; color: {t.warning_text}; font-size: {round(b * 0.6)}px; padding: 4px; }}
        QPushButton[keyFocus="true"], #service[keyFocus="true"], #back[keyFocus="true"], #language[keyFocus="true"], #toggle[keyFocus="true"], #pager[keyFocus="true"], #speak[keyFocus="true"], #privacyButton[keyFocus="true"], #footer QPushButton[keyFocus="true"] {{ background: {t.focus}; color: {t.focus_text}; border: {max(6, b // 4)}px solid {t.focus_text}; }}
        #service[keyFocus="true"] QLabel, #service[keyFocus="true"] #serviceLetter {{ color: {t.focus_text}; border-color: {t.focus_text}; }}
        """

    def apply(self) -> None:
        """Re-draw every word and style for the current language, size and contrast."""
        direction = (
            Qt.LayoutDirection.RightToLeft if self.lang in RTL else Qt.LayoutDirection.LeftToRight
        )
        self.setLayoutDirection(direction)
        # Latin text in an Arabic layout: place it by the layout, not by its own direction.
        start, end = (
            (Qt.AlignmentFlag.AlignRight, Qt.AlignmentFlag.AlignLeft)
            if self.lang in RTL
            else (Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignRight)
        )
        self.branch.setAlignment(
            start | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter
        )
        self.clock_label.setAlignment(
            end | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter
        )
        sheet = self.style_sheet()
        if sheet != self.styleSheet():  # a resize to the same sizes restyles nothing
            self.setStyleSheet(sheet)
        if hasattr(self, "reach"):
            self.reach.apply()  # before the services are laid out in the rows it leaves
        if self._ticket is not None and self._ticket.qr_text is not None:
            QTimer.singleShot(0, self._ticket.fit_qr)  # the words around it changed size: fit it
        self.branch.setText(self.config.branch_name)
        if self.logo_data is not None:
            self.logo.setPixmap(logo_pixmap(self.logo_data, round(self.sizes()["base"] * 1.8)))
        self.home.title.setText(text(self.lang, "choose"))
        for lang, button in self.language_buttons.items():
            button.setChecked(lang == self.lang)
            button.updateGeometry()  # :checked draws a frame: its row may re-flow
        self.large_button.setChecked(self.large)
        self.large_button.setAccessibleName(with_state(self.lang, "large_text", self.large))
        self.contrast_button.setChecked(self.contrast)
        self.contrast_button.setAccessibleName(
            with_state(self.lang, "high_contrast", self.contrast)
        )
        # A selected toggle says so with a mark too: in high contrast, inverted colours alone
        # read as "off".
        short = text(self.lang, "contrast_short")
        self.contrast_button.setText(f"✓ {short}" if self.contrast else f"◐ {short}")
        self.large_button.setText("✓ A+" if self.large else "A+")
        self.privacy_button.setText(text(self.lang, "privacy"))
        self._screen_words()
        self.paper_notice.setText(text(self.lang, "staff_paper_low"))
        self.paper_notice.setVisible(self.printer_state == "paper_low")
        self._show_states()
        if self.showing() == "ticket" and self.last_result:
            self.show_ticket(self.last_result)
        self._tick()
        if hasattr(self, "reach"):
            self.assist.relabel()

    def _screen_words(self) -> None:
        """The fixed words of the screens made so far, in the current language."""
        for screen in self._screens():
            if screen is not None:
                self._words_of(screen)

    def _words_of(self, screen: QWidget) -> None:
        if screen is self._broken:
            why = "out_of_order" if self.broken or not self.away else "host_away"
            self._broken.message.setText(text(self.lang, why))
            self._broken.detail.setText(text(self.lang, f"{why}_help"))
            self._broken.code.hide()
            return
        if isinstance(screen, TicketScreen | MessageScreen | PrivacyScreen):
            screen.back.setText(text(self.lang, "back"))
        if isinstance(screen, PrivacyScreen):
            self._privacy_words(screen)

    def _privacy_words(self, p: PrivacyScreen) -> None:
        p.title.setText(text(self.lang, "privacy_title"))
        for n, point in enumerate(p.points, 1):
            point.setText(text(self.lang, f"privacy_short_{n}"))
        more = text(self.lang, "privacy_more")
        p.more.setText(f"◀ {more}" if self.lang in RTL else f"{more} ▶")
        p.set_notice(
            text(
                self.lang,
                "privacy_body",
                controller=self.config.privacy_controller,
                dpo=self.config.privacy_dpo or "-",
            ),
            text(self.lang, "page_of"),  # filled in per page
        )
        rtl = self.lang in RTL  # "back a page" points the way the text runs from
        p.previous.setText("▶" if rtl else "◀")
        p.next.setText("◀" if rtl else "▶")
        p.previous.setAccessibleName(text(self.lang, "page_previous"))  # said, not "▶"
        p.next.setAccessibleName(text(self.lang, "page_next"))

    def _tick(self) -> None:
        self.clock_label.setText(self.clock().astimezone(self.config.timezone).strftime("%H:%M"))

    # -- home -----------------------------------------------------------------------------

    def _reason(self, st: dict[str, Any]) -> str:
        reason = st["reason"]
        if reason == "closed" and st["until"]:
            if st["until_weekday"] is None:
                return text(self.lang, "closed_until", time=st["until"])
            return text(
                self.lang,
                "closed_day",
                day=i18n.weekday(self.lang, st["until_weekday"]),
                time=st["until"],
            )
        return text(self.lang, reason)

    def _queue_line(self, waiting: int, wait_min: int) -> str:
        if waiting == 0:
            return text(self.lang, "ahead_none")
        ahead = plural(self.lang, "ahead", waiting, n=waiting)
        wait = plural(self.lang, "wait", wait_min, m=wait_min).replace(" ", "\u00a0")  # one line
        return f"{ahead} · {wait}"

    def _show_states(self) -> None:
        """One button per configured service; its figures once the worker has sent them (the
        buttons are drawn from the configuration at once, the figures follow a moment later)."""
        tall = self.reach.usable if hasattr(self, "reach") else self.height()
        columns = 1 if tall >= self.width() else 2
        self.home.set_services([service.code for service in self.config.services], columns)
        states = {st["code"]: st for st in self.states}
        for service in self.config.services:
            button = self.home.buttons[service.code]
            button.name.setText(
                service.name.get(self.lang) or service.name[self.config.languages[0]]
            )
            button.pictogram.setText(PICTOGRAMS.get(service.icon or "", ""))
            button.pictogram.setVisible(service.icon is not None)
            described = service.description.get(self.lang, "")
            button.description.setText(described)  # shown when its tile has room (fit_words)
            st = states.get(service.code)
            available = st is None or st["available"]
            if st is None:
                button.detail.setText("")
            elif available:
                button.detail.setText(self._queue_line(st["waiting"], st["wait_min"]))
            else:
                button.detail.setText(self._reason(st))
            # While a ticket prints the tiles keep their colours (choose() ignores a second
            # touch): a grey home would say every service had closed.
            button.setEnabled(available)
            restyle(button, "available", available)
            button.fit_words()  # new words, perhaps another line
        self.home.fit_title()

    def update_states(self, states: list[dict[str, Any]]) -> None:
        def offered(sts: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
            return [(st["code"], st.get("available"), st.get("reason")) for st in sts]

        if states == self.states and self.shown_once:
            return  # the same figures again (the start asks twice, a printer's news once more)
        changed = self.states and offered(self.states) != offered(states)
        self.states = states
        self._show_states()
        self._first_shown()
        if changed and self.stack.currentWidget() is self.home:
            self.told.emit()  # a service closed or opened: in speech mode, home is read again

    def _first_shown(self) -> None:
        if not self.shown_once:
            self.shown_once = True
            # Qt posts its paint requests at low priority, after everything else; posted at the
            # same priority behind them, this arrives once what just changed is drawn.
            QApplication.postEvent(
                self, QEvent(SHOWN_EVENT), Qt.EventPriority.LowEventPriority.value
            )

    def _watch_touches(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def customEvent(self, event: QEvent) -> None:
        if event.type() == SHOWN_EVENT:
            self.shown.emit()

    # -- actions --------------------------------------------------------------------------

    def choose(self, code: str) -> None:
        if self.busy or self.broken or self.away:
            return  # a second touch while the first ticket is on its way issues nothing
        self.busy = True
        self._show_states()
        self.request_issue.emit(code, self.lang)

    def show_ticket(self, view: dict[str, Any]) -> None:
        self.busy = False
        self.last_result = view
        lang = self.lang
        t = self.ticket
        t.heading.setText(text(lang, "your_ticket"))
        t.code.setText(view["code"])
        t.service.setText(
            view["names"].get(lang) or view["names"].get(self.config.languages[0], "")
        )
        t.queue.setText(self._queue_line(view["ahead"], view["wait_min"]))
        if view["printed"]:
            t.show_printed()
            hint = text(lang, "take_ticket")
            paper = view.get("paper_lang")
            if paper and paper != lang:  # an Arabic ticket is printed in English: say so
                hint += "\n" + paper_in(lang, paper)
            t.hint.setText(hint)
        else:  # printer fault with on_fault = screen: the citizen photographs the ticket
            t.fault.setText(text(lang, "printer_down"))
            t.caption.setText(text(lang, "qr_caption"))
            mm = self.px_per_mm()
            t.show_qr(view["qr"], round(QR_MM * mm), round(QR_MM * 1.4 * mm),
                      self.sizes()["base"] * CODE_SCALE)  # fmt: skip
        self.stack.setCurrentWidget(t)
        self._hold_result(on_screen=not view["printed"])
        self._show_states()
        self.told.emit()

    def refused(self, code: str, reason: str) -> None:
        self.busy = False
        for st in self.states:
            if st["code"] == code:
                st.update(available=False, reason=reason)
        self._show_states()
        self.told.emit()  # in speech mode, the screen is read again: why nothing came

    def show_scan(self, view: dict[str, Any]) -> None:
        if (
            "ticket" in view
            and view["result"] in ("reentry", "checkin")
            and view["reason"] != "requeued"
        ):
            self.show_ticket(view["ticket"])
            self.ticket.heading.setText(text(self.lang, f"scan_{view['result']}"))
            self.told.emit()
            return
        key = {
            "reentry": "scan_requeued",
            "too_early": "scan_too_early",
            "too_late": "scan_too_late",
        }.get(view["result"], f"scan_{view['reason']}")
        if not i18n.known(key):
            key = "scan_rejected"
        r = self.result
        r.message.setText(text(self.lang, key, time=view.get("come_back_at", "")))
        if "ticket" in view:
            r.code.setText(view["ticket"]["code"])
            r.code.show()
        else:
            r.code.hide()
        r.detail.setText(text(self.lang, "scan_too_late_walkin") if view.get("walkin") else "")
        offer = next((st for st in self.states if st["code"] == view.get("walkin")), None)
        r.offer.setVisible(offer is not None)
        if offer is not None:
            r.offer.code = offer["code"]
            r.offer.name.setText(
                offer["names"].get(self.lang) or offer["names"][self.config.languages[0]]
            )
            r.offer.detail.setText(self._queue_line(offer["waiting"], offer["wait_min"]))
        self.stack.setCurrentWidget(r)
        self._hold_result(on_screen=True)  # its words are nowhere else: no silent return
        self.told.emit()

    def _hold_result(self, on_screen: bool = False) -> None:
        """A printed ticket goes home by itself after a while: the citizen holds it on paper.
        Read aloud, or with words found nowhere else (a ticket to photograph, a scan's
        answer), a screen stays until the idle warning (seen, heard, one touch or key away
        from more time): a fixed return would take it away unannounced."""
        if on_screen or self.assist.on:
            self.back_home.stop()
        else:
            self.back_home.start()

    def show_privacy(self) -> None:
        self.privacy.show_summary()  # three short statements first, then the whole notice
        self.stack.setCurrentWidget(self.privacy)
        self.back_home.stop()

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.apply()
        self.told.emit()  # in speech mode, the screen is read again in its new language

    def toggle_large(self) -> None:
        self.large = not self.large
        self.apply()
        self.assist.said_state("large_text", self.large)

    def toggle_contrast(self) -> None:
        self.contrast = not self.contrast
        self.apply()
        self.assist.said_state("high_contrast", self.contrast)

    def go_home(self) -> None:
        self.back_home.stop()
        out = self.broken or self.away
        self.stack.setCurrentWidget(self.broken_screen if out else self.home)

    def reset(self) -> None:
        """Idle: home, branch language, default look."""
        self.lang, self.large, self.contrast = self.config.languages[0], False, False
        self.go_home()
        self.apply()

    def set_printer(self, state: str) -> None:
        self.printer_state = state
        self.paper_notice.setVisible(state == "paper_low")

    def host_away(self, message: str) -> None:
        """The host does not answer: say so, point to the other totem, until it is back."""
        self.busy = False
        if not self.away:
            self.away = True
            self.apply()
            self.go_home()
        self._first_shown()

    def host_back(self) -> None:
        if self.away:
            self.away = False
            self.apply()
            self.go_home()

    def fail(self, message: str, *, logged: bool = True) -> None:
        """Out of order for ``message``; ``logged=False``: a picture of the screen (screenshot,
        say), not a fault of this totem."""
        if logged and self.broken != message:  # once per cause, not at every refresh
            log.error("out of order: %s", message)
        self.busy = False
        self.broken = message
        if self._broken is not None:  # it may say "host away" (a satellite): now out of order
            self._words_of(self._broken)
        self.go_home()
        self._first_shown()

    # -- lockdown -------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.TouchBegin,
            QEvent.Type.KeyPress,
        ):
            self.idle.start()
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        event.accept()  # no key closes or leaves the totem

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.property("allowClose"):
            event.accept()
        else:
            event.ignore()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.apply()


def now_utc() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)
