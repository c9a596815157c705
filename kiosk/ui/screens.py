"""The screens of the totem, as plain widgets; the window fills them with words and data."""

from __future__ import annotations

import io

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


def label(
    name: str, wrap: bool = True, align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter
) -> QLabel:
    widget = QLabel()
    widget.setObjectName(name)
    widget.setWordWrap(wrap)
    widget.setAlignment(align)
    return widget


def qr_pixmap(text: str, size: int) -> QPixmap:
    import qrcode  # only when the printer has failed: kept off the cold start

    image = qrcode.make(text, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap.scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )


class ServiceButton(QPushButton):
    """One service: its name, and the queue or the reason it is not offered."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.setObjectName("service")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout = QVBoxLayout(self)
        self.name = label("serviceName")
        self.detail = label("serviceDetail")
        for part in (self.name, self.detail):
            part.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(part)


class HomeScreen(QWidget):
    chosen = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.title = label("title")
        layout.addWidget(self.title)
        self.grid = QGridLayout()
        self.grid.setSpacing(24)
        layout.addLayout(self.grid, 1)
        self.buttons: dict[str, ServiceButton] = {}
        self.columns = 0

    def set_services(self, codes: list[str], columns: int) -> None:
        """One button per service, ``columns`` to a row; existing buttons are moved, not
        rebuilt, when only the columns change (a rotated screen)."""
        if list(self.buttons) == codes and self.columns == columns:
            return
        if list(self.buttons) != codes:
            for button in self.buttons.values():
                button.setParent(None)
            self.buttons = {}
            for code in codes:
                button = ServiceButton(code)
                button.clicked.connect(lambda _=False, c=code: self.chosen.emit(c))
                self.buttons[code] = button
        for button in self.buttons.values():
            self.grid.removeWidget(button)
        for i, button in enumerate(self.buttons.values()):
            self.grid.addWidget(button, i // columns, i % columns)
        self.columns = columns


class TicketScreen(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.heading = label("heading")
        self.code = label("ticketCode", wrap=False)
        self.service = label("ticketService")
        self.queue = label("ticketQueue")
        self.qr = label("qr")
        self.hint = label("hint")
        for widget in (self.heading, self.code, self.service, self.queue, self.qr, self.hint):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.back = QPushButton()
        self.back.setObjectName("back")
        layout.addWidget(self.back, 0, Qt.AlignmentFlag.AlignHCenter)


class MessageScreen(QWidget):
    """Scan results and the out-of-order notice: a message, maybe a ticket, maybe an offer."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.message = label("message")
        self.code = label("ticketCode", wrap=False)
        self.detail = label("messageDetail")
        layout.addWidget(self.message)
        layout.addWidget(self.code)
        layout.addWidget(self.detail)
        self.offer = ServiceButton("")
        layout.addWidget(self.offer)
        layout.addStretch(1)
        self.back = QPushButton()
        self.back.setObjectName("back")
        layout.addWidget(self.back, 0, Qt.AlignmentFlag.AlignHCenter)


class PrivacyScreen(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.title = label("title")
        layout.addWidget(self.title)
        self.body = label(
            "privacyBody", align=Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignTop
        )
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        scroll = QScrollArea()
        scroll.setObjectName("privacyScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)
        layout.addWidget(scroll, 1)
        self.back = QPushButton()
        self.back.setObjectName("back")
        layout.addWidget(self.back, 0, Qt.AlignmentFlag.AlignHCenter)
