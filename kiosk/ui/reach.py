"""The reach layout (EN 301 549 8.3): every control between 380 and 1220 mm above the floor,
so a citizen in a wheelchair reaches them all.

From where the screen is mounted (``ui.screen_bottom_mm``: its visible bottom edge above the
floor) and how tall it is (``ui.screen_height_mm``), the part of the window outside the band
is worked out in pixels; the window then keeps its controls out of it (a band at the top that
holds only words, and a margin at the bottom). ``ui.reach`` turns it on from the start; the
footer's control turns it on and off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LOWEST_MM = 380
HIGHEST_MM = 1220


@dataclass(frozen=True)
class Band:
    """Pixels of the window above the highest reach and below the lowest."""

    top_px: int
    bottom_px: int


def band(window_px: int, bottom_mm: int, height_mm: int) -> Band:
    """The window's rows outside reach, for a window filling a screen ``height_mm`` tall whose
    bottom edge is ``bottom_mm`` above the floor."""
    per_mm = window_px / height_mm
    above = max(0, bottom_mm + height_mm - HIGHEST_MM)
    below = max(0, LOWEST_MM - bottom_mm)
    return Band(round(above * per_mm + 0.5), round(below * per_mm + 0.5))


def height_mm(y_px: int, window_px: int, bottom_mm: int, screen_mm: int) -> float:
    """How high above the floor a row of the window is."""
    return bottom_mm + (window_px - y_px) * screen_mm / window_px


class ReachLayout:
    """The reach layout of a :class:`~kiosk.ui.window.KioskWindow`. Words may stay high; the
    controls go down: the screens whose buttons would be high (home, a scan's answer) put them
    at the bottom, and a margin at the bottom lifts everything when the screen is set low.
    The footer's control turns it on and off (offered when the mounting is configured)."""

    def __init__(self, window: Any) -> None:
        from PySide6.QtWidgets import QPushButton

        self.window = window
        access = window.config.access
        self.mounting = (access.screen_bottom_mm, access.screen_height_mm)
        self.on = access.reach
        self.usable = 0  # the window's rows within reach, once applied
        self.top_px = 0
        self.button = QPushButton()
        self.button.setObjectName("toggle")
        self.button.setCheckable(True)
        self.button.clicked.connect(self.toggle)
        self.button.setVisible(None not in self.mounting)
        window.footer.layout().insertWidget(0, self.button)  # a row of its own, the lowest reach

    def reachable_px(self, window_px: int) -> int:
        """How many of the window's rows are within reach (all of them when it is off)."""
        bottom_mm, height_mm = self.mounting
        if not self.on or bottom_mm is None or height_mm is None:
            return window_px
        out = band(window_px, bottom_mm, height_mm)
        return window_px - out.top_px - out.bottom_px

    def toggle(self) -> None:
        self.on = not self.on
        self.window.apply()

    def apply(self) -> None:
        from kiosk.ui.i18n import text

        self.button.setText(f"⇩ {text(self.window.lang, 'reach')}")
        self.button.setAccessibleName(text(self.window.lang, "reach_help"))
        self.button.setChecked(self.on)
        bottom_mm, height_mm = self.mounting
        self.usable, self.top_px = self.window.height(), 0
        margin = 0
        if self.on and bottom_mm is not None and height_mm is not None:
            out = band(self.window.height(), bottom_mm, height_mm)
            self.top_px, margin = out.top_px, out.bottom_px
            self.usable = self.window.height() - out.top_px - out.bottom_px
        self.window.layout().setContentsMargins(0, 0, 0, margin)
        for screen in self.window.made_screens():
            self.place(screen)

    def place(self, screen: Any) -> None:
        """Lay one screen out for the band: home and the messages; the rest fill the room."""
        if hasattr(screen, "within_reach"):
            screen.within_reach(self.top_px > 0)
