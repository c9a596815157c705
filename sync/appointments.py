"""Today's appointments from the central server, replaced atomically in the store.

Only what check-in needs is kept: the opaque ref, the salted slow hash of the booking code
(:mod:`kiosk.core.bookings`, with the day's salt and parameters), the service and the slot.
Check-ins already made survive a refresh; yesterday's rows go with the purge.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

import requests

from kiosk.config import Config
from kiosk.core import events
from kiosk.core.bookings import CodeHash
from kiosk.store import Store
from kiosk.store import appointments as store_appointments
from kiosk.store import state as shared
from sync.client import AppointmentsError, CentralClient, TokenMissing

log = logging.getLogger(__name__)
_SHA = re.compile(r"\A[0-9a-f]{64}\Z", re.ASCII)
_SLOT = re.compile(r"\A([01]\d|2[0-3]):[0-5]\d\Z", re.ASCII)


def valid(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and events.is_appointment_ref(item.get("ref"))
        and isinstance(item.get("code_hash"), str)
        and _SHA.match(item["code_hash"]) is not None
        and events.is_service(item.get("service"))
        and isinstance(item.get("slot"), str)
        and _SLOT.match(item["slot"]) is not None
    )


def replace_day(store: Store, day: str, hashed: CodeHash, items: list[dict[str, Any]]) -> int:
    """Make ``items`` the day's appointments in one transaction; returns how many were kept."""
    keep = [i for i in items if valid(i)]
    if len(keep) != len(items):
        log.warning("appointments: %d malformed entries ignored", len(items) - len(keep))
    store_appointments.replace_day(store, day, hashed, keep)
    return len(keep)


def refresh_appointments(
    config: Config, store: Store, client: CentralClient, now: datetime
) -> bool:
    """Fetch today's appointments if they changed (ETag); True when the store was updated."""
    day = now.astimezone(config.timezone).date().isoformat()
    etag_key = shared.APPOINTMENTS_ETAG + day
    etag = shared.get(store, etag_key)
    try:
        result = client.get_appointments(config.branch, day, etag)
    except requests.exceptions.RequestException as exc:
        # requests' own text is a paragraph of pool internals: the kind of failure is enough
        log.warning("appointments: not refreshed (%s)", type(exc).__name__)
        return False
    except (AppointmentsError, TokenMissing) as exc:
        log.warning("appointments: not refreshed (%s)", str(exc) or type(exc).__name__)
        return False
    if not result.changed:
        return False
    try:
        hashed = CodeHash.parse(result.hash)
    except ValueError as exc:
        log.warning("appointments: not refreshed (%s)", exc)
        return False
    count = replace_day(store, day, hashed, result.items)
    shared.put(store, {etag_key: result.etag})
    log.info("appointments: %d for %s", count, day)
    return True
