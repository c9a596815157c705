"""A row of buttons that wraps onto a second row rather than cut its words.

The footer's rows (the languages; speech, large text, contrast, privacy) fit one line at normal
size. With large text on a narrow screen, or in a language with long words, they would not:
Qt's box layouts then squeeze each button below its words and cut them ("Contrast", "rivac").
Here the buttons keep their width and move to the next row; each row's spare width is shared
among its buttons, so the rows stay full. Right-to-left languages fill from the right.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget, QWidgetItem


class FlowRow(QLayout):
    """Widgets in order, as many per row as fit at their preferred widths."""

    def __init__(self, spacing: int = 6) -> None:
        super().__init__()
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    # -- QLayout's interface ----------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def insertWidget(self, index: int, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize()).expandedTo(item.sizeHint())
        return size

    # -- placing ----------------------------------------------------------------------------

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def rows(self, width: int) -> list[list[QLayoutItem]]:
        """The shown items, cut into as few rows as fit ``width``, as even as they can be
        (three and three rather than five and one; an item wider alone stands alone)."""
        shown = self._shown()
        gap = self.spacing()

        def fits(row: list[QLayoutItem]) -> bool:
            return sum(i.sizeHint().width() for i in row) + gap * (len(row) - 1) <= width

        rows: list[list[QLayoutItem]] = []
        for item in shown:
            if rows and fits([*rows[-1], item]):
                rows[-1].append(item)
            else:
                rows.append([item])
        if len(rows) > 1:
            per = -(-len(shown) // len(rows))
            even = [shown[i : i + per] for i in range(0, len(shown), per)]
            if len(even) == len(rows) and all(fits(row) for row in even):
                return even
        return rows

    def _place(self, rect: QRect, move: bool) -> int:
        gap = self.spacing()
        y = rect.y()
        owner = self.parentWidget()
        rtl = owner is not None and owner.layoutDirection() == Qt.LayoutDirection.RightToLeft
        for row in self.rows(rect.width()):
            height = max(item.sizeHint().height() for item in row)
            spare = rect.width() - sum(i.sizeHint().width() for i in row) - gap * (len(row) - 1)
            x = rect.x()
            for n, item in enumerate(row):
                wide = item.sizeHint().width() + max(0, spare) // len(row)
                if n == len(row) - 1:  # the last one takes what rounding left
                    wide = rect.x() + rect.width() - x
                if move:
                    left = rect.x() + rect.right() - x - wide + 1 if rtl else x
                    item.setGeometry(QRect(QPoint(left, y), QSize(wide, height)))
                x += wide + gap
            y += height + gap
        return max(0, y - gap - rect.y())
