"""Qt's Python bindings keep Python's own objects alive through a long day.

PySide6 6.12.0 dropped a reference to None at every call of a method that returns nothing
(``setEnabled``, ``processEvents``, ...) and one to a bool in places: a totem's UI that had run
long enough freed None and aborted ("none_dealloc"), and test runs died at exit
("bool_dealloc"). The lock pins a release without it; this test fails on one that has it.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

pytestmark = pytest.mark.gui

CALLS = 5000


def test_a_days_worth_of_qt_calls_keeps_none_true_and_false_referenced(qapp) -> None:
    window = QWidget()
    layout = QVBoxLayout(window)
    button, words = QPushButton("A"), QLabel("Anagrafe")
    layout.addWidget(button)
    layout.addWidget(words)
    window.show()
    calls = {
        "setEnabled": lambda: button.setEnabled(True),
        "setVisible": lambda: words.setVisible(True),
        "setProperty": lambda: button.setProperty("keyFocus", False),
        "setText": lambda: words.setText("A042"),
        "isVisibleTo": lambda: button.isVisibleTo(window),
        "isEnabled": button.isEnabled,
        "processEvents": QCoreApplication.processEvents,
    }
    # References held here, so a broken binding fails this test instead of aborting the run.
    held = [None, True, False] * (CALLS * len(calls))
    lost = {}
    for name, call in calls.items():
        before = [sys.getrefcount(x) for x in (None, True, False)]
        for _ in range(CALLS):
            call()
        after = [sys.getrefcount(x) for x in (None, True, False)]
        drop = max(b - a for b, a in zip(before, after, strict=True))
        if drop > CALLS // 10:  # others' threads may let go of a few meanwhile; never one per call
            lost[name] = drop
    window.close()
    assert len(held) == 3 * CALLS * len(calls)
    assert not lost, f"references to None/True/False lost per {CALLS} calls: {lost}"
