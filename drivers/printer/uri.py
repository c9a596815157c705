"""``printer.uri`` parsed into what a transport needs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

SCHEMES = ("usb", "serial", "tcp", "file", "sim", "none")  # the one list of printer schemes


class PrinterUriError(ValueError):
    """The URI cannot name a printer; the message says why."""


@dataclass(frozen=True)
class PrinterUri:
    scheme: str  # usb | serial | tcp | file | sim | none
    host: str = ""
    port: int = 9100
    path: str = ""
    baudrate: int = 19200
    vendor: int = 0
    product: int = 0

    def __str__(self) -> str:
        return {
            "tcp": f"tcp://{self.host}:{self.port}",
            "serial": f"serial://{self.path}?baudrate={self.baudrate}",
            "file": f"file://{self.path}",
            "usb": f"usb://{self.vendor:04x}:{self.product:04x}",
        }.get(self.scheme, f"{self.scheme}://")


def parse(uri: str) -> PrinterUri:
    """Parse a printer URI.

    Raises:
        PrinterUriError: unknown scheme or malformed parts.
    """
    parts = urlsplit(uri)
    scheme = parts.scheme
    if scheme in ("sim", "none"):
        return PrinterUri(scheme)
    if scheme == "tcp":
        if not parts.hostname:
            raise PrinterUriError(f'"{uri}" has no host (tcp://HOST:PORT)')
        try:
            port = 9100 if parts.port is None else parts.port
        except ValueError:
            port = 0
        if not 1 <= port <= 65535 or parts.netloc.endswith(":"):
            raise PrinterUriError(f'"{uri}": the port is not a number from 1 to 65535') from None
        return PrinterUri("tcp", host=parts.hostname, port=port)
    if scheme == "serial":
        query = parse_qs(parts.query)
        rate = query.get("baudrate", ["19200"])[0]
        if not rate.isdigit() or int(rate) == 0:
            raise PrinterUriError(f'"{uri}": baudrate "{rate}" is not a number')
        if not parts.path:
            raise PrinterUriError(f'"{uri}" names no port (serial:///dev/ttyUSB0?baudrate=19200)')
        return PrinterUri("serial", path=parts.path, baudrate=int(rate))
    if scheme == "file":
        if not parts.path:
            raise PrinterUriError(f'"{uri}" names no file (file:///dev/usb/lp0)')
        return PrinterUri("file", path=parts.path)
    if scheme == "usb":
        ids = parts.netloc.split(":")
        try:
            if not all(re.fullmatch(r"[0-9a-fA-F]{4}", x, re.ASCII) for x in ids):
                raise ValueError
            vendor, product = (int(x, 16) for x in ids)
        except ValueError:
            raise PrinterUriError(
                f'"{uri}" is not usb://VID:PID in hex (usb://04b8:0e28)'
            ) from None
        return PrinterUri("usb", vendor=vendor, product=product)
    raise PrinterUriError(f'"{uri}": unknown scheme ({", ".join(SCHEMES)})')
