"""The privacy notice in pages with large buttons: in every language, at the three screen
shapes, with and without large text, every page fits (nothing cut) and together the pages
hold the whole notice."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt

from kiosk.config import Config
from kiosk.i18n import LANGUAGES
from kiosk.ui.i18n import text
from tests.gui.conftest import SCREEN_SIZES, laid_out, window_in_every_language

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("size", SCREEN_SIZES)
@pytest.mark.parametrize("large", [False, True])
def test_every_page_fits_and_the_pages_hold_the_notice(qtbot, config: Config, size, large) -> None:
    window = window_in_every_language(qtbot, config, size)
    window.large = large
    for lang in LANGUAGES:
        window.set_language(lang)
        window.show_privacy()
        p = window.privacy
        assert p.summary.isVisible() and not p.body.isVisible()  # three statements first
        qtbot.mouseClick(p.more, Qt.MouseButton.LeftButton)
        laid_out(qtbot, window)
        notice = text(lang, "privacy_body", controller=config.privacy_controller, dpo="-")
        box = p.body.contentsRect()
        metrics = p.body.fontMetrics()
        shown = []
        for page in range(len(p.pages)):
            assert p.body.text() == p.pages[page]
            needed = metrics.boundingRect(0, 0, box.width(), 100_000,
                                          int(Qt.TextFlag.TextWordWrap), p.body.text())  # fmt: skip
            assert needed.height() <= box.height(), (lang, size, large, page)
            shown.append(p.body.text())
            assert p.next.isEnabled() == (page < len(p.pages) - 1)
            if p.next.isEnabled():
                qtbot.mouseClick(p.next, Qt.MouseButton.LeftButton)
        assert " ".join(" ".join(shown).split()) == " ".join(notice.split())  # all of it
        if len(p.pages) > 1:
            assert p.where.text() == text(lang, "page_of", n=len(p.pages), total=len(p.pages))
            qtbot.mouseClick(p.previous, Qt.MouseButton.LeftButton)
            assert p.body.text() == p.pages[-2]
    window.setProperty("allowClose", True)
    window.close()


def test_the_notice_chosen_before_the_window_is_shown_is_paged_at_the_shown_size(
    qapp, config: Config
) -> None:
    """As `kiosk screenshot` stages it, and as a window restored on a screen would: pages cut
    for the window's real size, not for the few pixels of a window not yet shown."""
    from kiosk.ui.screenshot import staged

    for lang in ("it", "ar"):
        with staged(config, "privacy", lang) as window:
            assert window.privacy.summary.isVisible()  # the first layer
            window.privacy.show_full()
            shown = window.privacy.pages
            assert len(shown) <= 3, (lang, len(shown))
            assert len(shown[0]) > 300, shown[0]


def test_pages_follow_the_room_when_text_grows_on_the_open_notice(qapp, config: Config) -> None:
    """Staged as `kiosk screenshot --large-text --high-contrast` does, on a small screen: the
    footer takes more rows, the body less room, and the pages are cut for the room it has
    (the last line was left cut in half)."""
    from kiosk.ui.screenshot import staged

    every = dataclasses.replace(config, languages=LANGUAGES)
    for lang in ("ar", "it", "de"):
        with staged(every, "privacy", lang, (800, 1280), large=True, contrast=True) as window:
            p = window.privacy
            box, metrics = p.body.contentsRect(), p.body.fontMetrics()
            for page in p.pages:
                needed = metrics.boundingRect(0, 0, box.width(), 100_000,
                                              int(Qt.TextFlag.TextWordWrap), page)  # fmt: skip
                assert needed.height() <= box.height(), lang


def test_the_notice_comes_in_two_layers_by_touch_and_by_keypad(qtbot, config: Config) -> None:
    """First three short statements with their pictograms, in every language; then the whole
    notice, page by page; the keypad's 6 and 4 go the same way (4 on the first page goes
    back to the statements); the statements are read aloud, the pictograms are not."""
    from kiosk.ui.spoken import spoken

    window = window_in_every_language(qtbot, config, (1080, 1920))
    for lang in LANGUAGES:
        window.set_language(lang)
        window.show_privacy()
        p = window.privacy
        points = [point.text() for point in p.points]
        assert points == [text(lang, f"privacy_short_{n}") for n in (1, 2, 3)]
        assert all(point.isVisible() for point in p.points) and p.more.isVisible()
        said = spoken(p, lang)
        assert all(point in said for point in points) and "\ue510" not in said
        p.turn(1)  # the keypad's 6
        assert p.full and p.body.isVisible() and not p.summary.isVisible()
        assert p.body.text() == p.pages[0]
        p.turn(-1)  # the keypad's 4 on the first page
        assert not p.full and p.summary.isVisible()
    window.setProperty("allowClose", True)
    window.close()
