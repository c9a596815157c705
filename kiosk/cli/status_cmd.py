"""``kiosk status``: tickets today per service, printer, scanner, and what waits to be sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click

from kiosk.cli.context import Context, emit, handled, json_option
from kiosk.store import tickets as store_tickets
from kiosk.store.outbox import Outbox


def scanner_present(uri: str) -> bool | None:
    """Whether the configured scanner can be opened now (None: no scanner configured)."""
    from drivers.scanner.connect import open_scanner
    from drivers.scanner.uri import ScannerUriError

    try:
        scanner = open_scanner(uri)
    except ScannerUriError:
        return False
    if scanner is None:
        return None
    present = scanner.connect()
    scanner.close()
    return present


def printer_state(obj: Context) -> dict[str, str]:
    printer = obj.printer()
    if printer is None:
        return {"uri": "none://", "state": "unknown"}
    return {"uri": printer.uri, "state": printer.status().value}


def local_time(text: str | None, tz: ZoneInfo) -> str | None:
    """A stored instant (UTC, ISO) as the branch's wall clock, to the second: what every other
    line a technician reads uses."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return text
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def local_error(text: str | None, tz: ZoneInfo) -> str | None:
    """ "<instant> <what>" with the instant in the branch's time."""
    if not text:
        return None
    head, _, rest = text.partition(" ")
    shown = local_time(head, tz)
    return f"{shown} {rest}" if shown != head else text


def describe_sync(data: dict[str, Any], tz: ZoneInfo) -> list[str]:
    age = data["oldest_waiting_s"]
    last = local_time(data["last_success"], tz) or "never"
    lines = [
        f"  outbox  {data['backlog']} waiting"
        + (f" (oldest {age // 60} min)" if age is not None else "")
        + f", {data['parked']} parked; last sync {last}"
    ]
    if data.get("seq_went_back") is not None:
        lines.append(
            f"  SENDING STOPPED: the central holds seq {data['seq_went_back']}, above this"
            " database's (it was made anew): run `kiosk store reset --yes --from-central`"
        )
    elif data["paused_for_auth"]:
        lines.append(
            f"  SENDING PAUSED: the central server refused the token ({data['paused_reason']});"
            " fix central.token_file"
        )
    elif data["last_error"]:
        lines.append(f"  last error: {local_error(data['last_error'], tz)}")
    return lines


@click.command("status")
@json_option
@click.pass_obj
@handled
def status_cmd(obj: Context, as_json: bool) -> None:
    """Tickets today per service, printer, scanner, outbox backlog and last sync.

    \b
    Example:
      kiosk status --json
    """
    obj.reading()
    totem = obj.totem()
    now = obj.clock()
    tz = obj.config.timezone
    day = totem.today(now).isoformat()
    counts = store_tickets.counts(obj.store(), day)
    sync = Outbox(obj.store()).status(now)
    services: list[dict[str, Any]] = [
        {
            "code": st.service.code,
            "issued": counts.get(st.service.code, {}).get("issued", 0),
            "waiting": st.waiting,
            "wait_min": st.wait_min,
            "available": st.availability.available,
            "reason": st.availability.describe(tz, now),
        }
        for st in totem.states()
    ]
    data = {
        "kiosk": obj.config.kiosk_id,
        "day": day,
        "tickets_today": sum(s["issued"] for s in services),
        "services": services,
        "printer": printer_state(obj),
        "scanner": {
            "uri": obj.config.scanner_uri,
            "present": scanner_present(obj.config.scanner_uri),
        },
        "sync": sync,
    }
    lines = [f"{obj.config.branch_name} ({obj.config.kiosk_id}), {day}"]
    lines += [
        f"  {s['code']:<2} issued {s['issued']:>3}  waiting {s['waiting']:>3}"
        f"  wait ~{s['wait_min']} min  {s['reason']}"
        for s in services
    ]
    lines.append(f"  printer {data['printer']['uri']} ({data['printer']['state']})")
    present = {True: "present", False: "not found", None: "none"}[data["scanner"]["present"]]
    lines.append(f"  scanner {data['scanner']['uri']} ({present})")
    lines += describe_sync(sync, obj.config.timezone)
    emit(data, as_json, "\n".join(lines))
