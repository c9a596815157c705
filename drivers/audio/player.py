"""Sending speech to the totem's speaker or headset, one utterance at a time, never on the
caller's thread: ``say`` returns at once, and a newer utterance cuts the older one short (a
citizen who moves on does not wait for the old screen to finish). An utterance may come in
parts: the first plays as soon as it is made while the next are made behind it.

The sink is PipeWire's ``pw-play`` or ALSA's ``aplay`` reading WAV on stdin, whichever is
installed (``audio.output`` may name one); a test gives its own sink and hears what was said.
The volume (0-100) scales the samples before they leave.
"""

from __future__ import annotations

import array
import io
import logging
import shutil
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

log = logging.getLogger(__name__)
PROGRAMS = {"pw-play": ["pw-play", "-"], "aplay": ["aplay", "-q", "-"], "paplay": ["paplay"]}


class Sink(Protocol):
    def play(self, wav: bytes, stop: threading.Event) -> None: ...


class CommandSink:
    """Plays through a program reading WAV on stdin; ``stop`` ends it early."""

    def __init__(self, args: list[str]) -> None:
        self.args = args

    def play(self, wav: bytes, stop: threading.Event) -> None:
        try:
            proc = subprocess.Popen(
                self.args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
        except OSError:
            return
        assert proc.stdin is not None
        try:
            proc.stdin.write(wav)
            proc.stdin.close()
        except OSError:
            pass
        while proc.poll() is None:
            if stop.wait(0.02):
                proc.kill()
                break
        proc.wait()


class Silent:
    """No speaker configured: speech is made and dropped."""

    def play(self, wav: bytes, stop: threading.Event) -> None:
        return None


def sink_for(output: str) -> Sink:
    """``auto`` (pw-play, then aplay, then paplay), a program's name, or ``none``."""
    if output == "none":
        return Silent()
    names = list(PROGRAMS) if output == "auto" else [output]
    for name in names:
        if name in PROGRAMS and shutil.which(PROGRAMS[name][0]):
            return CommandSink(PROGRAMS[name])
    return Silent()


def scaled(wav: bytes, volume: int) -> bytes:
    """The WAV with its 16-bit samples scaled to ``volume`` percent (100: unchanged)."""
    if volume >= 100:
        return wav
    with wave.open(io.BytesIO(wav)) as src:
        params = src.getparams()
        frames = src.readframes(src.getnframes())
    if params.sampwidth != 2:
        return wav
    samples = array.array("h", frames)
    if sys.byteorder == "big":
        samples.byteswap()
    factor = max(0, volume) / 100
    samples = array.array("h", (int(s * factor) for s in samples))
    if sys.byteorder == "big":
        samples.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as dst:
        dst.setparams(params)
        dst.writeframes(samples.tobytes())
    return out.getvalue()


class Player:
    """One thread that plays the latest utterance; ``say`` never waits."""

    def __init__(self, sink: Sink, volume: int = 80) -> None:
        self.sink, self.volume = sink, volume
        self._lock = threading.Condition()
        self._next: tuple[tuple[Callable[[], bytes], ...], float] | None = None
        self._maker = ThreadPoolExecutor(1, thread_name_prefix="speech-make")
        self._stop = threading.Event()
        self._closed = False
        self.started: list[float] = []  # monotonic times each utterance reached the sink
        self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
        self._thread.start()

    def say(self, *parts: Callable[[], bytes]) -> None:
        """Play what each part returns, in order (made off the caller's thread, the next
        while one plays), cutting short whatever is playing."""
        with self._lock:
            self._next = (parts, time.monotonic())
            self._stop.set()
            self._lock.notify()

    def hush(self) -> None:
        with self._lock:
            self._next = None
            self._stop.set()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._next = None
            self._stop.set()
            self._lock.notify()
        self._thread.join(timeout=2)
        self._maker.shutdown(wait=False, cancel_futures=True)

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._next is None and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                assert self._next is not None
                parts, _asked = self._next
                self._next = None
                self._stop.clear()
            self._play(parts)

    def _play(self, parts: tuple[Callable[[], bytes], ...]) -> None:
        made = [self._maker.submit(part) for part in parts]
        for number, future in enumerate(made):
            try:
                wav = scaled(future.result(), self.volume)
            except Exception as exc:  # a voice that failed: the screen still works, silently
                log.warning("speech: %s", type(exc).__name__)
                wav = b""
            if self._stop.is_set() or not wav:
                break  # something newer was asked while this one was being made
            if number == 0:
                self.started.append(time.monotonic())
            self.sink.play(wav, self._stop)
        for future in made:
            future.cancel()
