"""Speech: every screen in every language says something, and its audio is not silence; a
ticket's number is read as a number; the player never makes its caller wait and a newer
utterance cuts the older short; the volume scales the samples."""

from __future__ import annotations

import array
import dataclasses
import io
import json
import math
import struct
import threading
import time
import wave

import pytest

from drivers.audio.player import Player, scaled
from drivers.audio.voice import Espeak
from kiosk.config import Config
from kiosk.i18n import LANGUAGES
from kiosk.ui.screenshot import SCREENS, say
from tests.helpers import run_kiosk

pytestmark = pytest.mark.gui


def loudness(wav: bytes) -> tuple[float, float]:
    """Seconds of audio and its RMS level (16-bit samples)."""
    with wave.open(io.BytesIO(wav)) as w:
        frames = w.readframes(w.getnframes())
        seconds = w.getnframes() / w.getframerate()
    samples = array.array("h", frames)
    return seconds, math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


@pytest.mark.parametrize("screen", SCREENS)
def test_every_screen_speaks_in_every_language(qapp, config: Config, screen: str) -> None:
    every = dataclasses.replace(config, languages=LANGUAGES)
    voice = Espeak()
    for lang in LANGUAGES:
        words = say(every, screen, lang)
        assert len(words) > 20, (screen, lang, words)
        assert not any(code in words for code in ("A001", "A004", "B001")), words  # read aloud
        seconds, level = loudness(voice.wav(words, lang))
        assert seconds > 1.0 and level > 300, (screen, lang, seconds, level)


def test_the_ticket_is_read_as_a_number_in_the_citizens_language(qapp, config: Config) -> None:
    every = dataclasses.replace(config, languages=LANGUAGES)
    italian = say(every, "ticket", "it")
    assert (
        "Il suo numero è a quattro. Anagrafe. 3 persone prima di lei, circa 12 minuti." in italian
    )
    english = say(every, "ticket", "en")
    assert english.startswith("Your number is ay four. Registry office. 3 people ahead of you")
    german = say(every, "ticket", "de")
    assert "Ihre Nummer ist a vier" in german and "etwa 12 Minuten. Nehmen" in german
    arabic = say(every, "ticket", "ar")
    assert "رقمك هو إيه أربعة" in arabic and "دقيقة" in arabic


def test_kiosk_say_gives_text_and_audio(capsys, write_config, tmp_path) -> None:
    path = write_config()
    out = tmp_path / "home.wav"
    code, printed, err = run_kiosk(capsys, "--config", str(path), "say", "--screen", "home",
                                   "--lang", "en", "--wav", str(out), "--json")  # fmt: skip
    assert code == 0, err
    data = json.loads(printed)
    assert data["text"].startswith("Ufficio di prova. Touch the service you need")
    wav = out.read_bytes()
    assert loudness(wav)[1] > 300
    # The header tells the file's true length (a pipe's WAV says "0x7fffffff": 13 hours).
    riff, data = struct.unpack("<I", wav[4:8])[0], wav.find(b"data")
    assert riff == len(wav) - 8 and struct.unpack("<I", wav[data + 4 : data + 8])[0] < len(wav)
    seconds = loudness(wav)[0]
    assert 3 < seconds < 120, seconds
    code, printed, _ = run_kiosk(capsys, "--config", str(path), "say", "--screen", "home",
                                 "--lang", "ar", "--json")  # fmt: skip
    assert code == 2 and "--lang" in json.loads(printed)["error"]


class Recording:
    def __init__(self, seconds: float = 0.3) -> None:
        self.heard: list[bytes] = []
        self.cut = 0
        self.seconds = seconds

    def play(self, wav: bytes, stop: threading.Event) -> None:
        self.heard.append(wav)
        if stop.wait(self.seconds):
            self.cut += 1


def test_the_player_never_waits_and_the_newest_wins() -> None:
    sink = Recording()
    player = Player(sink, volume=100)
    slow = lambda: (time.sleep(0.2), Espeak().wav("uno", "it"))[1]  # noqa: E731
    started = time.perf_counter()
    player.say(slow)
    player.say(lambda: Espeak().wav("due", "it"))
    assert time.perf_counter() - started < 0.05  # the caller (the UI thread) did not wait
    deadline = time.monotonic() + 5
    while not sink.heard and time.monotonic() < deadline:
        time.sleep(0.01)
    player.say(lambda: Espeak().wav("tre", "it"))  # cuts "due" short
    time.sleep(0.8)
    player.close()
    assert len(sink.heard) == 2 and sink.cut == 1


def test_an_utterance_in_parts_plays_them_in_order_and_a_newer_one_cuts_the_rest() -> None:
    sink = Recording(seconds=0.05)
    player = Player(sink, volume=100)
    voice = Espeak()
    player.say(*(lambda w=w: voice.wav(w, "it") for w in ("uno", "due", "tre")))
    deadline = time.monotonic() + 5
    while len(sink.heard) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # "tre" ends
    assert sink.heard == [voice.wav(w, "it") for w in ("uno", "due", "tre")] and not sink.cut
    sink.seconds = 5.0  # a long part playing: a newer utterance cuts it and drops its rest
    sink.heard.clear()
    player.say(*(lambda w=w: voice.wav(w, "it") for w in ("quattro", "cinque")))
    while not sink.heard and time.monotonic() < deadline + 5:
        time.sleep(0.01)
    sink.seconds = 0.05
    player.say(lambda: voice.wav("sei", "it"))
    time.sleep(0.8)
    player.close()
    assert sink.heard == [voice.wav("quattro", "it"), voice.wav("sei", "it")]
    assert sink.cut == 1


def test_the_volume_scales_the_samples() -> None:
    wav = Espeak().wav("volume", "en")
    full, half = loudness(wav)[1], loudness(scaled(wav, 50))[1]
    assert 0.45 < half / full < 0.55
    assert loudness(scaled(wav, 0))[1] == 0


def test_the_wait_never_breaks_between_its_number_and_unit(qapp, config: Config) -> None:
    """Large text on a portrait screen wrapped "circa 12" / "min": the wait is one unit on
    screen (no-break spaces), and the voice still hears plain words."""
    from kiosk.ui.screenshot import staged

    with staged(config, "ticket", "it", large=True) as window:
        shown = window.ticket.queue.text()
        assert "circa\u00a012\u00a0min" in shown, shown
        assert "\u00a0" not in say(config, "ticket", "it")


def test_times_days_and_commas_are_said_as_words() -> None:
    from kiosk.ui.spoken import aloud

    assert aloud("Chiuso, riapre mer alle 09:00", "it") == "Chiuso, riapre mercoledì alle 9"
    assert aloud("Fermé, ouvre mer. à 14:30", "fr") == "Fermé, ouvre mercredi à 14 30"
    assert aloud("Closed, opens Wed at 08:30", "en") == "Closed, opens Wednesday at 8 30"
    assert aloud("أمامك 3 أشخاص · حوالي 12 دقيقة", "ar") == "أمامك 3 أشخاص، حوالي 12 دقيقة"
    assert aloud("Merci", "fr") == "Merci"  # a day's letters inside a word stay as they are


def test_paragraphs_end_in_one_full_stop() -> None:
    from kiosk.ui.spoken import aloud

    assert aloud("Titolare: Comune.\n\nDati: numeri", "it") == "Titolare: Comune. Dati: numeri"
    assert aloud("Prenda il biglietto\nStampato in inglese", "it") == (
        "Prenda il biglietto. Stampato in inglese"
    )
