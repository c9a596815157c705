"""`kiosk screenshot` renders every screen offscreen, in any language and size."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.helpers import run_kiosk

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "screen", ["home", "ticket", "ticket-on-screen", "scan", "privacy", "out-of-order"]
)
@pytest.mark.parametrize("lang", ["it", "ar"])
def test_every_screen_renders(qapp, capsys, tmp_path: Path, screen: str, lang: str) -> None:
    out = tmp_path / f"{screen}-{lang}.png"
    code, stdout, err = run_kiosk(capsys, "--config", str(ROOT / "config" / "demo.toml"), "screenshot",
                                  "--screen", screen, "--lang", lang, "--size", "1080x1920", str(out))  # fmt: skip
    assert code == 0, err
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1080, 1920)
    # not blank: the header's band (the town's colour) and the light page are both there
    assert image.pixelColor(10, 10) != image.pixelColor(3, 1920 // 2)


def test_large_text_and_high_contrast(qapp, capsys, tmp_path: Path) -> None:
    shots = {}
    for name, flags in (("plain", []), ("both", ["--large-text", "--high-contrast"])):
        out = tmp_path / f"{name}.png"
        code, _, err = run_kiosk(capsys, "--config", str(ROOT / "config" / "demo.toml"),
                                 "screenshot", "--screen", "ticket", *flags, str(out))  # fmt: skip
        assert code == 0, err
        shots[name] = QImage(str(out))
    page = shots["both"].pixelColor(20, 1400)  # left of the ticket: the page itself
    assert (page.red(), page.green(), page.blue()) == (0, 0, 0)  # high contrast: black
    assert shots["plain"].pixelColor(20, 1400) != page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--screen", "home", "--size", "big"], "--size"),
        (["--screen", "home", "--size", "10x10"], "outside 320..7680"),
        (["--screen", "home", "--lang", "xx"], "--lang"),
    ],
)
def test_bad_arguments(capsys, tmp_path: Path, args: list[str], message: str) -> None:
    code, _, err = run_kiosk(
        capsys,
        "--config",
        str(ROOT / "config" / "demo.toml"),
        "screenshot",
        *args,
        str(tmp_path / "x.png"),
    )
    assert code == 2 and message in err


@pytest.mark.parametrize("screen", ["home", "out-of-order"])
def test_the_command_prints_its_one_line_and_nothing_else(tmp_path: Path, screen: str) -> None:
    """Qt's own notes (the offscreen platform's "does not support ...") go to the log at
    debug level, not onto the technician's terminal; a picture of the out-of-order screen is
    no fault of the totem (it used to log "ERROR ... out of order: screenshot")."""
    out = tmp_path / "shot.png"
    result = kiosk_process("screenshot", "--screen", screen, "--size", "1920x1080", str(out))
    assert result.returncode == 0
    assert result.stdout == f"{out}: {screen}, it, 1920x1080\n"
    assert result.stderr == ""


@pytest.mark.parametrize("screen", ["home", "out-of-order"])
def test_say_prints_the_words_and_nothing_else(screen: str) -> None:
    result = kiosk_process("say", "--screen", screen, "--lang", "en")
    assert result.returncode == 0 and result.stdout.strip()
    assert result.stderr == ""


def kiosk_process(*args: str):
    import os
    import subprocess
    import sys

    return subprocess.run(
        [Path(sys.executable).with_name("kiosk"), "--config", str(ROOT / "config" / "demo.toml"),
         *args],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("out", "code", "message"),
    [
        ("/proc/version", 1, "could not be written"),  # libpng used to complain, exit 0
        ("/nonexistent-folder/home.png", 2, "is not a folder"),  # it used to be created
        ("/proc/sys/kernel/home.png", 1, "could not be written"),
    ],
)
def test_a_screenshot_that_cannot_be_written_says_so(
    qapp, capsys, out: str, code: int, message: str
) -> None:
    got, stdout, err = run_kiosk(capsys, "--config", str(ROOT / "config" / "demo.toml"),
                                 "screenshot", "--screen", "home", out)  # fmt: skip
    assert (got, stdout) == (code, "") and message in err and err.count("\n") == 1
    assert not Path("/nonexistent-folder").exists()


def test_a_screenshot_late_in_the_evening_still_stages_a_day(qapp, monkeypatch) -> None:
    """At 23:50 the demo's waits would run past closing: the staged day is at 10:00."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kiosk.config import load
    from kiosk.ui import screenshot

    late = datetime(2026, 11, 23, 23, 50, tzinfo=ZoneInfo("Europe/Rome"))
    monkeypatch.setattr(screenshot, "now_utc", lambda: late)
    with screenshot.staged(load(ROOT / "config" / "demo.toml"), "ticket", "it") as window:
        assert window.stack.currentWidget() is window.ticket
        assert window.ticket.code.text() == "A004"  # three waiting before it, as at any hour


def test_a_screenshot_leaves_the_totems_own_day_alone(
    qapp, capsys, tmp_path: Path, monkeypatch
) -> None:
    """Staged on a throw-away copy, a screenshot writes nothing into the totem's data or
    witness folder (its marker there is the day's witness: one of a throw-away database would
    make the totem's two witnesses disagree), and leaves nothing behind in the temporary
    folder's parent."""
    import tempfile

    text = (ROOT / "config" / "demo.toml").read_text()
    config = tmp_path / "kiosk.toml"
    witness = tmp_path / "witness"
    witness.mkdir()
    (witness / "born").touch()
    text = text.replace("[kiosk]\n", f'[kiosk]\nwitness_dir = "{witness}"\n', 1)
    config.write_text(text.replace('data_dir = "', f'data_dir = "{tmp_path}/data" #', 1))
    own = tmp_path / "tmp"  # a temporary folder of its own: other processes' do not count
    own.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own))
    code, _, err = run_kiosk(capsys, "--config", str(config), "screenshot", "--screen", "ticket",
                             str(tmp_path / "shot.png"))  # fmt: skip
    assert code == 0, err
    assert [p.name for p in witness.iterdir()] == ["born"]
    assert not (tmp_path / "data").exists()
    assert list(own.iterdir()) == []
