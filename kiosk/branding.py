"""The town's identity from configuration: ``[branding]`` (a primary colour, a crest or logo) and,
per service, a pictogram and a one-line description (DESIGN.md section 15).

Branding never takes a totem out of service: a colour too light, a logo that is missing, broken,
or could run or fetch something, a description too long, an unknown pictogram, each is one clear
line from ``kiosk config check`` (exit 2), and the screens draw without it. A logo is checked
again whenever it is read (:func:`logo_bytes`), since the file can change after the check.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path

from kiosk.design import NAVY, PICTOGRAMS, contrast

LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_PX = 4096
DESCRIPTION_MAX = 40  # characters: one line on a tile, two at large text, in every language
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# Elements that run, embed or fetch: an SVG with any of them is refused whole.
FORBIDDEN = {"script", "foreignobject", "iframe", "object", "embed", "audio", "video", "image",
             "feimage", "handler", "listener", "animate", "set"}  # fmt: skip
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class LogoError(ValueError):
    """The logo cannot be drawn; the message says why, for ``branding.logo: ...``."""


@dataclass(frozen=True)
class Branding:
    primary: str | None = None  # "#7a1f2b": tiles, buttons and headers; white text on it 4.5:1
    logo: Path | None = None  # an SVG (no script, no external reference) or a PNG


NO_BRANDING = Branding()  # the product's own look


def primary_problem(value: str) -> str | None:
    """Why ``value`` cannot be the primary colour, or None."""
    if not COLOUR.fullmatch(value):
        return f'"{value}" is not a colour like "#1f5fa8"'
    ratio = contrast("#ffffff", value)
    if ratio < 4.5:
        return (
            f"{value} is too light: white text on it reads at {ratio:.1f}:1, at least 4.5:1 is"
            f" needed (a darker shade, like {NAVY})"
        )
    return None


def icon_problem(value: str) -> str | None:
    if value not in PICTOGRAMS:
        return (
            f'"{value}" is not a pictogram (docs/technician.md lists them: {", ".join(PICTOGRAMS)})'
        )
    return None


def description_problem(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "is not a non-empty string"
    if "\n" in value:
        return "is more than one line"
    if len(value) > DESCRIPTION_MAX:
        return f"is {len(value)} characters, at most {DESCRIPTION_MAX} fit its tile at large text"
    return None


def logo_bytes(path: Path) -> bytes:
    """The logo's bytes, once they are known to be a PNG or a safe SVG.

    Raises:
        LogoError: missing, unreadable, too large, neither PNG nor SVG, or an SVG that could run
            a script or fetch anything.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LogoError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise LogoError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise LogoError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(data) > LOGO_MAX_BYTES:
        raise LogoError(f"{path}: {len(data) // 1024} KB, at most {LOGO_MAX_BYTES // 1024} KB")
    if data.startswith(PNG_MAGIC):
        _check_png(path, data)
    elif path.suffix.lower() == ".svg":
        _check_svg(path, data)
    else:
        raise LogoError(f"{path}: neither an SVG nor a PNG")
    return data


def is_svg(data: bytes) -> bool:
    return not data.startswith(PNG_MAGIC)


def _check_png(path: Path, data: bytes) -> None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise LogoError(f"{path}: a broken PNG")
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= LOGO_MAX_PX and 0 < height <= LOGO_MAX_PX):
        raise LogoError(f"{path}: {width}x{height} px, at most {LOGO_MAX_PX} on a side")


def _check_svg(path: Path, data: bytes) -> None:
    from xml.etree.ElementTree import ParseError  # only with an SVG logo: not on the start path

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise LogoError(f"{path}: an SVG that is not UTF-8 text") from None
    try:
        root = fromstring(text, forbid_dtd=True)
    except DefusedXmlException:
        raise LogoError(
            f"{path}: an SVG with a DOCTYPE or entities (refused: they can fetch)"
        ) from None
    except ParseError as exc:
        raise LogoError(f"{path}: a broken SVG ({exc})") from None
    if _local(root.tag) != "svg":
        raise LogoError(f"{path}: not an SVG (its root is <{_local(root.tag)}>)")
    for element in root.iter():
        name = _local(element.tag)
        if name in FORBIDDEN:
            raise LogoError(
                f"{path}: an SVG with <{name}> (the totem draws nothing that runs or fetches)"
            )
        for attribute, value in element.attrib.items():
            key = _local(attribute)
            if key.startswith("on"):
                raise LogoError(f"{path}: an SVG with a script in {key}= (refused)")
            if key == "href" and not value.startswith("#"):
                raise LogoError(f"{path}: an SVG referring to {value[:40]!r} (only #ids are drawn)")
            if key == "style" and _fetches(value):
                raise LogoError(f"{path}: an SVG whose style fetches (url() or @import)")
        if name == "style" and _fetches(element.text or ""):
            raise LogoError(f"{path}: an SVG whose style fetches (url() or @import)")


def _fetches(css: str) -> bool:
    return "@import" in css or bool(re.search(r"url\(\s*['\"]?(?!#)", css))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()
