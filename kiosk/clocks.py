"""Whether the wall clock can be trusted to say which day it is, before deleting a day.

Every event written records the wall clock beside the boot clock (CLOCK_BOOTTIME, which only
counts up from power-on and which nobody sets). Later, within the same boot, the wall clock
must have moved as the boot clock did; if it jumped (an NTP step, a technician's `date`, an
RTC gone wrong), the day it names is not the branch's day and the purge must wait. After a
restart there is nothing to compare with, and only a synchronised clock is trusted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

JUMP_TOLERANCE_S = 300.0  # NTP slews a few seconds; a jump is minutes or days


@dataclass(frozen=True)
class Reading:
    """The wall clock (seconds since the epoch) and the boot clock, read together."""

    wall: float
    boot: float

    def text(self) -> str:
        return f"{self.wall:.3f} {self.boot:.3f}"

    @classmethod
    def parse(cls, text: str | None) -> Reading | None:
        try:
            wall, boot = (text or "").split()
            return cls(float(wall), float(boot))
        except ValueError:
            return None


def read() -> Reading:
    return Reading(time.time(), time.clock_gettime(time.CLOCK_BOOTTIME))


def kernel_synchronised() -> bool:
    """The kernel's view (adjtimex): TIME_ERROR (5) means the clock is not synchronised."""
    import ctypes  # here: ctypes.util brings subprocess, 10 ms on the UI's start path
    import ctypes.util

    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    buf = ctypes.create_string_buffer(512)  # struct timex is ~208 bytes; modes = 0: read only
    return int(libc.adjtimex(buf)) not in (-1, 5)


def distrust(last: Reading | None, now: Reading, synchronised: bool) -> str | None:
    """Why the wall clock cannot be trusted now, or None when it can.

    Args:
        last: the clocks when the last event was written (None: no event yet).
        now: the clocks now.
        synchronised: whether the kernel says the clock is synchronised (NTP).
    """
    if last is not None and now.boot >= last.boot:
        drift = (now.wall - last.wall) - (now.boot - last.boot)
        if abs(drift) > JUMP_TOLERANCE_S:
            return (
                f"the wall clock moved {_span(drift)} against the boot clock since the last event"
            )
        return None
    if not synchronised:
        return "the clock is not synchronised yet, and the totem restarted since the last event"
    return None


def _span(seconds: float) -> str:
    sign = "+" if seconds >= 0 else "-"
    seconds = abs(seconds)
    if seconds >= 86400:
        return f"{sign}{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{sign}{seconds / 3600:.1f} h"
    return f"{sign}{seconds / 60:.0f} min"
