"""The reach layout's geometry: with the screen mounted as configured, every button of every
screen lies between 380 and 1220 mm above the floor; without it, some do not."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QAbstractButton

from kiosk.config import Access, Config
from kiosk.ui.reach import HIGHEST_MM, LOWEST_MM, band, height_mm
from kiosk.ui.window import KioskWindow, now_utc
from tests.gui.conftest import laid_out

pytestmark = pytest.mark.gui

# A 55" portrait screen (1210 mm of picture) from 690 mm to 1900 mm; a 32" one set low.
MOUNTINGS = [(690, 1210), (250, 700)]


def out_of_reach(window: KioskWindow, bottom: int, tall: int) -> list[str]:
    found = []
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window):
            continue
        top = button.mapTo(window, QPoint(0, 0)).y()
        low = top + button.height()
        high_mm = height_mm(top, window.height(), bottom, tall)
        low_mm = height_mm(low, window.height(), bottom, tall)
        if high_mm > HIGHEST_MM or low_mm < LOWEST_MM:
            found.append(f"{button.objectName()} {button.text()!r}: {low_mm:.0f}-{high_mm:.0f} mm")
    return found


@pytest.mark.parametrize(("bottom", "tall"), MOUNTINGS)
def test_every_control_within_reach(qtbot, config: Config, bottom: int, tall: int) -> None:
    access = dataclasses.replace(
        Access(), reach=True, screen_bottom_mm=bottom, screen_height_mm=tall
    )
    window = KioskWindow(dataclasses.replace(config, access=access), now_utc, lockdown=False)
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    window.update_states([
        {"code": sv.code, "names": dict(sv.name), "available": True, "waiting": 3,
         "wait_min": 12, "reason": "open"} for sv in config.services
    ])  # fmt: skip
    screens = {
        "home": window.go_home,
        "privacy": window.show_privacy,
        "ticket": lambda: window.show_ticket(
            {"code": "A001", "names": {"it": "Anagrafe"}, "ahead": 2, "wait_min": 9,
             "printed": True, "qr": "x"}
        ),
    }  # fmt: skip
    for large in (False, True):  # large text too: the controls are sized for the band
        if window.large != large:
            window.toggle_large()
        for name, show in screens.items():
            show()
            laid_out(qtbot, window)
            assert window.height() == 1920, name  # it all fits: the window did not grow
            assert window.home.buttons, "the services are on the screen"
            assert out_of_reach(window, bottom, tall) == [], (name, large)
            assert window.reach.button.isVisible()
    window.toggle_large()
    window.reach.toggle()  # off: the same screens reach beyond the band
    window.go_home()
    laid_out(qtbot, window)
    assert out_of_reach(window, bottom, tall) != []


def test_the_band_in_pixels() -> None:
    assert band(1920, 690, 1210) == band(1920, 690, 1210)
    top = band(1920, 690, 1210)
    assert abs(top.top_px - (690 + 1210 - 1220) * 1920 / 1210) <= 1 and top.bottom_px == 0
    low = band(1280, 250, 700)
    assert low.top_px == 0 and abs(low.bottom_px - 130 * 1280 / 700) <= 1
