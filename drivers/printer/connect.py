"""Open the printer named by ``printer.uri``."""

from __future__ import annotations

from pathlib import Path

from drivers.printer import uri as printer_uri
from drivers.printer.device import Printer
from drivers.printer.transport import Transport


def open_printer(
    uri: str,
    *,
    width_mm: int = 80,
    sim_jobs_dir: Path | None = None,
    profile_cache: Path | None = None,
) -> Printer | None:
    """A :class:`Printer` for the URI (None for ``none://``); nothing connects until first use.

    Args:
        profile_cache: where python-escpos keeps its parsed printer profiles (see
            :func:`drivers.printer.profiles.use_profile_cache`).

    Raises:
        PrinterUriError: the URI is malformed.
    """
    parsed = printer_uri.parse(uri)
    if profile_cache is not None and parsed.scheme != "none":
        from drivers.printer.profiles import use_profile_cache

        use_profile_cache(profile_cache)
    transport: Transport
    if parsed.scheme == "tcp":
        from drivers.printer.transport.tcp import TcpTransport

        transport = TcpTransport(parsed.host, parsed.port)
    elif parsed.scheme == "serial":
        from drivers.printer.transport.serial_port import SerialTransport

        transport = SerialTransport(parsed.path, parsed.baudrate)
    elif parsed.scheme == "file":
        from drivers.printer.transport.file import FileTransport

        transport = FileTransport(parsed.path)
    elif parsed.scheme == "usb":
        from drivers.printer.transport.usb import UsbTransport

        transport = UsbTransport(parsed.vendor, parsed.product)
    elif parsed.scheme == "sim":
        from drivers.printer.transport.sim import SimTransport
        from drivers.sim.printer import SimPrinter

        transport = SimTransport(SimPrinter(width_mm, sim_jobs_dir))
    else:
        return None  # none://: a totem without a printer shows every ticket on screen
    return Printer(transport, str(parsed))
