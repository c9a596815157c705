"""Cold start to the home screen and its memory, beside a bare PySide6 window; touch to the
ticket screen (simulated printer)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.report import ROOT, machine, percentile, write_section
from tests.conftest import ALL_WEEK, CONFIG_TEMPLATE


def start(mode: str, config: Path, extra: list[str] | None = None) -> tuple[float, int, list[str]]:
    begin = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "tests.bench.ui_child", mode, str(config), *(extra or [])],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    assert proc.stdout is not None
    first = proc.stdout.readline().split()
    elapsed = time.perf_counter() - begin
    rest = proc.stdout.read().split()
    proc.wait()
    assert first[0] == "ready", first
    return elapsed, int(first[1]), rest


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "kiosk.toml"
        config.write_text(CONFIG_TEMPLATE.format(hours_a=ALL_WEEK, cap_a=999))
        start("totem", config)  # warm the file cache and create the database
        bare = [start("bare", config) for _ in range(5)]
        totem = [start("totem", config) for _ in range(5)]
        _, _, touches = start("touch", config, ["100"])
    bare_s = statistics.median(b[0] for b in bare)
    totem_s = statistics.median(t[0] for t in totem)
    bare_rss = max(b[1] for b in bare) / 1024
    totem_rss = max(t[1] for t in totem) / 1024
    times = [float(t) for t in touches]
    body = f"""## Touch UI: cold start, memory, touch to ticket

Machine: {machine()}; Qt offscreen platform, 1080x1920, simulated printer. Medians of 5 starts.

| what | result | goal |
|---|---|---|
| bare PySide6 window, process start to first paint | {bare_s:.2f} s, max RSS {bare_rss:.0f} MiB | |
| `kiosk ui` (the command's imports, window, worker, printer), process start to home screen with its services | {totem_s:.2f} s, max RSS {totem_rss:.0f} MiB | < 1.5 s, < 2x bare, < 150 MB |
| ratio to the bare window | {totem_s / bare_s:.2f}x | < 2x |
| touch to ticket screen shown (issue + print on the simulator) | median {statistics.median(times):.1f} ms, p99 {percentile(times, 99):.1f} ms (n = {len(times)}) | < 100 ms median |
"""
    write_section("ui", body)
    print(body)
