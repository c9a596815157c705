"""``printer.uri`` parsed into what a transport needs."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit


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
            port = parts.port or 9100
        except ValueError:
            raise PrinterUriError(f'"{uri}" has a bad port') from None
        return PrinterUri("tcp", host=parts.hostname, port=port)
    if scheme == "serial":
        query = parse_qs(parts.query)
        rate = query.get("baudrate", ["19200"])[0]
        if not rate.isdigit():
            raise PrinterUriError(f'"{uri}": baudrate "{rate}" is not a number')
        return PrinterUri("serial", path=parts.path, baudrate=int(rate))
    if scheme == "file":
        return PrinterUri("file", path=parts.path)
    if scheme == "usb":
        ids = parts.netloc.split(":")
        try:
            vendor, product = (int(x, 16) for x in ids)
        except ValueError:
            raise PrinterUriError(
                f'"{uri}" is not usb://VID:PID in hex (usb://04b8:0e28)'
            ) from None
        return PrinterUri("usb", vendor=vendor, product=product)
    raise PrinterUriError(f'"{uri}": unknown scheme (usb, serial, tcp, file, sim, none)')
