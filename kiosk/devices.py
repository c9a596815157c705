"""The configured devices, opened the same way by every command and by the touch UI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.printer.connect import open_printer
from drivers.printer.device import Printer
from kiosk.config import Config

if TYPE_CHECKING:  # speech is loaded only where it is used
    from drivers.audio.player import Player
    from drivers.audio.voice import Voice


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


def configured_voice(config: Config) -> Voice:
    """The voice of ``speech.voice``: espeak-ng (offline, all six languages), or Piper where
    installed (falling back to espeak-ng for a language without a model)."""
    from drivers.audio.voice import Espeak, Piper

    espeak = Espeak(rate=config.access.rate)
    if config.access.voice == "piper":
        models = {p.stem.split("-")[0][:2]: p for p in (config.data_dir / "voices").glob("*.onnx")}
        return Piper(models, fallback=espeak)
    return espeak


def configured_player(config: Config) -> Player:
    """Speech to ``speech.output`` at ``speech.volume``; nothing leaves with ``none``."""
    from drivers.audio.player import Player, sink_for

    return Player(sink_for(config.access.output), config.access.volume)
