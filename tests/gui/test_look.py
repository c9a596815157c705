"""The one look on the totem (DESIGN.md section 15): the town's colour and crest, each tile with
its pictogram, letter, name, description and queue; GOV.UK's focus; tiles that keep their colour
while a ticket prints. Offscreen, with pixels read back from the drawn widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from kiosk.config import load
from kiosk.design import FOCUS, PICTOGRAMS, contrast
from kiosk.ui.spoken import spoken

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.gui
TOWN = "#7a1f2b"


@pytest.fixture
def town(write_config, tmp_path):
    (tmp_path / "crest.svg").write_bytes((ROOT / "config" / "crest.svg").read_bytes())
    text = (
        write_config()
        .read_text()
        .replace(
            "daily_cap = 120\n",
            'daily_cap = 120\nicon = "registry"\n'
            'description = { it = "Certificati e residenza", en = "Certificates and residence" }\n',
            1,
        )
    )
    return load(write_config(text + f'\n[branding]\nprimary = "{TOWN}"\nlogo = "crest.svg"\n'))


def colour_at(widget, x: int, y: int) -> str:
    return QColor(widget.grab().toImage().pixel(x, y)).name()


def test_the_towns_colour_crest_and_tiles(qtbot, make_ui, town) -> None:
    w = make_ui(cfg=town).window
    tile = w.home.buttons["A"]
    assert tile.pictogram.isVisible() and tile.pictogram.text() == PICTOGRAMS["registry"]
    assert tile.letter.text() == "A" and tile.description.text() == "Certificati e residenza"
    assert not w.home.buttons["B"].pictogram.isVisible()  # B has none: no empty box
    assert not w.home.buttons["B"].description.isVisible()
    assert colour_at(tile, tile.width() // 2, 6) == TOWN  # the tile in the town's colour
    assert colour_at(w.header, 2, 2) == TOWN
    assert w.logo.isVisible() and not w.logo.pixmap().isNull()
    assert w.logo.pixmap().height() >= 40
    said = spoken(w.home, "it")
    assert "Certificati e residenza" in said and PICTOGRAMS["registry"] not in said
    assert "A. Anagrafe" not in said  # the letter box is not read as a word


def test_a_broken_logo_leaves_the_header_drawn_without_it(qtbot, make_ui, town) -> None:
    assert town.branding.logo is not None
    town.branding.logo.write_text("<svg><script>alert(1)</script></svg>")  # changed after check
    w = make_ui(cfg=town).window
    assert not w.logo.isVisible() and w.branch.text() == "Ufficio di prova"


def test_keypad_focus_is_yellow_with_a_black_frame_on_any_tile(qtbot, make_ui, town) -> None:
    w = make_ui(cfg=town).window
    tile = w.home.buttons["A"]
    w.assist._mark(tile)
    qtbot.wait(50)
    inside = colour_at(tile, tile.width() // 2, tile.height() // 2 + tile.height() // 3)
    assert inside == FOCUS
    assert colour_at(tile, tile.width() // 2, 1) == "#0b0c0c"  # the black line around it
    assert contrast(FOCUS, TOWN) >= 3 and contrast(FOCUS, "#0b0c0c") >= 3
    assert tile.name.palette().color(tile.name.foregroundRole()).name() == "#0b0c0c"
    w.assist._mark(None)
    qtbot.wait(50)
    assert colour_at(tile, tile.width() // 2, 6) == TOWN


def test_tiles_keep_their_colour_while_a_ticket_prints(qtbot, make_ui, town) -> None:
    w = make_ui(cfg=town).window
    w.busy = True  # a ticket on its way: a second touch issues nothing, but nothing greys out
    w._show_states()
    tile = w.home.buttons["A"]
    assert tile.isEnabled() and colour_at(tile, tile.width() // 2, 6) == TOWN
    w.choose("A")
    assert w.busy  # the touch was ignored, not queued


def test_a_selected_toggle_says_so_in_high_contrast(qtbot, make_ui) -> None:
    w = make_ui().window
    w.toggle_contrast()
    assert w.contrast_button.text().startswith("✓ ")
    w.toggle_large()
    assert w.large_button.text() == "✓ A+"
    w.toggle_contrast()
    assert w.contrast_button.text().startswith("◐ ")


def test_the_crest_is_printed_at_the_top_of_the_ticket(qtbot, make_ui, town) -> None:
    """The town's SVG crest, drawn by Qt on the printer's thread, is the ticket's first picture,
    above the branch's name; then the service and the number in the bold type."""
    from drivers.sim.escpos import Line, Raster

    ui = make_ui(cfg=town, mode="ok")
    w = ui.window
    qtbot.mouseClick(w.home.buttons["A"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(ui.sim.complete_jobs()) == 1, timeout=10_000)
    items = ui.sim.complete_jobs()[0].paper().items
    crest = items[0]
    assert isinstance(crest, Raster) and 40 <= crest.height <= 96 and crest.width <= 576 // 3 + 8
    assert any(b != 0 for b in crest.bits)  # ink, not a blank box
    assert isinstance(items[1], Line) and items[1].text == "Ufficio di prova"
    assert [type(i) for i in items[2:4]] == [Raster, Raster]  # the service, then the number


def test_a_crest_broken_after_the_check_prints_the_ticket_without_it(qtbot, make_ui, town) -> None:
    from drivers.sim.escpos import Line

    assert town.branding.logo is not None
    town.branding.logo.write_text("<svg><script>alert(1)</script></svg>")
    ui = make_ui(cfg=town, mode="ok")
    qtbot.mouseClick(ui.window.home.buttons["A"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(ui.sim.complete_jobs()) == 1, timeout=10_000)
    first = ui.sim.complete_jobs()[0].paper().items[0]
    assert isinstance(first, Line) and first.text == "Ufficio di prova"
