"""The configured devices, opened the same way by every command and by the touch UI."""

from __future__ import annotations

from drivers.printer.connect import open_printer
from drivers.printer.device import Printer
from kiosk.config import Config


def configured_printer(config: Config) -> Printer | None:
    """The printer of ``printer.uri`` (None for ``none://``), not yet connected. ``sim://``
    keeps its tickets in <data_dir>/printer-sim; python-escpos keeps its parsed printer
    profiles in <data_dir>/cache.

    Raises:
        PrinterUriError: the URI is malformed.
    """
    return open_printer(
        config.printer_uri,
        width_mm=config.paper_width,
        sim_jobs_dir=config.data_dir / "printer-sim",
        profile_cache=config.data_dir / "cache",
    )
