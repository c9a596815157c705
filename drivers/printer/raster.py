"""Words drawn as pictures for the printer: the ticket's number and service name in the bold
type of every other surface (Noto Sans Bold), smooth at any size, instead of the printer's
built-in font magnified eight times. The pictures are the paper's full width with the words
centred, black on white, one bit per dot: what ESC/POS's raster command (GS v 0) prints.

Without the font file (a development machine without fonts-noto-core) there is no picture and
the ticket prints the words in the printer's own font, as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.design import FONT_DIR, FONT_FILES, FONT_LATIN

BOLD = FONT_DIR / FONT_FILES[(FONT_LATIN, 700)]


def _font(size: int, path: Path) -> Any:
    from PIL import ImageFont

    return ImageFont.truetype(str(path), size)


def words_raster(words: str, height: int, width: int, lines: int = 1, font: Path = BOLD) -> Any:
    """``words`` ``height`` dots high (capitals and figures; smaller where they would not fit),
    centred on a ``width``-dot band, on at most ``lines`` lines broken between words. A PIL
    image in mode "1", or None without the font."""
    if not font.is_file():
        return None
    from PIL import Image, ImageDraw, ImageOps

    size = round(height / 0.72)  # Noto's capitals are 0.714 of its em
    while True:
        face = _font(size, font)
        rows = _wrap(words, face, width, lines)
        if rows is not None or size <= 12:
            break
        size = round(size * 0.9)
    rows = rows or [words]
    ascent, descent = face.getmetrics()
    step = ascent + descent
    top = face.getbbox("H")[1]  # the space above the capitals: not printed
    image = Image.new("1", (width, step * len(rows) - top), 1)
    draw = ImageDraw.Draw(image)
    for i, row in enumerate(rows):
        draw.text(((width - face.getlength(row)) / 2, i * step - top), row, font=face, fill=0)
    inked = ImageOps.invert(image.convert("L")).getbbox()  # no paper below the last ink
    return image.crop((0, 0, width, inked[3] if inked else 1))


def _wrap(words: str, face: Any, width: int, lines: int) -> list[str] | None:
    """``words`` in at most ``lines`` rows no wider than ``width``, broken between words."""
    rows: list[str] = []
    for word in words.split():
        candidate = f"{rows[-1]} {word}" if rows else word
        if rows and face.getlength(candidate) <= width:
            rows[-1] = candidate
        else:
            rows.append(word)
        if face.getlength(rows[-1]) > width or len(rows) > lines:
            return None
    return rows
