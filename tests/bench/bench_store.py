"""Issuing a ticket (commit included), and 10,000 tickets issued by two processes at once."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.store import Store
from kiosk.store import tickets as store_tickets
from kiosk.store.tickets import Issue
from tests.bench.report import ROOT, machine, summary_ms, write_section

TZ = ZoneInfo("Europe/Rome")


def issue_latency(count: int = 2000) -> list[float]:
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "k.db") as store:
        durations = []
        for i in range(count):
            req = Issue("b", TZ, date(2026, 11, 23), "ABC"[i % 3], datetime.now(UTC))
            start = time.perf_counter()
            store_tickets.issue(store, req)
            durations.append(time.perf_counter() - start)
        return durations


def two_processes(total: int = 10_000) -> float:
    services = ",".join("ABCDEFGHIJKL")  # 12 services: under 999 numbers each
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "k.db"
        Store(db).close()
        start = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.issuer", str(db), str(total // 2), services],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
            for _ in range(2)
        ]
        for p in procs:
            p.wait()
        elapsed = time.perf_counter() - start
        with Store(db) as store:
            assert store.scalar("SELECT COUNT(*) FROM tickets") == total
        return elapsed


def run() -> None:
    latency = issue_latency()
    total = two_processes()
    body = f"""## Store: issuing tickets

Machine: {machine()}; database on the local disk, WAL, synchronous=FULL, secure_delete=ON.

| what | result | goal |
|---|---|---|
| issue one ticket (number, ticket row, outbox event, marker, commit) | {summary_ms(latency)} | < 2 ms median |
| 10,000 tickets issued by two processes at once (12 services) | {total:.2f} s total, {10_000 / total:.0f} tickets/s | gapless, unique |

Each ticket makes two durable writes: the database's commit and, just before it, the marker
beside it (written and fsync'd, so a lost database can never give a second A001). The marker
costs about 1 ms a ticket; a totem issues a few a minute.
"""
    write_section("store", body)
    print(body)
