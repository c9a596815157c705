"""``scanner.uri`` parsed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from drivers.scanner.keymap import LAYOUTS

SCHEMES = ("evdev", "serial", "sim", "none")  # the one list of scanner schemes


class ScannerUriError(ValueError):
    """The URI cannot name a scanner; the message says why."""


@dataclass(frozen=True)
class ScannerUri:
    scheme: str  # evdev | serial | none
    path: str = ""  # evdev: a device path, or empty when matching by vendor:product
    vendor: int | None = None
    product: int | None = None
    layout: str = "us"
    baudrate: int = 9600


def parse(uri: str) -> ScannerUri:
    """Parse ``evdev:///dev/input/by-id/...?layout=it``, ``evdev://0c2e:0b61?layout=us``,
    ``serial:///dev/ttyACM0?baudrate=9600`` or ``none://``.

    Raises:
        ScannerUriError: unknown scheme, layout or malformed parts.
    """
    parts = urlsplit(uri)
    query = parse_qs(parts.query)
    if parts.scheme in ("none", "sim"):
        return ScannerUri(parts.scheme)
    if parts.scheme == "evdev":
        layout = query.get("layout", ["us"])[0]
        if layout not in LAYOUTS:
            raise ScannerUriError(f'"{uri}": layout "{layout}" is not one of {", ".join(LAYOUTS)}')
        if re.fullmatch(r"[0-9a-fA-F]{4}:[0-9a-fA-F]{4}", parts.netloc, re.ASCII):
            vendor, product = (int(x, 16) for x in parts.netloc.split(":"))
            return ScannerUri("evdev", vendor=vendor, product=product, layout=layout)
        if not parts.path:
            raise ScannerUriError(
                f'"{uri}" names no device (evdev:///dev/input/... or evdev://VID:PID)'
            )
        return ScannerUri("evdev", path=parts.path, layout=layout)
    if parts.scheme == "serial":
        rate = query.get("baudrate", ["9600"])[0]
        if not rate.isdigit() or int(rate) == 0:
            raise ScannerUriError(f'"{uri}": baudrate "{rate}" is not a number')
        if not parts.path:
            raise ScannerUriError(f'"{uri}" names no port (serial:///dev/ttyACM0?baudrate=9600)')
        return ScannerUri("serial", path=parts.path, baudrate=int(rate))
    raise ScannerUriError(f'"{uri}": unknown scheme ({", ".join(SCHEMES)})')
