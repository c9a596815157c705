"""The screens of the totem, as plain widgets; the window fills them with words and data."""

from __future__ import annotations

import io
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.branding import is_svg


def label(
    name: str, wrap: bool = True, align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter
) -> QLabel:
    widget = QLabel()
    widget.setObjectName(name)
    widget.setWordWrap(wrap)
    widget.setAlignment(align)
    return widget


def restyle(widget: QWidget, flag: str, value: bool) -> None:
    """Set a property the style sheet selects on (``[keyFocus="true"]``, and its words by
    ``#service[keyFocus="true"] QLabel``) and draw again, only when it changes; its size may
    change with it, so its layout is told."""
    if widget.property(flag) == value:
        return
    widget.setProperty(flag, value)
    # Polished again by its own event: the style sheet's rules for it are worked out anew.
    # (Not style().polish(): the first call from Python builds PySide's QStyle class and its
    # dozen enums, 20 ms of the start when a service is closed.)
    for part in (widget, *widget.findChildren(QLabel)):
        QApplication.sendEvent(part, QEvent(QEvent.Type.Polish))
    widget.updateGeometry()


def logo_pixmap(data: bytes, height: int) -> QPixmap:
    """The town's crest or logo (checked by :func:`kiosk.branding.logo_bytes`), ``height`` px
    high; an SVG is drawn at that size, not scaled from a bitmap."""
    if not is_svg(data):
        pixmap = QPixmap()
        pixmap.loadFromData(data)
        return pixmap.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation)
    return QPixmap.fromImage(svg_image(data, height))


