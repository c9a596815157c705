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
