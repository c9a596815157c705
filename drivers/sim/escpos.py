"""A strict ESC/POS decoder: bytes back to what a printer would put on paper.

It knows the lengths of every command the totem sends, so real-time status requests inside a
stream are recognised only at command boundaries, as a printer does, and a byte sequence it
does not know is reported rather than guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C
CODE_PAGES = {0: "cp437", 2: "cp850", 16: "cp1252", 19: "cp858"}
# ESC and GS commands with one parameter byte
_ONE_ARG = {
    ESC: set(b"t a E ! d - M G { 3 J V r".replace(b" ", b"")),
    GS: set(b"! h w H f B b L W a".replace(b" ", b"")),
}
_NO_ARG = {ESC: set(b"@2"), GS: set()}


class Incomplete(Exception):
    """More bytes are needed to finish the command at the start of the buffer."""


class Unknown(ValueError):
    """The buffer starts with a command this decoder does not know."""


@dataclass(frozen=True)
class Token:
    """One command or one run of text. ``name`` is e.g. "ESC a", "GS ( k", "text", "LF"."""

    name: str
    args: bytes = b""
    size: int = 0


def next_token(buf: bytes | bytearray, start: int = 0) -> Token:
    """The token at ``buf[start:]``.

    Raises:
        Incomplete: the command is cut short.
        Unknown: not a command the decoder knows.
    """
    n = len(buf) - start
    if n <= 0:
        raise Incomplete
    b0 = buf[start]
    if b0 == 0x0A:
        return Token("LF", size=1)
    if b0 in (0x0D, 0x00):
        return Token("ignore", size=1)
    if b0 == DLE:
        if n < 3:
            raise Incomplete
        if buf[start + 1] == 0x04:
            return Token("DLE EOT", bytes([buf[start + 2]]), 3)
        raise Unknown(f"DLE {buf[start + 1]:#04x}")
    if b0 in (ESC, GS):
        return _command(buf, start, n)
    if b0 == FS:
        raise Unknown(f"FS {buf[start + 1]:#04x}" if n > 1 else "FS")
    end = start
    while end < len(buf) and buf[end] >= 0x20 and buf[end] not in (ESC, GS, DLE, FS):
        end += 1
    return Token("text", bytes(buf[start:end]), end - start)


def _command(buf: bytes | bytearray, start: int, n: int) -> Token:
    b0 = buf[start]
    prefix = "ESC" if b0 == ESC else "GS"
    if n < 2:
        raise Incomplete
    op = buf[start + 1]
    name = f"{prefix} {chr(op)}"
    if op in _NO_ARG[b0]:
        return Token(name, size=2)
    if b0 == GS and op == ord("V"):
        if n < 3:
            raise Incomplete
        m = buf[start + 2]
        size = 4 if m in (65, 66, 97, 98, 103, 104) else 3
        if n < size:
            raise Incomplete
        return Token(name, bytes(buf[start + 2 : start + size]), size)
    if op in _ONE_ARG[b0]:
        if n < 3:
            raise Incomplete
        return Token(name, bytes([buf[start + 2]]), 3)
    if b0 == GS and op == ord("("):  # GS ( k / GS ( L: pL pH then that many bytes
        if n < 5:
            raise Incomplete
        length = buf[start + 3] + 256 * buf[start + 4]
        if n < 5 + length:
            raise Incomplete
        return Token(
            f"GS ( {chr(buf[start + 2])}", bytes(buf[start + 5 : start + 5 + length]), 5 + length
        )
    if b0 == GS and op == ord("k"):
        if n < 3:
            raise Incomplete
        m = buf[start + 2]
        if m <= 6:  # NUL-terminated data
            end = buf.find(b"\x00", start + 3)
            if end < 0:
                raise Incomplete
            return Token(name, bytes(buf[start + 2 : end]), end + 1 - start)
        if n < 4:
            raise Incomplete
        length = buf[start + 3]
        if n < 4 + length:
            raise Incomplete
        return Token(name, bytes(buf[start + 2 : start + 4 + length]), 4 + length)
    if b0 == GS and op == ord("v"):  # GS v 0 m xL xH yL yH data
        if n < 8:
            raise Incomplete
        xbytes = buf[start + 4] + 256 * buf[start + 5]
        rows = buf[start + 6] + 256 * buf[start + 7]
        size = 8 + xbytes * rows
        if n < size:
            raise Incomplete
        return Token("GS v 0", bytes(buf[start + 4 : start + size]), size)
    raise Unknown(f"{prefix} {op:#04x}")


# -- interpreting tokens into what is on paper ------------------------------------------------


@dataclass
class Style:
    align: int = 0
    bold: bool = False
    width: int = 1
    height: int = 1
    font_b: bool = False


@dataclass(frozen=True)
class Line:
    text: str
    style: Style


@dataclass(frozen=True)
class QrCode:
    data: str
    module: int
    style: Style


@dataclass(frozen=True)
class Barcode:
    symbology: str
    data: str  # decoded: code set C pairs become digits
    module: int
    height: int
    style: Style


@dataclass(frozen=True)
class Raster:
    width: int  # in dots
    height: int
    bits: bytes
    style: Style


@dataclass
class Paper:
    """What one job put on paper."""

    items: list[Line | QrCode | Barcode | Raster] = field(default_factory=list)
    cut: bool = False
    status_requests: int = 0
    code_page: str = "cp437"

    def text(self) -> str:
        """The job as plain text, with barcodes shown as [QR ...] and [CODE128 ...]."""
        out = []
        for item in self.items:
            if isinstance(item, Line):
                out.append(item.text)
            elif isinstance(item, QrCode):
                out.append(f"[QR {item.data}]")
            elif isinstance(item, Barcode):
                out.append(f"[{item.symbology} {item.data}]")
            else:
                out.append(f"[image {item.width}x{item.height}]")
        if self.cut:
            out.append("[cut]")
        return "\n".join(out)


def _code128(data: bytes) -> str:
    out, mode, i = [], "B", 0
    while i < len(data):
        if data[i] == ord("{") and i + 1 < len(data):
            code = chr(data[i + 1])
            if code in "ABC":
                mode = code
            i += 2
            continue
        out.append(f"{data[i]:02d}" if mode == "C" else chr(data[i]))
        i += 1
    return "".join(out)


def decode(data: bytes) -> Paper:
    """Interpret a whole job.

    Raises:
        Unknown: a command the decoder does not know (the totem must never send one).
        Incomplete: the job ends in the middle of a command.
    """
    paper = Paper()
    style = Style()
    pending = ""
    qr_data, qr_module = "", 3
    bar_height, bar_module = 162, 3
    pos = 0

    def flush() -> None:
        nonlocal pending
        paper.items.append(Line(pending, Style(**vars(style))))
        pending = ""

    while pos < len(data):
        tok = next_token(data, pos)
        pos += tok.size
        name, args = tok.name, tok.args
        if name == "text":
            pending += args.decode(paper.code_page, errors="replace")
        elif name == "LF":
            flush()
        elif name == "ESC @":
            style = Style()
            paper.code_page = "cp437"
        elif name == "ESC t":
            if args[0] not in CODE_PAGES:
                raise Unknown(f"code page {args[0]}")
            paper.code_page = CODE_PAGES[args[0]]
        elif name == "ESC a":
            style.align = args[0] % 48
        elif name == "ESC E":
            style.bold = bool(args[0] & 1)
        elif name == "ESC !":
            style.bold = bool(args[0] & 0x08)
            style.height = 2 if args[0] & 0x10 else 1
            style.width = 2 if args[0] & 0x20 else 1
            style.font_b = bool(args[0] & 0x01)
        elif name == "GS !":
            style.width, style.height = (args[0] >> 4) + 1, (args[0] & 0x0F) + 1
        elif name == "ESC M":
            style.font_b = bool(args[0] & 1)
        elif name == "GS h":
            bar_height = args[0]
        elif name == "GS w":
            bar_module = args[0]
        elif name == "GS ( k":
            fn = args[1]
            if fn == ord("C"):
                qr_module = args[2]
            elif fn == ord("P"):
                qr_data = args[3:].decode("latin-1")
            elif fn == ord("Q"):
                paper.items.append(QrCode(qr_data, qr_module, Style(**vars(style))))
        elif name == "GS k":
            m = args[0]
            if m == 73:
                paper.items.append(
                    Barcode(
                        "CODE128", _code128(args[2:]), bar_module, bar_height, Style(**vars(style))
                    )
                )
            else:
                raise Unknown(f"barcode type {m}")
        elif name == "GS v 0":
            xbytes, rows = args[0] + 256 * args[1], args[2] + 256 * args[3]
            paper.items.append(Raster(xbytes * 8, rows, args[4:], Style(**vars(style))))
        elif name == "GS V":
            paper.cut = True
        elif name == "DLE EOT":
            paper.status_requests += 1
        # ESC d (feed), GS H/f (barcode text), ESC 2/3, ignore: no mark on paper to record
    if pending:
        flush()
    return paper
