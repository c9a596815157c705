"""Decoded paper rendered as a PNG, the way a thermal printer would print it."""

from __future__ import annotations

from pathlib import Path

import qrcode
from barcode.codex import Code128
from PIL import Image, ImageDraw, ImageFont

from drivers.sim.escpos import Barcode, Line, Paper, QrCode, Raster, Style

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
MARGIN = 16


def _font(bold: bool, pixels: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), pixels)
    return ImageFont.load_default(pixels)


def _text(line: Line, width: int) -> Image.Image:
    style = line.style
    base = 17 if style.font_b else 24  # font B is 9x17 dots, font A 12x24
    font = _font(style.bold, int(base * 0.8))
    box = font.getbbox(line.text or " ")
    img = Image.new("L", (max(1, int(box[2])) + 2, base), 255)
    ImageDraw.Draw(img).text((1, (base - box[3]) // 2), line.text, font=font, fill=0)
    img = img.resize((img.width * style.width, base * style.height))
    if img.width > width:
        img = img.crop((0, 0, width, img.height))  # a real printer wraps; the layout must not
    return img


def _qr(item: QrCode) -> Image.Image:
    code = qrcode.QRCode(
        border=4, box_size=item.module, error_correction=qrcode.constants.ERROR_CORRECT_M
    )
    code.add_data(item.data)
    code.make(fit=True)
    image: Image.Image = code.make_image().get_image().convert("L")
    return image


def _barcode(item: Barcode) -> Image.Image:
    modules = Code128(item.data).build()[0]
    quiet = 10 * item.module
    img = Image.new("L", (len(modules) * item.module + 2 * quiet, item.height), 255)
    draw = ImageDraw.Draw(img)
    for i, bit in enumerate(modules):
        if bit == "1":
            x = quiet + i * item.module
            draw.rectangle((x, 0, x + item.module - 1, item.height - 1), fill=0)
    return img


def _raster(item: Raster) -> Image.Image:
    return Image.frombytes(
        "1", (item.width, item.height), bytes(b ^ 0xFF for b in item.bits)
    ).convert("L")


def render_png(paper: Paper, out: Path, width_dots: int = 576) -> Path:
    """Draw the paper and save it as a PNG; returns ``out``."""
    blocks: list[tuple[Image.Image, Style]] = []
    for item in paper.items:
        if isinstance(item, Line):
            blocks.append((_text(item, width_dots), item.style))
        elif isinstance(item, QrCode):
            blocks.append((_qr(item), item.style))
        elif isinstance(item, Barcode):
            blocks.append((_barcode(item), item.style))
        elif isinstance(item, Raster):
            blocks.append((_raster(item), item.style))
    height = sum(img.height + 4 for img, _ in blocks) + 2 * MARGIN
    canvas = Image.new("L", (width_dots + 2 * MARGIN, height), 255)
    y = MARGIN
    for img, style in blocks:
        free = width_dots - img.width
        x = MARGIN + (0, free // 2, free)[min(style.align, 2)] if free > 0 else MARGIN
        canvas.paste(img, (x, y))
        y += img.height + 4
    if paper.cut:
        ImageDraw.Draw(canvas).line((0, height - 2, canvas.width, height - 2), fill=160)
    out.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(out)
    return out
