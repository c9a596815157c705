"""The town's identity from configuration (kiosk/branding.py): a colour white text reads on, a
logo that can neither run nor fetch anything, pictograms and descriptions; each problem one line
from ``kiosk config check`` (exit 2) while the totem runs without what it names."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.branding import DESCRIPTION_MAX, LogoError, logo_bytes, primary_problem
from kiosk.cli.app import cli
from kiosk.config import load
from kiosk.design import NORMAL, contrast

CREST = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 12"><defs><linearGradient id="g">'
    '<stop offset="0" stop-color="#7a1f2b"/></linearGradient></defs>'
    '<path d="M0 0h10v7l-5 5-5-5z" fill="url(#g)"/><use href="#g"/></svg>'
)


def png(width: int = 4, height: int = 4) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x7a\x1f\x2b" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))  # fmt: skip


def branded(write_config, tmp_path: Path, branding: str, service_extra: str = "") -> Path:
    text = write_config().read_text()
    text = text.replace("daily_cap = 120\n", f"daily_cap = 120\n{service_extra}\n", 1)
    return write_config(text + f"\n[branding]\n{branding}\n")


def check(path: Path) -> tuple[int, list[str]]:
    done = CliRunner().invoke(cli, ["--config", str(path), "config", "check"])
    return done.exit_code, done.output.strip().splitlines()


def test_a_crest_a_colour_a_pictogram_and_a_description(write_config, tmp_path: Path) -> None:
    (tmp_path / "crest.svg").write_text(CREST)
    path = branded(write_config, tmp_path, 'primary = "#7A1F2B"\nlogo = "crest.svg"',
                   'icon = "registry"\ndescription = { it = "Certificati e residenza", en = "Certificates, residence" }')  # fmt: skip
    config = load(path)
    assert config.notes == ()
    assert config.branding.primary == "#7a1f2b" and config.branding.logo == tmp_path / "crest.svg"
    a = config.service("A")
    assert (
        a is not None and a.icon == "registry" and a.description["en"] == "Certificates, residence"
    )
    assert check(path) == (0, [f"{path}: ok"])
    town = NORMAL.branded(config.branding.primary)
    assert (
        town.button == town.header == "#7a1f2b" and contrast(town.button_text, town.button) >= 4.5
    )


@pytest.mark.parametrize(
    ("branding", "said"),
    [
        (
            'primary = "#ffd23f"',
            "branding.primary: #ffd23f is too light: white text on it reads at 1.4:1",
        ),
        ('primary = "red"', 'branding.primary: "red" is not a colour like "#1f5fa8"'),
        ('logo = "nowhere.svg"', "nowhere.svg: no such file"),
        ('logo = "crest.gif"', "crest.gif: neither an SVG nor a PNG"),
    ],
)
def test_each_problem_is_one_line_and_the_totem_runs_without_it(
    write_config, tmp_path: Path, branding: str, said: str
) -> None:
    (tmp_path / "crest.gif").write_bytes(b"GIF89a")
    path = branded(write_config, tmp_path, branding)
    config = load(path)  # the totem starts: its screens draw without the town's colour or logo
    assert config.branding.primary is None and config.branding.logo is None
    code, lines = check(path)
    assert code == 2 and len(lines) == 1 and said in lines[0], lines


SVGS = {
    "script": (CREST.replace("</svg>", "<script>fetch('//x')</script></svg>"), "<script>"),
    "handler": (CREST.replace("<path ", '<path onload="alert(1)" '), "onload"),
    "external": (CREST.replace('href="#g"', 'href="https://evil.example/x.svg#a"'), "referring to"),
    "xlink": (CREST.replace('<use href="#g"/>', '<use xmlns:l="http://www.w3.org/1999/xlink" l:href="http://x/a"/>'), "referring to"),
    "style": (CREST.replace("<defs>", "<style>@import url(http://x/a.css);</style><defs>"), "style fetches"),
    "image": (CREST.replace("</svg>", '<image href="data:image/png;base64,AA"/></svg>'), "<image>"),
    "foreign": (CREST.replace("</svg>", "<foreignObject><p>x</p></foreignObject></svg>"), "<foreignobject>"),
    "entities": ('<?xml version="1.0"?><!DOCTYPE s [<!ENTITY e SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&e;</svg>', "DOCTYPE"),
    "broken": (CREST[:60], "a broken SVG"),
    "html": ("<html><body/></html>", "not an SVG"),
}  # fmt: skip


@pytest.mark.parametrize("case", SVGS)
def test_an_svg_that_could_run_or_fetch_is_refused(tmp_path: Path, case: str) -> None:
    text, said = SVGS[case]
    path = tmp_path / "logo.svg"
    path.write_text(text)
    with pytest.raises(LogoError, match=said.replace("(", r"\(")):
        logo_bytes(path)


def test_pngs_and_their_limits(tmp_path: Path) -> None:
    good = tmp_path / "crest.png"
    good.write_bytes(png())
    assert logo_bytes(good).startswith(b"\x89PNG")
    huge = tmp_path / "huge.png"
    huge.write_bytes(png()[:16] + struct.pack(">II", 100_000, 10) + png()[24:])
    with pytest.raises(LogoError, match="100000x10 px"):
        logo_bytes(huge)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 4)
    with pytest.raises(LogoError, match="broken PNG"):
        logo_bytes(broken)
    large = tmp_path / "large.svg"
    large.write_text(CREST.replace("</svg>", "<g/>" * 200_000 + "</svg>"))
    with pytest.raises(LogoError, match="at most 512 KB"):
        logo_bytes(large)


def test_unknown_pictograms_and_long_descriptions_are_said(write_config, tmp_path: Path) -> None:
    long = "x" * (DESCRIPTION_MAX + 1)
    path = branded(write_config, tmp_path, "",
                   f'icon = "unicorn"\ndescription = {{ it = "{long}", xx = "y", en = "Fine" }}')  # fmt: skip
    config = load(path)
    a = config.service("A")
    assert a is not None and a.icon is None and a.description == {"en": "Fine"}
    code, lines = check(path)
    assert code == 2 and len(lines) == 3
    assert lines[0].startswith('services[0].icon: "unicorn" is not a pictogram (docs/technician.md')
    assert (
        lines[1]
        == f"services[0].description.it: is {DESCRIPTION_MAX + 1} characters, at most {DESCRIPTION_MAX} fit its tile at large text"
    )
    assert lines[2].startswith("services[0].description.xx: unknown language")


def test_the_colour_rule_is_the_contrast_rule() -> None:
    assert primary_problem("#0b5cad") is None  # today's blue
    assert primary_problem("#767676") is None  # the lightest grey white reads on at 4.5:1
    assert primary_problem("#777777") is not None
