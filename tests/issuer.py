"""A separate process that issues tickets into a database, as a second totem process would.

    python -m tests.issuer DB COUNT SERVICES [--day YYYY-MM-DD]

Prints each ticket code on its own line once its transaction has committed, so a parent that
kills this process with SIGKILL knows which tickets must have survived.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.store import Store
from kiosk.store import tickets as store_tickets
from kiosk.store.tickets import Issue


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("services")
    parser.add_argument("--day", default="2026-11-23")
    args = parser.parse_args()
    services = args.services.split(",")
    day = date.fromisoformat(args.day)
    tz = ZoneInfo("Europe/Rome")
    with Store(args.db, timeout=60) as store:
        print("ready", flush=True)
        for i in range(args.count):
            ticket = store_tickets.issue(
                store,
                Issue(
                    branch="b",
                    tz=tz,
                    day=day,
                    service=services[i % len(services)],
                    now=datetime.now(UTC),
                ),
            )
            sys.stdout.write(ticket.code + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
