"""Voices: text in, WAV out, offline. espeak-ng by default (every language the totem offers,
Arabic included); Piper, where installed with a model, sounds better and plugs in the same way.

A voice keeps a small cache, so a screen said again costs nothing.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

ESPEAK_VOICES = {"it": "it", "en": "en-gb", "fr": "fr", "de": "de", "es": "es", "ar": "ar"}
CACHE_SIZE = 256


class SpeechUnavailable(Exception):
    """The voice's program is not installed, or it failed."""


class Voice(Protocol):
    name: str

    def wav(self, text: str, lang: str) -> bytes: ...


def with_sizes(wav: bytes) -> bytes:
    """The WAV with its true sizes in the header. A synthesiser writing to a pipe cannot seek
    back, so it writes "as long as it takes" (0x7fffffff): players cope, but a technician's
    tool reads 13 hours from a ``kiosk say --wav`` file."""
    try:
        with wave.open(io.BytesIO(wav)) as src:
            params = src.getparams()
            frames = src.readframes(src.getnframes())
    except (wave.Error, EOFError):
        return wav
    out = io.BytesIO()
    with wave.open(out, "wb") as dst:
        dst.setparams(params)
        dst.writeframes(frames)
    return out.getvalue()


class _Cached:
    name = "voice"

    def __init__(self) -> None:
        self._cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()

    def wav(self, text: str, lang: str) -> bytes:
        """``text`` spoken in ``lang``, as WAV bytes.

        Raises:
            SpeechUnavailable: no synthesiser, or it failed.
        """
        key = (text, lang)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        audio = with_sizes(self._make(text, lang))
        self._cache[key] = audio
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return audio

    def _make(self, text: str, lang: str) -> bytes:  # pragma: no cover (abstract)
        raise NotImplementedError

    def _run(self, args: list[str], text: str | None = None) -> bytes:
        try:
            done = subprocess.run(
                args, input=text.encode() if text else None, capture_output=True, timeout=20,
                check=True,
            )  # fmt: skip
        except (subprocess.SubprocessError, OSError) as exc:
            raise SpeechUnavailable(f"{self.name} failed: {type(exc).__name__}") from exc
        return done.stdout


class Espeak(_Cached):
    """espeak-ng (Debian's package), at ``rate`` words a minute."""

    name = "espeak-ng"

    def __init__(self, rate: int = 150, program: str = "espeak-ng") -> None:
        super().__init__()
        self.program, self.rate = shutil.which(program), rate

    def _make(self, text: str, lang: str) -> bytes:
        if self.program is None:
            raise SpeechUnavailable("espeak-ng is not installed")
        voice = ESPEAK_VOICES.get(lang, "en-gb")
        return self._run([self.program, "-v", voice, "-s", str(self.rate), "--stdout", text])


class Piper(_Cached):
    """Piper (``piper`` on the PATH) with one model per language: ``{"it": Path(...)}``."""

    name = "piper"

    def __init__(self, models: dict[str, Path], fallback: Voice | None = None) -> None:
        super().__init__()
        self.program, self.models, self.fallback = shutil.which("piper"), models, fallback

    def _make(self, text: str, lang: str) -> bytes:
        model = self.models.get(lang)
        if self.program is None or model is None:
            if self.fallback is None:
                raise SpeechUnavailable(f"piper has no voice for {lang}")
            return self.fallback.wav(text, lang)
        return self._run([self.program, "--model", str(model), "--output_file", "-"], text)


# The branch server's announcements keep their old name.
Speaker = Espeak
