"""A totem for citizens who cannot see the screen or need more time (DESIGN.md section 11):
speech, the keypad, touch-to-hear, and a warning before the idle reset.

- The "speak" control, always in the footer, and the keypad's 0 turn speech on and off; the
  keypad's 5 (the key with the nib) turns it on. With speech on, every screen says what it
  shows (:mod:`kiosk.ui.spoken`) and a first touch on a button reads it, a second acts.
- The keypad: 4 and 6 move between the buttons (each is read as it is reached), 5 chooses,
  8 repeats, 7 and 9 set the volume (also on screen while speech is on). Its keys come from
  evdev (``keypad.uri``) or, from a plain USB keypad, as keys.
- Before going back to the start, a warning seen and heard, with :data:`WARN_S` seconds to
  ask for more time with one touch or key. ``ui.idle_s`` sets the delay (up to 10x).

Speech never runs on this thread: the player makes and plays it on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSocketNotifier, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.i18n import plural, text, with_state
from kiosk.ui.legend import HOME_KEYS, PRIVACY_KEYS, KeyLegend
from kiosk.ui.screens import label, restyle
from kiosk.ui.spoken import aloud, of_window, sentences, shown_words

WARN_S = 20
VOLUME_STEP = 10
PRESSES = (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin)


class TimeoutWarning(QFrame):
    """Over the whole window: "Do you need more time?", the seconds left, one large button."""

    def __init__(self, parent: Any) -> None:
        super().__init__(parent)
        self.setObjectName("timeoutWarning")
        box = QVBoxLayout(self)
        box.addStretch(3)  # low on the screen, within reach
        self.title = label("heading")
        self.help = label("hint")
        self.more = QPushButton()
        self.more.setObjectName("moreTime")
        for widget in (self.title, self.help, self.more):
            box.addWidget(widget)
        box.addStretch(1)
        self.hide()

    def cover(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()


class Assist(QObject):
    """Speech, keypad and timeout warning for a :class:`~kiosk.ui.window.KioskWindow`.

    Args:
        say: makes and plays an utterance off this thread (``say(words, lang)``); None: silent.
    """

    spoken = Signal(str)  # every utterance, as it is asked for (tests listen here)
    volume_changed = Signal(int)  # percent

    def __init__(self, window: Any, say: Callable[[str, str], None] | None = None) -> None:
        super().__init__(window)
        self.window, self.say = window, say
        access = window.config.access
        self.on = access.speech
        self.armed: QAbstractButton | None = None  # read by a first touch; a second acts
        self.focus: QAbstractButton | None = None  # where the keypad is
        self.left = 0
        self.watching = False  # touches and keys are heard once the home screen is drawn
        self.speak_button = QPushButton()
        self.speak_button.setObjectName("speak")
        self.speak_button.setCheckable(True)
        self.speak_button.clicked.connect(self.toggle)
        window.bar.insertWidget(0, self.speak_button)
        self.volume = access.volume
        self.volume_row = QWidget()
        row = QHBoxLayout(self.volume_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.quieter, self.louder = QPushButton("🔉 −"), QPushButton("🔊 +")
        self.volume_label = label("volume")
        for widget, stretch in ((self.quieter, 0), (self.volume_label, 1), (self.louder, 0)):
            widget.setObjectName(widget.objectName() or "toggle")
            row.addWidget(widget, stretch)
        self.quieter.clicked.connect(lambda: self.set_volume(self.volume - VOLUME_STEP))
        self.louder.clicked.connect(lambda: self.set_volume(self.volume + VOLUME_STEP))
        window.footer.layout().insertWidget(0, self.volume_row)  # shown while speech is on
        self.legend = KeyLegend()  # the keys, above the volume, while speech is on
        window.footer.layout().insertWidget(0, self.legend)
        self.warning = TimeoutWarning(window)
        self.warning.more.clicked.connect(self.extend)
        self.countdown = QTimer(self, interval=1000)
        self.countdown.timeout.connect(self._tick)
        window.idle.setInterval(access.idle_s * 1000)
        window.idle.timeout.disconnect()
        window.idle.timeout.connect(self.warn)
        self.reading = QTimer(self, singleShot=True, interval=0)  # many changes, one reading
        self.reading.timeout.connect(self.read_screen)
        window.stack.currentChanged.connect(self._screen_changed)
        window.told.connect(self._screen_changed)
        window.shown.connect(self._watch)
        self.relabel()

    # -- speech ---------------------------------------------------------------------------

    def speak(self, words: str, lang: str | None = None, even_off: bool = False) -> None:
        """Say ``words`` (in ``lang``, the screen's by default) while speech is on; the
        warning before the reset and "speech off" itself are said in any case."""
        if not (self.on or even_off):
            return
        self.spoken.emit(words)
        if self.say is not None:
            self.say(words, lang or self.window.lang)

    def read_screen(self) -> None:
        self.speak(of_window(self.window))

    def toggle(self) -> None:
        self.on = not self.on
        self.armed = None
        self.relabel()
        if self.on:
            self.speak(sentences(text(self.window.lang, "speech_on"), of_window(self.window)))
        else:  # said briefly, cutting short whatever was being said
            self.speak(text(self.window.lang, "speech_off"), even_off=True)

    def relabel(self) -> None:
        lang = self.window.lang
        self.speak_button.setText(text(lang, "speak"))
        # Said with its state: "Voce: sì" (its words alone would not say whether it is on).
        self.speak_button.setAccessibleName(with_state(lang, "speech", self.on))
        self.speak_button.setChecked(self.on)
        self.volume_row.setVisible(self.on)
        # Drawn in small type: with large text (for someone who reads small type badly, and
        # the services need the room) the keys are said, at the end of every reading, only.
        w = self.window
        shown = self.on and not w.large
        self.legend.setVisible(shown)
        if shown:  # written only when drawn: rich text is not free, and the start waits for it
            keys = PRIVACY_KEYS if w.showing() == "privacy" else HOME_KEYS
            self.legend.show_keys(lang, keys, w.theme.header_text, w.theme.header)
        self.volume_label.setText(text(lang, "volume_level", percent=self.volume))
        self.quieter.setAccessibleName(text(lang, "quieter"))
        self.louder.setAccessibleName(text(lang, "louder"))
        self.warning.title.setText(text(lang, "more_time_title"))
        self.warning.more.setText(text(lang, "more_time"))
        self.warning.help.setText(
            plural(lang, "more_time_help", max(self.left, 0), s=max(self.left, 0))
        )

    def said_state(self, name: str, on: bool) -> None:
        """Large text or contrast, just turned on or off: say which."""
        self.speak(with_state(self.window.lang, name, on))

    def set_volume(self, percent: int) -> None:
        """The speech volume (the keypad's 7 and 9 too), said at the new level."""
        self.volume = max(0, min(100, percent))
        self.volume_changed.emit(self.volume)
        self.relabel()
        self.speak(self.volume_label.text())

    def _screen_changed(self) -> None:
        self.relabel()  # the keys shown are the screen's
        self.armed = None
        self._mark(None)
        if self.on:
            self.reading.start()  # once the screen's words are set

    # -- the keypad -----------------------------------------------------------------------

    def key(self, digit: str) -> None:
        self.window.idle.start()
        if self.warning.isVisible():
            self.extend()
            return
        w = self.window
        if digit == "0" or (digit == "5" and not self.on):
            self.toggle()
        elif w.showing() == "privacy" and digit in "456":
            if digit == "5":
                w.go_home()
            else:  # the pages turn the way the text runs
                w.privacy.turn(1 if digit == "6" else -1)
                self.read_screen()
        elif digit in "79":
            self.set_volume(self.volume + (VOLUME_STEP if digit == "9" else -VOLUME_STEP))
        elif digit == "8":
            if self.focus:
                self._say_button(self.focus)
            else:
                self.read_screen()
        elif digit in "46":
            self._move(1 if digit == "6" else -1)
        elif digit == "5":
            if self.focus is not None and self.focus.isEnabled():
                self.focus.click()
            else:
                self._move(1)

    def buttons(self) -> list[QAbstractButton]:
        """What the keypad reaches: the screen's buttons, then the footer's."""
        found: list[QAbstractButton] = []
        for area in (self.window.stack.currentWidget(), self.window.footer):
            found += [
                b for b in area.findChildren(QAbstractButton)
                if b.isVisibleTo(self.window) and b.isEnabled()
            ]  # fmt: skip
        return found

    def _move(self, step: int) -> None:
        reachable = self.buttons()
        if not reachable:
            return
        here = reachable.index(self.focus) if self.focus in reachable else (-1 if step > 0 else 0)
        self._mark(reachable[(here + step) % len(reachable)])
        assert self.focus is not None
        self._say_button(self.focus)

    def _mark(self, button: QAbstractButton | None) -> None:
        if self.focus is not None:
            restyle(self.focus, "keyFocus", False)  # its frame thinner again: the row may re-flow
        self.focus = button
        if button is not None:
            restyle(button, "keyFocus", True)

    def _say_button(self, button: QAbstractButton) -> None:
        """A button's words; a language's name in that language's own voice ("العربية" by
        an Arabic voice, not spelt out by an Italian one)."""
        own = next((lang for lang, b in self.window.language_buttons.items() if b is button), None)
        self.speak(self._words(button), own)

    def _words(self, button: QAbstractButton) -> str:
        parts = [button.accessibleName() or button.text(), *shown_words(button)]
        return aloud(". ".join(p for p in parts if p.strip()), self.window.lang)

    # -- touch: read first, act second ----------------------------------------------------

    def _watch(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
            self.watching = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        try:
            if not self.window.isVisible():  # a closed window (a screenshot's) hears no more
                return False
        except RuntimeError:  # the window is being deleted: so is this
            return False
        if event.type() == QEvent.Type.KeyPress:
            digit = getattr(event, "text", lambda: "")()
            if digit in tuple("0123456789") and digit:
                self.key(digit)
                return True
            return False
        if event.type() not in PRESSES:
            return False
        if self.warning.isVisible():
            if watched is not self.warning.more:
                self.extend()
                return True
            return False
        if not self.on or not isinstance(watched, QAbstractButton) or watched is self.speak_button:
            return False
        if watched is self.armed:
            self.armed = None
            return False  # the second touch acts
        self.armed = watched
        self._say_button(watched)
        return True  # the first touch only reads

    # -- the timeout ----------------------------------------------------------------------

    def warn(self) -> None:
        """The idle delay is over: warn, unless there is nothing to reset."""
        w = self.window
        untouched = (
            w.showing() in ("home", "broken")
            and w.lang == w.config.languages[0]
            and not (w.large or w.contrast)
        )
        if untouched:
            w.reset()
            return
        self.show_warning()

    def show_warning(self) -> None:
        self.left = WARN_S
        self.relabel()
        self.warning.cover()
        self.warning.show()
        self.countdown.start()
        self.speak(f"{self.warning.title.text()} {self.warning.help.text()}"
                   f" {self.warning.more.text()}.", even_off=True)  # fmt: skip

    def _tick(self) -> None:
        self.left -= 1
        self.relabel()
        if self.left <= 0:
            self.countdown.stop()
            self.warning.hide()
            self.window.reset()

    def extend(self) -> None:
        self.countdown.stop()
        self.warning.hide()
        self.window.idle.start()
        self.speak(text(self.window.lang, "more_time"))


class KeypadWatch(QObject):
    """Reads the keypad's descriptor from the event loop; tries again while it is absent."""

    pressed = Signal(str)

    def __init__(self, keypad: Any) -> None:
        super().__init__()
        self.keypad = keypad
        self.notifier: QSocketNotifier | None = None
        self.retry = QTimer(self, interval=5000)
        self.retry.timeout.connect(self.connect_device)

    def connect_device(self) -> None:
        if self.notifier is not None or not self.keypad.connect():
            self.retry.start()
            return
        self.retry.stop()
        fd = self.keypad.fileno()
        self.notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read, self)
        self.notifier.activated.connect(self._read)

    def _read(self) -> None:
        for digit in self.keypad.on_readable():
            self.pressed.emit(digit)
        if self.keypad.fileno() is None and self.notifier is not None:
            self.notifier.setEnabled(False)
            self.notifier.deleteLater()
            self.notifier = None
            self.retry.start()

    def close(self) -> None:
        self.retry.stop()
        self.keypad.close()
