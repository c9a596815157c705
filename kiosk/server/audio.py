"""Spoken announcements made offline with espeak-ng and served by the branch server.

No internet voice service: the WAV is synthesised on the branch server itself, once per
distinct sentence, and kept in a small cache.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import OrderedDict

VOICES = {"it": "it", "en": "en-gb", "fr": "fr", "de": "de", "es": "es"}
CACHE_SIZE = 256


class SpeechUnavailable(Exception):
    """espeak-ng is not installed or failed."""


class Speaker:
    def __init__(self, program: str = "espeak-ng") -> None:
        self.program = shutil.which(program)
        self._cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()

    def wav(self, text: str, lang: str) -> bytes:
        """The announcement as WAV bytes.

        Raises:
            SpeechUnavailable: no synthesiser, or it failed.
        """
        key = (text, lang)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if self.program is None:
            raise SpeechUnavailable("espeak-ng is not installed")
        try:
            result = subprocess.run(
                [self.program, "-v", VOICES.get(lang, "en-gb"), "-s", "140", "--stdout", text],
                capture_output=True,
                timeout=10,
                check=True,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise SpeechUnavailable(f"espeak-ng failed: {type(exc).__name__}") from exc
        self._cache[key] = result.stdout
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return result.stdout
