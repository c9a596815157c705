"""The totem's work off the UI thread: database, printer and scans.

The worker lives in its own QThread; the window talks to it only through queued signals, so a
slow printer or a busy disk never stops the screen from drawing. The store and the totem's
rules are imported here, on the worker's thread, while the window is being built.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from kiosk.config import Config
from kiosk.store.errors import StorageError

if TYPE_CHECKING:
    from kiosk.satellite import SatelliteTotem
    from kiosk.totem import Issued, Totem

log = logging.getLogger(__name__)
REFRESH_MS = 5000
SATELLITE_REFRESH_MS = 1500  # a satellite notices the host gone (or back) within 3 s


def issued_view(issued: Issued, config: Config) -> dict[str, Any]:
    service = config.service(issued.ticket.service)
    return {
        "code": issued.ticket.code,
        "service": issued.ticket.service,
        "names": dict(service.name) if service else {},
        "ahead": issued.ahead,
        "wait_min": issued.wait_min,
        "printed": issued.printed,
        "qr": issued.qr,
    }


def paper_language(lang: str, names: dict[str, str], config: Config) -> str:
    """The language the ticket is printed in (Arabic cannot be: English then)."""
    from drivers.printer.ticket import printable_language

    return printable_language(lang, names, config.languages[0])


class TotemWorker(QObject):
    """Owns the store and the totem; every slot runs in the worker thread."""

    states = Signal(list)  # [{code, names, waiting, wait_min, available, reason, until}]
    issued = Signal(dict)
    refused = Signal(str, str)  # service, reason
    scanned = Signal(dict)
    failed = Signal(str)  # a storage problem: the screen goes out of order
    away = Signal(str)  # a satellite cannot reach the host: the screen says so...
    back = Signal()  # ...until it can again

    def __init__(self, config: Config, make_totem: Any) -> None:
        super().__init__()
        self.config = config
        self._make_totem = make_totem  # called in the worker thread: SQLite wants that
        self.totem: Totem | SatelliteTotem | None = None
        self._timer: QTimer | None = None
        self._away = False

    @Slot()
    def start(self) -> None:
        try:
            self.totem = self._make_totem()
        except StorageError as exc:
            self.failed.emit(str(exc))
            return
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(REFRESH_MS if self.config.role == "host" else SATELLITE_REFRESH_MS)
        self.refresh()

    @Slot()
    def warm_up(self) -> None:
        """Load the printer's command library (a quarter of a second) and the day's bookings
        once home is drawn, so the first citizen's touch or scan does not wait for them."""
        from drivers.printer.ticket import Dummy
        from kiosk.store import appointments  # noqa: F401  (loaded, for the first scan)

        Dummy()

    @Slot()
    def shutdown(self) -> None:
        """Stop the timer and close the database, in the worker's own thread."""
        if self._timer is not None:
            self._timer.stop()
            self._timer.deleteLater()
            self._timer = None
        if self.totem is not None:
            self.totem.close()
            self.totem = None

    @Slot()
    def refresh(self) -> None:
        if self.totem is None:
            return
        from kiosk.satellite import HostAway

        try:
            now = self.totem.clock()
            self.states.emit([self._state_view(st, now) for st in self.totem.states()])
        except StorageError as exc:
            self.failed.emit(str(exc))
        except HostAway as exc:
            self._host_away(exc)
        else:
            if self._away:
                self._away = False
                log.info("the host answers again")
                self.back.emit()

    def _host_away(self, exc: Exception) -> None:
        if not self._away:
            log.warning("host away: %s", exc)
        self._away = True
        self.away.emit(str(exc))

    def _state_view(self, st: Any, now: datetime) -> dict[str, Any]:
        until = st.availability.until
        local = until.astimezone(self.config.timezone) if until else None
        same_day = local is not None and local.date() == now.astimezone(self.config.timezone).date()
        return {
            "code": st.service.code,
            "names": dict(st.service.name),
            "waiting": st.waiting,
            "wait_min": st.wait_min,
            "available": st.availability.available,
            "reason": st.availability.reason.value,
            "until": local.strftime("%H:%M") if local else None,
            "until_weekday": None if same_day or local is None else local.weekday(),
        }

    @Slot(str, str)
    def issue(self, code: str, lang: str) -> None:
        if self.totem is None:
            return
        from kiosk.satellite import HostAway
        from kiosk.totem import Unavailable  # loaded by start()

        try:
            issued = self.totem.issue_walkin(code, lang)
        except Unavailable as exc:
            self.refused.emit(code, exc.availability.reason.value)
        except StorageError as exc:
            self.failed.emit(str(exc))
            return
        except HostAway as exc:
            self._host_away(exc)
            return
        else:
            view = issued_view(issued, self.config)
            view["paper_lang"] = paper_language(lang, view["names"], self.config)
            self.issued.emit(view)
        self.refresh()

    @Slot(str, str)
    def scan(self, raw: str, lang: str) -> None:
        if self.totem is None:
            return
        from kiosk.satellite import HostAway

        try:
            outcome = self.totem.scan(raw, lang)
        except StorageError as exc:
            self.failed.emit(str(exc))
            return
        except HostAway as exc:
            self._host_away(exc)
            return
        view: dict[str, Any] = {"result": outcome.result.value, "reason": outcome.reason}
        if outcome.issued:
            view["ticket"] = issued_view(outcome.issued, self.config)
        if outcome.come_back_at:
            view["come_back_at"] = outcome.come_back_at
        if outcome.offer and outcome.offer.availability.available:
            view["walkin"] = outcome.offer.service.code
        self.scanned.emit(view)
        self.refresh()

    @Slot(str)
    def record_printer(self, state: str) -> None:
        if self.totem is not None:
            try:
                self.totem.record_printer_state(state)
            except StorageError as exc:
                self.failed.emit(str(exc))
            self.refresh()


def make_totem_factory(config: Config, key: bytes, printer: Any, clock: Any = None) -> Any:
    def make() -> Totem | SatelliteTotem:
        kwargs = {"clock": clock} if clock else {}
        from kiosk.ui.screens import svg_png

        if config.role == "satellite":  # no database here: everything goes through the host
            from kiosk.satellite import SatelliteTotem

            satellite = SatelliteTotem(config, printer=printer, **kwargs)
            satellite.logo_png = svg_png
            return satellite
        from kiosk.store import Store
        from kiosk.totem import Totem

        totem = Totem(
            config,
            Store(config.database, witness_dir=config.witness_dir),
            key,
            printer=printer,
            **kwargs,
        )
        totem.logo_png = svg_png  # the crest on paper, drawn by Qt from its SVG
        return totem

    return make
