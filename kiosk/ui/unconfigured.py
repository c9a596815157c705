"""The screen of a totem whose configuration is incomplete (a freshly flashed image, or a file
with a mistake): "not configured: see docs/technician.md" in every language the totem speaks,
and, in small print for the technician, what `kiosk config check` says. It tells systemd it is
up (READY=1, status "not configured") and feeds the watchdog; once the file changes and is
valid, it exits with RECONFIGURED and systemd starts the real UI (cage, the unit's main
process, then exits too: kiosk-ui.service restarts always)."""

from __future__ import annotations

import logging
import signal
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from kiosk.design import NORMAL
from kiosk.i18n import LANGUAGES
from kiosk.notify import Notifier
from kiosk.ui import i18n

log = logging.getLogger(__name__)
RECONFIGURED = 3  # an exit code systemd restarts on (Restart=on-failure)


def build(problems: list[str]) -> QWidget:
    """The notice: one title and one sentence per language, then the problems."""
    page = QWidget()
    page.setObjectName("unconfigured")
    page.setStyleSheet(
        f"QWidget#unconfigured {{ background: {NORMAL.header}; }}"
        f"QLabel {{ color: {NORMAL.header_text}; }}"
        f"QLabel[role='help'] {{ color: #d5dbe6; }}"
        f"QLabel[role='problems'] {{ color: #d5dbe6; font-family: monospace; }}"
    )
    layout = QVBoxLayout(page)
    layout.setContentsMargins(48, 48, 48, 48)
    layout.setSpacing(6)
    layout.addStretch(1)
    for lang in LANGUAGES:
        title = QLabel(i18n.text(lang, "not_configured"))
        help_ = QLabel(i18n.text(lang, "not_configured_help"))
        help_.setProperty("role", "help")
        for label, size in ((title, 44), (help_, 26)):
            font = label.font()
            font.setPixelSize(size)
            font.setBold(label is title)
            label.setFont(font)
            label.setWordWrap(True)
            if lang in i18n.RTL:
                label.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
                label.setAlignment(Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignRight)
            layout.addWidget(label)
        layout.addSpacing(36)
    if problems:
        shown = problems[:8] + ([f"… {len(problems) - 8} more"] if len(problems) > 8 else [])
        details = QLabel("kiosk config check:\n" + "\n".join(shown))
        details.setProperty("role", "problems")
        details.setWordWrap(True)
        font = details.font()
        font.setPixelSize(20)
        details.setFont(font)
        layout.addWidget(details)
    layout.addStretch(1)
    return page


def run(config_path: Path, problems: list[str], still_invalid: object) -> int:
    """Show the notice full screen until SIGTERM, or until ``config_path`` changes and
    ``still_invalid()`` (the loader) says nothing more (then: RECONFIGURED)."""
    from kiosk.ui.app import install_qt_logging

    install_qt_logging()
    qt = QApplication.instance() or QApplication([])
    page = build(problems)
    page.showFullScreen()
    notifier = Notifier()
    signal.signal(signal.SIGTERM, lambda *_: qt.exit(0))
    signal.signal(signal.SIGINT, lambda *_: qt.exit(0))
    seen = _stamp(config_path)

    def tick() -> None:
        nonlocal seen
        notifier.ping()
        now = _stamp(config_path)
        if now != seen:
            seen = now
            if not still_invalid():  # type: ignore[operator]
                log.info("configuration now valid: starting the touch UI")
                qt.exit(RECONFIGURED)

    keepalive = QTimer(interval=250)
    keepalive.timeout.connect(tick)
    keepalive.start()
    QTimer.singleShot(0, lambda: notifier.ready("not configured"))
    log.warning("not configured: %s", "; ".join(problems))
    code = int(qt.exec())
    notifier.stopping()
    return code


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def render(problems: list[str], size: tuple[int, int], out: Path) -> bool:
    """Draw the notice at ``size`` into ``out`` (PNG), offscreen; whether it was written."""
    qt = QApplication.instance() or QApplication([])
    page = build(problems)
    page.resize(*size)
    page.show()
    qt.processEvents()
    try:
        return bool(page.grab().save(str(out), "PNG"))
    finally:
        page.close()
        page.deleteLater()
