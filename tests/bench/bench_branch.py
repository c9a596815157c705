"""From a desk's `next` to the call arriving at 50 connected SSE displays."""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

import requests

from kiosk.config import load
from kiosk.server import desks as desk_tokens
from kiosk.server.app import make_app
from kiosk.serving import ThreadedServer
from kiosk.store import Store
from kiosk.totem import Totem
from tests.bench.report import machine, percentile, write_section
from tests.conftest import ALL_WEEK, CONFIG_TEMPLATE

DISPLAYS = 50
CALLS = 40


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kiosk.toml"
        path.write_text(CONFIG_TEMPLATE.format(hours_a=ALL_WEEK, cap_a=999))
        config = load(path)
        with Store(config.database) as store:
            token = desk_tokens.add(store, "1")
            totem = Totem(config, store, b"k" * 32)
            for _ in range(CALLS):
                totem.issue_walkin("A")
        server = ThreadedServer(make_app(config), graceful_timeout=1).start()
        arrivals: dict[str, list[float]] = {}
        lock = threading.Lock()
        ready = threading.Barrier(DISPLAYS + 1)

        def display() -> None:
            with requests.get(
                f"{server.url}/api/v1/calls/stream", stream=True, timeout=60
            ) as stream:
                ready.wait()
                seen = 0
                for line in stream.iter_lines(decode_unicode=True):
                    if line.startswith("data: "):
                        now = time.perf_counter()
                        with lock:
                            arrivals.setdefault(json.loads(line[6:])["ticket"], []).append(now)
                        seen += 1
                        if seen == CALLS:
                            return

        threads = [threading.Thread(target=display, daemon=True) for _ in range(DISPLAYS)]
        for t in threads:
            t.start()
        ready.wait()
        time.sleep(0.5)  # every stream is subscribed
        desk = requests.Session()
        pressed: dict[str, float] = {}
        for _ in range(CALLS):
            start = time.perf_counter()
            r = desk.post(f"{server.url}/api/v1/desks/1/next", json={"services": ["A"]},
                          headers={"Authorization": f"Bearer {token}"}, timeout=10)  # fmt: skip
            pressed[r.json()["ticket"]] = start
            time.sleep(0.05)
        for t in threads:
            t.join(timeout=60)
        server.stop()
    delays = [(t - pressed[ticket]) * 1000 for ticket, ts in arrivals.items() for t in ts]
    body = f"""## Branch server: from `next` to the call on the displays

Machine: {machine()}; `kiosk serve` app under uvicorn, {DISPLAYS} SSE displays and one desk
on 127.0.0.1, {CALLS} calls ({len(delays)} deliveries).

From the desk pressing `next` (request sent) to the call event read by each display: median
{statistics.median(delays):.1f} ms, p99 {percentile(delays, 99):.1f} ms, max {max(delays):.1f} ms.
"""
    write_section("branch", body)
    print(body)
