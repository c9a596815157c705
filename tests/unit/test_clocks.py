"""When the wall clock may be trusted to name the day, from a table of clock readings."""

from __future__ import annotations

import pytest

from kiosk.clocks import Reading, distrust

DAY = 86400.0
LAST = Reading(wall=1_795_442_400.0, boot=2_000.0)  # the last event, 2026-11-23 ~11:00


@pytest.mark.parametrize(
    ("now", "synchronised", "trusted", "words"),
    [
        (Reading(LAST.wall + 3600, LAST.boot + 3600), False, True, ""),  # ran on: fine
        (Reading(LAST.wall + 3600 + 120, LAST.boot + 3600), False, True, ""),  # NTP slew
        (Reading(LAST.wall + DAY + 60, LAST.boot + 60), True, False, "+1.0 days"),  # faketime
        (Reading(LAST.wall - 2 * 3600, LAST.boot + 60), True, False, "-2.0 h"),  # set back
        (Reading(LAST.wall + 600, LAST.boot + 60), False, False, "+9 min"),
        (Reading(LAST.wall + DAY, 40.0), False, False, "not synchronised"),  # restarted
        (Reading(LAST.wall + DAY, 40.0), True, True, ""),  # restarted, NTP says fine
    ],
)
def test_distrust(now: Reading, synchronised: bool, trusted: bool, words: str) -> None:
    why = distrust(LAST, now, synchronised)
    assert (why is None) == trusted
    assert words in (why or "")


def test_no_event_yet_trusts_only_a_synchronised_clock() -> None:
    now = Reading(LAST.wall, LAST.boot)
    assert distrust(None, now, synchronised=True) is None
    assert "not synchronised" in (distrust(None, now, synchronised=False) or "")


@pytest.mark.parametrize("text", [None, "", "x y", "1.0", "1 2 3"])
def test_a_damaged_note_reads_as_none(text: str | None) -> None:
    assert Reading.parse(text) is None
    assert Reading.parse(LAST.text()) == LAST
