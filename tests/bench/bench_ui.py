"""Cold start of the real ``kiosk ui`` to its home screen, and its memory, beside a bare PySide6
window; touch to the ticket screen (simulated printer).

Both starts are timed from the process's launch to its ``READY=1`` on ``$NOTIFY_SOCKET``, the
message systemd waits for: a bare full-screen window sends it once drawn, ``kiosk ui`` once its
home screen is drawn with every service and its live figures. The screen is a portrait
1080x1920 (Qt's offscreen platform with a one-screen configuration). The Python bytecode is
compiled first (the warm-up run writes it), as on an installed totem: ``pip`` compiles it at
install, and the bare window's PySide6 comes compiled too.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import PySide6

from tests.bench.report import ROOT, machine, percentile, write_section
from tests.conftest import ALL_WEEK, CONFIG_TEMPLATE

SCREEN = {"screens": [{"name": "totem", "x": 0, "y": 0, "width": 1080, "height": 1920,
                       "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}  # fmt: skip


STARTS = 15  # pairs: the machine's speed drifts by a tenth or more within a minute


def peak_rss_kib(pid: int) -> int:
    """VmHWM, the peak resident set, read while the process is alive."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def start(command: list[str], tmp: Path) -> tuple[float, int]:
    """Seconds from launch to READY=1, and the peak RSS in KiB at that moment."""
    path = tmp / "notify.sock"
    path.unlink(missing_ok=True)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(60)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(NOTIFY_SOCKET=str(path),
                   QT_QPA_PLATFORM=f"offscreen:configfile={tmp / 'screen.json'}")  # fmt: skip
        begin = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            while b"READY=1" not in sock.recv(4096):
                pass
            elapsed = time.perf_counter() - begin
            rss = peak_rss_kib(proc.pid)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return elapsed, rss


def run() -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        (tmp / "screen.json").write_text(json.dumps(SCREEN))
        config = tmp / "kiosk.toml"
        config.write_text(
            CONFIG_TEMPLATE.format(hours_a=ALL_WEEK, cap_a=999).replace(
                '[printer]\nuri = "none://"', '[printer]\nuri = "sim://"'
            )
        )
        bare_cmd = [sys.executable, "-m", "tests.bench.ui_child", "bare"]
        totem_cmd = [sys.executable, "-m", "kiosk", "--config", str(config), "ui"]
        start(totem_cmd, tmp)  # writes the bytecode, creates the database, warms the file cache
        start(bare_cmd, tmp)
        bare, totem = [], []
        for _ in range(STARTS):  # interleaved, so a busy moment of the machine hits both
            bare.append(start(bare_cmd, tmp))
            totem.append(start(totem_cmd, tmp))
        touch = subprocess.run(
            [sys.executable, "-m", "tests.bench.ui_child", "touch", str(config), "100"],
            cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    bare_s = statistics.median(b[0] for b in bare)
    totem_s = statistics.median(t[0] for t in totem)
    # Each start against the bare one just before it: a drift of the machine cancels out.
    ratio = statistics.median(t[0] / b[0] for b, t in zip(bare, totem, strict=True))
    bare_rss = max(b[1] for b in bare) / 1024
    totem_rss = max(t[1] for t in totem) / 1024
    *figures, _, peak = touch.stdout.split()
    first, *times = [float(t) for t in figures]
    body = f"""## Touch UI: cold start, memory, touch to ticket

Machine: {machine()}; Qt offscreen platform, one 1080x1920 screen, simulated printer. Medians of
{STARTS} interleaved starts, each timed from launch to its `READY=1` (the systemd notification):

| what | result | goal |
|---|---|---|
| bare PySide6 window, full screen, drawn | {bare_s:.3f} s, max RSS {bare_rss:.0f} MiB | |
| `kiosk --config ... ui`, home screen drawn with its services and their live figures | {totem_s:.3f} s, max RSS {totem_rss:.0f} MiB | < 1.5 s, < 2x bare, < 150 MB |
| ratio to the bare window (median of each start's to the bare one before it) | {ratio:.2f}x | < 2x |
| touch to ticket screen shown (issue + print on the simulator) | median {statistics.median(times):.1f} ms, p99 {percentile(times, 99):.1f} ms (n = {len(times)}) | < 100 ms median |
| the very first touch, the moment home is drawn | {first:.0f} ms | |
| max RSS after {len(figures)} tickets (printer library loaded, tickets drawn) | {int(peak) / 1024:.0f} MiB | < 150 MB |

Every start: bare {", ".join(f"{b[0]:.3f}" for b in bare)} s; `kiosk ui` {", ".join(f"{t[0]:.3f}" for t in totem)} s.
The worker loads the printer's command library (python-escpos: 0.08 s with its profiles cached
in <data_dir>/cache, 0.23 s the very first time) as soon as home is drawn; only a touch in that
moment waits for it.
PySide6 {PySide6.__version__}. What the start spends beyond the bare label, measured one part at a time:
PySide's `Qt` namespace, whose hundred enums Python builds on its first import (13-15 ms; any
real UI needs it, a label does not); the 45 dataclasses of the configuration, store, core and
drivers (about 30 ms together: Python 3.11 compiles each one's methods at import); the window's
widgets styled and laid out; the worker's import of the totem's rules (about 17 ms, while the
first picture is painted). The start path leaves for later what home does not need: the
screens besides home (made once it is drawn), num2words, statistics, ctypes, pyserial, the
ticket's drawing, the day's bookings, the keypad legend's rich text.
Bytecode compiled, as installed (`pip` compiles it); with `PYTHONDONTWRITEBYTECODE` and no
`__pycache__` Python would compile every module of ours at each start, about 50 ms more.
"""
    write_section("ui", body)
    print(body)