def svg_image(data: bytes, height: int) -> QImage:
    """An SVG (checked by :func:`kiosk.branding.logo_bytes`) drawn ``height`` px high; a QImage,
    so any thread may draw it (the printer's does)."""
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgRenderer  # only with an SVG logo: not on the start path

    renderer = QSvgRenderer(data)
    size = renderer.defaultSize()
    width = max(1, round(height * size.width() / max(1, size.height())))
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def svg_png(data: bytes, height: int = 96) -> bytes | None:
    """The SVG crest as PNG bytes for the printer (12 mm high at 8 dots a millimetre)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    image = svg_image(data, height)
    if image.isNull():
        return None
    out = QByteArray()
    buffer = QBuffer(out)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs miss (QIODevice, str)
    return bytes(out.data())


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


MARGIN = 12  # above and below a tile's words
FRAME = 16  # the keypad's focus frame, at most (window.py: max(6, base // 4))


class ServiceButton(QPushButton):
    """One service's tile: its pictogram and the letter its tickets carry beside its name, its
    one-line description, and the queue or the reason it is not offered. Its words take their
    colour from the tile's state (``available``, ``keyFocus``) through the style sheet."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.setObjectName("service")
        self.setProperty("available", True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.row = row = QHBoxLayout(self)
        side = QVBoxLayout()
        self.pictogram = label("serviceIcon", wrap=False)  # a glyph: never read aloud
        self.letter = label("serviceLetter", wrap=False)  # "A", as on the ticket: A042
        self.letter.setText(code)
        side.addStretch(1)
        side.addWidget(self.pictogram, 0, Qt.AlignmentFlag.AlignHCenter)
        side.addWidget(self.letter, 0, Qt.AlignmentFlag.AlignHCenter)
        side.addStretch(1)
        words = QVBoxLayout()
        words.setSpacing(4)  # one block of words (a nested layout would take the row's 24)
        side.setSpacing(8)
        start = Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter
        self.name = label("serviceName", align=start)
        self.description = label("serviceDescription", align=start)
        self.detail = label("serviceDetail", align=start)
        words.addStretch(1)
        for part in (self.name, self.description, self.detail):
            words.addWidget(part)
        words.addStretch(1)
        for part in (self.pictogram, self.letter, self.name, self.description, self.detail):
            part.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.pictogram.setProperty("silent", True)
        self.letter.setProperty("silent", True)
        self.pictogram.hide()  # shown when the service has a pictogram and a description
        self.description.hide()
        row.setContentsMargins(24, MARGIN, 24, MARGIN)
        row.setSpacing(24)
        row.addLayout(side)
        row.addLayout(words, 1)

    def words_width(self, tile_width: int | None = None) -> int:
        """The width its words get in a tile ``tile_width`` wide (its own by default), from
        the tile's width, not the labels' (theirs are laid out after the tile's resize)."""
        margins = self.row.contentsMargins()
        side = self.row.itemAt(0)
        beside = side.sizeHint().width() if side is not None else 0
        width = tile_width if tile_width is not None else self.width()
        return width - margins.left() - margins.right() - self.row.spacing() - beside

    def fit_words(self, height: int | None = None, tile_width: int | None = None) -> None:
        """Each wrapped line of words as tall as its lines need at its width (a layout inside a
        button gives a label its one-line height, and two-line words would be cut). When the
        tile cannot hold them all in ``height`` (its own by default: large text, many services,
        a small screen) the description gives way: the name and the queue are never cut."""
        width = self.words_width(tile_width)
        if width <= 0:
            return
        heights = {part: self._height(part, width) for part in (self.name, self.description,
                                                                 self.detail)}  # fmt: skip
        margins = self.row.contentsMargins()
        room = (height or self.height()) - margins.top() - margins.bottom()
        needed = heights[self.name] + heights[self.detail] + 4
        described = bool(self.description.text()) and needed + heights[self.description] + 4 <= room
        self.description.setVisible(described)
        for part, need in heights.items():
            need = need if part.isVisibleTo(self) else 0
            if part.minimumHeight() != need:
                part.setMinimumHeight(need)

    def needed(self, tile_width: int) -> int:
        """The height its name and queue need in a tile ``tile_width`` wide (the description
        may give way), with its usual margins and the keypad's focus frame."""
        width = self.words_width(tile_width)
        if width <= 0:
            return 0
        words = self._height(self.name, width) + self._height(self.detail, width)
        return words + 4 + 2 * MARGIN + 2 * FRAME

    @staticmethod
    def _height(part: QLabel, width: int) -> int:
        """The height ``part``'s words need at ``width`` (QLabel's own answer is never less
        than its minimum height: the one :meth:`fit_words` set for other words or width)."""
        kept = part.minimumHeight()
        part.setMinimumHeight(0)
        need = max(0, part.heightForWidth(width))  # -1 for a label with no words
        part.setMinimumHeight(kept)
        return need

    def tighten(self, tight: bool) -> None:
        """Thinner margins, when the screen is short of room for every tile whole."""
        edge = MARGIN // 3 if tight else MARGIN
        if self.row.contentsMargins().top() != edge:
            self.row.setContentsMargins(24, edge, 24, edge)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self.fit_words()


GAP = 24  # between the tiles


class HomeScreen(QWidget):
    chosen = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addStretch(0)  # grows in the reach layout, so the buttons sit low
        self.title = label("title")
        layout.addWidget(self.title)
        self.grid = QGridLayout()
        self.grid.setSpacing(GAP)
        layout.addLayout(self.grid, 1)
        self.buttons: dict[str, ServiceButton] = {}
        self.columns = 0

    def within_reach(self, on: bool) -> None:
        """The reach layout: the words above, the buttons at the bottom, at their least."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.setStretch(0, 1 if on else 0)
        layout.setStretch(2, 0 if on else 1)

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

    def fit_title(self) -> None:
        """Every tile whole, its name and queue never cut: where the room is short (large
        text, speech's rows, a small screen) first the descriptions give way, then the title
        ("Touch the service you need"), then the gaps and margins narrow."""
        if not self.buttons or self.height() <= 100:
            return
        columns = max(1, self.columns)
        rows = -(-len(self.buttons) // columns)
        layout = self.layout()
        assert layout is not None
        margins = layout.contentsMargins()
        across = (self.width() - margins.left() - margins.right() - (columns - 1) * GAP) // columns
        tile = max(button.needed(across) for button in self.buttons.values())
        room = self.height() - margins.top() - margins.bottom()
        title = self.title.heightForWidth(self.width()) + layout.spacing()
        roomy = tile == 0 or rows * tile + (rows - 1) * GAP + title <= room
        self.title.setVisible(roomy)
        tight = not roomy and rows * tile + (rows - 1) * GAP > room
        gap = GAP // 3 if tight else GAP
        self.grid.setSpacing(gap)
        share = (room - (title if roomy else 0) - (rows - 1) * gap) // rows
        for button in self.buttons.values():
            button.tighten(tight)
            button.fit_words(share, across)  # a description where its tile's share holds it

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self.fit_title()


WARNING_SIGN, PAPER_BELOW = "\ue002", "\ue5db"  # Material Icons: warning, arrow_downward


class TicketScreen(QWidget):
    """The ticket just issued. Printed: its number and where the paper comes out (below the
    screen, an arrow pointing there). Not printed (``on_fault = "screen"``): a warning banner,
    the number at full size and the ticket's QR at least 60 mm wide with a caption saying what
    it is for; on a screen too short for both, the number gives way, never the QR."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.banner = QWidget()
        self.banner.setObjectName("faultBanner")
        row = QHBoxLayout(self.banner)
        sign = label("faultSign", wrap=False)
        sign.setText(WARNING_SIGN)
        sign.setProperty("silent", True)  # a picture: the words beside it are said
        self.fault = label("faultText", align=Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(sign, 0)
        row.addWidget(self.fault, 1)
        layout.addWidget(self.banner)
        layout.addStretch(1)
        self.heading = label("heading")
        self.code = label("ticketCode", wrap=False)
        self.service = label("ticketService")
        self.queue = label("ticketQueue")
        self.qr = label("qr")
        self.caption = label("qrCaption", align=Qt.AlignmentFlag.AlignVCenter)
        self.photo = QWidget()  # the QR with its caption beside it: what it is, what it is for
        beside = QHBoxLayout(self.photo)
        beside.setContentsMargins(0, 0, 0, 0)
        beside.addWidget(self.qr, 0)
        beside.addWidget(self.caption, 1)
        self.hint = label("hint")
        self.arrow = label("paperArrow", wrap=False)
        self.arrow.setText(PAPER_BELOW)
        self.arrow.setProperty("silent", True)
        for widget in (self.heading, self.code, self.service, self.queue, self.photo, self.hint,
                       self.arrow):  # fmt: skip
            layout.addWidget(widget)
        layout.addStretch(1)
        self.back = QPushButton()
        self.back.setObjectName("back")
        layout.addWidget(self.back, 0, Qt.AlignmentFlag.AlignHCenter)
        self.qr_text: str | None = None  # shown as a QR when the printer failed
        self.qr_least = self.qr_most = self.code_px = 0

    def show_printed(self) -> None:
        self.qr_text = None
        self._mode(fault=False)
        self.code.setStyleSheet("")
        self.qr.setFixedSize(0, 0)
        self.queue.setVisible(True)

    def _mode(self, fault: bool) -> None:
        """The parts of one case shown, the other's hidden; the service and queue one line
        each where they can on the fault screen (room for the QR)."""
        for fault_only in (self.banner, self.photo):
            fault_only.setVisible(fault)
        for printed_only in (self.heading, self.hint, self.arrow):
            printed_only.setVisible(not fault)
        for line in (self.service, self.queue):
            restyle(line, "compact", fault)

    def show_qr(self, text: str, least: int, most: int, code_px: int) -> None:
        """The ticket's QR, ``least`` to ``most`` pixels (as the room allows; never cut: a QR
        missing its edge cannot be scanned), under its number ``code_px`` high if it fits."""
        self.qr_text, self.qr_least, self.qr_most, self.code_px = text, least, most, code_px
        self._mode(fault=True)
        self.fit_qr()

    def fit_qr(self) -> None:
        if self.qr_text is None or self.height() <= 100:
            return
        px = self.code_px
        self.qr.setFixedSize(self.qr_least, self.qr_least)
        self.queue.setVisible(True)
        # The number gives way to the QR, never the reverse; on the shortest screens (large
        # text, speech's rows in the footer) the queue's line goes too: the QR's page has it.
        while self._set_code(px) > self.height() and px > self.code_px // 3:
            px = round(px * 0.92)
        if self._needed() > self.height():
            self.queue.setVisible(False)
        size = max(self.qr_least, min(self.qr_most, self.qr_least + self.height() - self._needed()))
        self.qr.setFixedSize(size, size)
        shown = self.qr.pixmap()
        if shown.isNull() or shown.height() != size:
            self.qr.setPixmap(qr_pixmap(self.qr_text, size))

    def _set_code(self, px: int) -> int:
        """The number ``px`` high; the height the screen then needs."""
        self.code.setStyleSheet(f"font-size: {px}px;")
        self.code.ensurePolished()
        return self._needed()

    def _needed(self) -> int:
        layout = self.layout()
        assert layout is not None
        layout.invalidate()
        if layout.hasHeightForWidth():
            return layout.heightForWidth(self.width())
        return layout.sizeHint().height()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self.fit_qr()


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
        layout.addStretch(1)  # none in the reach layout: the buttons go to the bottom
        self.back = QPushButton()
        self.back.setObjectName("back")
        layout.addWidget(self.back, 0, Qt.AlignmentFlag.AlignHCenter)

    def within_reach(self, on: bool) -> None:
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.setStretch(5, 0 if on else 1)


# The notice's first layer: three short statements, each with its pictogram (Material Icons).
PRIVACY_POINTS = ("\ue510", "\uea4c", "\ue942")  # person_off, auto_delete, work_off


class PrivacyScreen(QWidget):
    """The privacy notice in two layers: three short statements first, then the whole notice
    in pages that fit the screen, turned with large buttons (no scrollbar to find, nothing
    cut, whatever the language, text size or screen)."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.title = label("title")
        layout.addWidget(self.title)
        self.summary = QWidget()
        points = QVBoxLayout(self.summary)
        points.setSpacing(36)
        self.points: list[QLabel] = []
        start = Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter
        points.addStretch(1)
        for glyph in PRIVACY_POINTS:
            row = QHBoxLayout()
            row.setSpacing(24)
            icon = label("privacyIcon", wrap=False)
            icon.setText(glyph)
            icon.setProperty("silent", True)
            words = label("privacyPoint", align=start)
            row.addWidget(icon, 0)
            row.addWidget(words, 1)
            points.addLayout(row)
            self.points.append(words)
        points.addStretch(1)
        layout.addWidget(self.summary, 1)
        # With the other controls at the bottom, within reach of a wheelchair (kiosk.ui.reach).
        self.more = QPushButton()
        self.more.setObjectName("more")
        self.more.clicked.connect(self.show_full)
        self.full = False
        self.body = label(
            "privacyBody", align=Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignTop
        )
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        layout.addWidget(self.body, 1)
        pager = QGridLayout()
        self.previous, self.next = QPushButton("◀"), QPushButton("▶")
        for button in (self.previous, self.next):
            button.setObjectName("pager")
        self.where = label("pageNumber")
        pager.addWidget(self.previous, 0, 0)
        pager.addWidget(self.where, 0, 1)
        pager.addWidget(self.next, 0, 2)
        layout.addWidget(self.more, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(pager)
        self.previous.clicked.connect(lambda: self.turn(-1))
        self.next.clicked.connect(lambda: self.turn(1))
        self.back = QPushButton()
        self.back.setObjectName("back")
        layout.addWidget(self.back, 0, Qt.AlignmentFlag.AlignHCenter)
        self.paragraphs: list[str] = []
        self.pages: list[str] = [""]
        self.page = 0
        self.page_text = "{n} / {total}"
        self.body.installEventFilter(self)  # its room changes with the footer's rows: page again
        # The first layer, as show_summary() leaves it, by hiding the rest only: showing a part
        # before the window has its style sheet would style it twice, at every start.
        for part in (self.body, self.previous, self.next, self.where):
            part.hide()

    def show_summary(self) -> None:
        """The first layer: the three statements, and the way to the whole notice."""
        self._layer(full=False)
        for part in (self.previous, self.next, self.where):
            part.hide()  # paginate() shows them for the whole notice

    def show_full(self) -> None:
        """The second layer: the whole notice, from its first page."""
        self._layer(full=True)
        self.paginate()

    def _layer(self, full: bool) -> None:
        self.full, self.page = full, 0
        self.summary.setVisible(not full)
        self.more.setVisible(not full)
        self.body.setVisible(full)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        resized = watched is self.body and event.type() == QEvent.Type.Resize
        if resized and self.isVisible() and self.paragraphs:
            self.paginate()
        return False

    def set_notice(self, text: str, page_text: str) -> None:
        """The notice (paragraphs between blank lines) and how to say "page n of total"."""
        self.paragraphs = [p for p in text.split("\n\n") if p.strip()]
        self.page_text = page_text
        self.page = 0
        if self.isVisible():  # otherwise when shown (show_privacy): not at every start
            self.paginate()

    def paginate(self) -> None:
        """Pack whole paragraphs into pages that fit the body; a paragraph too tall for one
        page is split between words."""
        self.body.ensurePolished()
        room = self.body.contentsRect()
        metrics = self.body.fontMetrics()
        # A little short of the room: the label lays text out a hair differently from the
        # metrics (bidirectional text above all), and a last line cut in half is unreadable.
        width = max(room.width() - metrics.averageCharWidth(), 100)
        height = max(room.height() - metrics.lineSpacing() // 2, 100)
        flags = int(Qt.TextFlag.TextWordWrap)

        def fits(text: str) -> bool:
            return metrics.boundingRect(0, 0, width, 100_000, flags, text).height() <= height

        # A paragraph that fits stays whole; one too tall for a page is cut between words.
        pieces = [piece for p in self.paragraphs for piece in _pack(p.split(" "), " ", fits)]
        self.pages = pages = _pack(pieces, "\n\n", fits)
        self.page = min(self.page, len(pages) - 1)
        self._show()

    def turn(self, step: int) -> None:
        """A page on (the keypad's 6) or back (4): from the statements to the notice and back."""
        if not self.full:
            if step > 0:
                self.show_full()
            return
        if self.page == 0 and step < 0:
            self.show_summary()
            return
        self.page = max(0, min(len(self.pages) - 1, self.page + step))
        self._show()

    def _show(self) -> None:
        if not self.full:
            return
        self.body.setText(self.pages[self.page])
        total = len(self.pages)
        self.where.setText(self.page_text.format(n=self.page + 1, total=total))
        self.previous.setEnabled(True)  # on the first page: back to the three statements
        self.next.setEnabled(self.page < total - 1)
        self.where.setVisible(total > 1)
        for part in (self.previous, self.next):
            part.show()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self.paragraphs and self.isVisible():
            self.paginate()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        if self.full:
            self.paginate()  # shown at last: with the size it is shown at


def _pack(items: list[str], joiner: str, fits: Callable[[str], bool]) -> list[str]:
    """``items`` joined into as few parts as fit, in order (an item too big alone stands
    alone): paragraphs into pages, or the words of a paragraph too tall for one page."""
    parts: list[str] = []
    current = ""
    for item in items:
        joined = f"{current}{joiner}{item}" if current else item
        if current and not fits(joined):
            parts.append(current)
            current = item
        else:
            current = joined
    return [*parts, current]
