"""Writing benchmark results into BENCHMARKS.md, one marked section per benchmark module."""

from __future__ import annotations

import os
import platform
import re
import sqlite3
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "BENCHMARKS.md"
HEADER = """# Benchmarks

Measured by `make bench` (tests/bench); never asserted in `make test`. Each section says the
machine it ran on. Figures are from the last run on that machine.
"""


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return f"median {statistics.median(ms):.2f} ms, p99 {percentile(ms, 99):.2f} ms (n = {len(ms)})"


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section ``name`` of BENCHMARKS.md."""
    text = REPORT.read_text() if REPORT.exists() else HEADER
    block = f"<!-- bench:{name} -->\n{body.strip()}\n<!-- /bench:{name} -->"
    pattern = re.compile(rf"<!-- bench:{name} -->.*?<!-- /bench:{name} -->", re.S)
    text = (
        pattern.sub(lambda _m: block, text)
        if pattern.search(text)
        else f"{text.rstrip()}\n\n{block}\n"
    )
    REPORT.write_text(text)
