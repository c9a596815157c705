"""No button narrower than its words: every language, the three screen shapes, normal and
large text, speech on and off. Where a row of the footer cannot hold its buttons, they wrap to
a second row (three and three) instead of being squeezed until "Contrasto" reads "Contrast"."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton

from kiosk.config import Config, load
from kiosk.i18n import LANGUAGES
from kiosk.ui.window import KioskWindow
from tests.gui.conftest import SCREEN_SIZES, laid_out, window_in_every_language

pytestmark = pytest.mark.gui


def squeezed(window: KioskWindow) -> list[str]:
    """Visible buttons narrower than they ask to be for their words and padding."""
    return [
        f"{b.objectName()} {b.text()!r}: {b.width()} < {b.sizeHint().width()} px"
        for b in window.findChildren(QPushButton)
        if b.isVisibleTo(window) and b.width() < b.sizeHint().width()
    ]


@pytest.mark.parametrize("size", SCREEN_SIZES)
@pytest.mark.parametrize("large", [False, True])
def test_no_button_is_cut(qtbot, config: Config, size, large) -> None:
    window = window_in_every_language(qtbot, config, size)
    if large:
        window.toggle_large()
    found = []
    for speech in (False, True):
        if window.assist.on != speech:
            window.assist.toggle()
        for lang in LANGUAGES:
            window.set_language(lang)
            for show in (window.go_home, window.show_privacy):
                show()
                qtbot.wait(5)
                found += [f"{lang} speech={speech}: {s}" for s in squeezed(window)]
                footer = window.footer.geometry()
                assert footer.bottom() <= window.height(), "the footer runs off the screen"
                assert window.stack.height() > window.height() // 3, (lang, size, large)
    window.setProperty("allowClose", True)
    window.close()
    assert not found, "\n".join(found[:12])


@pytest.mark.parametrize("screen", ["ticket-on-screen", "privacy", "home"])
def test_the_window_never_grows_past_its_screen(qapp, capsys, tmp_path, screen: str) -> None:
    """Large text and speech on a small screen made the window 1303x3070 for 800x1280: the
    footer and half the ticket were off the display."""
    from pathlib import Path

    from PySide6.QtGui import QImage

    from tests.helpers import run_kiosk

    demo = Path(__file__).resolve().parents[2] / "config" / "demo.toml"
    for lang in ("it", "ar"):
        out = tmp_path / f"{screen}-{lang}.png"
        code, _, err = run_kiosk(capsys, "--config", str(demo), "screenshot", "--screen", screen,
                                 "--lang", lang, "--size", "800x1280", "--large-text", "--speech",
                                 str(out))  # fmt: skip
        assert code == 0, err
        image = QImage(str(out))
        assert (image.width(), image.height()) == (800, 1280), (screen, lang)


@pytest.mark.parametrize("size", SCREEN_SIZES)
def test_the_ticket_qr_on_screen_is_never_cut(qapp, config: Config, size) -> None:
    """The printer failed: the citizen photographs the QR. It is at least 60 mm wide and
    whole (a QR missing its edge cannot be scanned); the banner, the number, the caption and the
    way back are whole too, in every language; the number is at full size on the usual
    totem, and where the screen is short (large text) it gives way to the QR, never the reverse."""
    from kiosk.i18n import LANGUAGES
    from kiosk.ui.screenshot import staged
    from kiosk.ui.window import CODE_SCALE

    # Every language on the smallest screen; the longest (German), Arabic and the first elsewhere.
    langs = LANGUAGES if size == (800, 1280) else ("it", "de", "ar")
    for lang in langs:
        for large, speech in ((False, False), (True, False), (True, True)):
            case = (size, lang, large, speech)
            with staged(config, "ticket-on-screen", lang, size, large=large, speech=speech) as w:
                t = w.ticket
                qr = t.qr
                assert qr.isVisible() and qr.pixmap().height() <= qr.height(), case
                assert qr.pixmap().width() <= qr.width(), case
                assert qr.pixmap().width() >= round(60 * w.px_per_mm()), case
                parts = [t.banner, t.fault, t.code, t.service, t.photo, t.caption, t.back]
                if not (large and speech and size == (800, 1280)):  # the shortest: it gives way
                    parts.append(t.queue)
                for part in parts:
                    assert part.isVisible(), (case, part.objectName())
                    where = part.mapTo(t, part.rect().topLeft())
                    assert where.y() >= 0 and where.y() + part.height() <= t.height(), (
                        case, part.objectName())  # fmt: skip
                    wanted = (part.heightForWidth(part.width()) if part.hasHeightForWidth()
                              else part.sizeHint().height())  # fmt: skip
                    assert part.height() >= wanted, (case, part.objectName(), part.height())
                full = w.sizes()["base"] * CODE_SCALE
                code_px = t.code.font().pixelSize()
                assert code_px >= full // 3, case
                if size == (1080, 1920) and not large:
                    assert code_px == full, case  # the usual totem: the number at full size


def _longest(words: str) -> str:
    """Words repeated to exactly the longest description config takes."""
    from kiosk.branding import DESCRIPTION_MAX

    text = (words + " ") * (DESCRIPTION_MAX // len(words) + 1)
    return text[:DESCRIPTION_MAX].rstrip() + "."


DESCRIPTIONS = {
    "it": "certificati residenza", "en": "certificates residence", "fr": "attestations domicile",
    "de": "Bescheinigungen Wohnsitz", "es": "certificados domicilio", "ar": "الشهادات والإقامة",
}  # fmt: skip


@pytest.mark.parametrize("size", SCREEN_SIZES)
@pytest.mark.parametrize("tiles", [2, 3])
def test_the_longest_description_fits_its_tile_at_large_text(
    qtbot, config: Config, size, tiles: int
) -> None:
    """A tile holds its pictogram, letter, name, the longest description config takes and its
    queue, whole, in every language, with large text on the smallest screen too. With more
    services than the screen has room for at large text, the description gives way: the name
    and the queue are never cut."""
    import dataclasses

    described = {lang: _longest(words) for lang, words in DESCRIPTIONS.items()}
    services = tuple(
        dataclasses.replace(
            config.services[i % 2], code=code, icon="registry", description=described
        )
        for i, code in enumerate("ABCD"[:tiles])
    )
    window = window_in_every_language(qtbot, dataclasses.replace(config, services=services), size)
    window.update_states(
        [
            {"code": s.code, "available": True, "waiting": 99, "wait_min": 95, "names": {}}
            for s in services
        ]
    )
    window.toggle_large()
    cut = []
    for lang in LANGUAGES:
        window.set_language(lang)
        laid_out(qtbot, window)  # the new direction laid out (right to left for Arabic)
        for tile in window.home.buttons.values():
            if tiles == 2:  # room for every word
                assert tile.description.isVisibleTo(window), (lang, size)
            for part in (tile.name, tile.description, tile.detail, tile.pictogram, tile.letter):
                if not part.isVisibleTo(window):
                    assert part is tile.description, (lang, part.objectName())
                    continue
                need = (
                    part.heightForWidth(part.width())
                    if part.wordWrap()
                    else part.sizeHint().height()
                )
                assert part.parentWidget() is tile
                inside = tile.rect().contains(part.geometry())
                if (
                    part.height() < need
                    or part.width() < part.minimumSizeHint().width()
                    or not inside
                ):
                    cut.append(
                        f"{lang} {size} {part.objectName()}: {part.geometry()} in {tile.rect()},"
                        f" {need} px high, {part.minimumSizeHint().width()} px wide needed"
                    )
    layout = (
        window.width(),
        window.home.columns,
        window.home.grid.count(),
        window.home.width(),
        [t.geometry() for t in window.home.buttons.values()],
    )
    window.setProperty("allowClose", True)
    window.close()
    assert not cut, "\n".join(cut[:12]) + str(layout)


@pytest.mark.parametrize("size", SCREEN_SIZES)
def test_every_tile_whole_with_large_text_and_speech(qapp, size) -> None:
    """The demo's three services with large text, with and without speech's rows in the footer
    and the keypad's frame on the first tile: every tile inside the home screen, none over
    another, its name and queue whole, in every language; the descriptions, the title and the
    gaps give way first."""
    from kiosk.i18n import LANGUAGES
    from kiosk.ui.screenshot import staged

    demo = load(Path(__file__).resolve().parents[2] / "config" / "demo.toml")
    cases = [(lang, True) for lang in LANGUAGES] + [(lang, False) for lang in ("it", "de", "ar")]
    for lang, speech in cases:
        with staged(demo, "home", lang, size, large=True, speech=speech) as w:
            home = w.home
            tiles = list(home.buttons.values())
            boxes = [t.geometry() for t in tiles]
            for tile, box in zip(tiles, boxes, strict=True):
                case = (size, lang, speech, tile.code)
                assert box.top() >= 0 and box.bottom() < home.height(), case
                for part in (tile.name, tile.detail):
                    assert part.height() >= part.heightForWidth(part.width()), case
            for a, b in itertools.pairwise(boxes):
                assert not a.intersects(b), (size, lang)
