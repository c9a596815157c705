"""The central service's high-water marks of this kiosk: the third witness of its day
(``kiosk store reset --yes --from-central``; docs/central-api.md, ``GET /v1/kiosks/{kiosk}/marks``).
"""

from __future__ import annotations

from datetime import datetime

from kiosk import secrets
from kiosk.config import Config
from kiosk.store.marker import Marker


class MarksUnavailable(Exception):
    """The central service could not say where this kiosk's day stood; the message says why."""


def from_central(config: Config, now: datetime, timeout: float = 10.0) -> Marker:
    """The highest seq the central holds for this kiosk, and the last number of each service
    it issued today (branch time).

    Raises:
        MarksUnavailable: not reachable, the token refused, or an answer that is not one.
    """
    import requests  # only for a reset: every other command starts without it

    token = secrets.read(config.central_token_file).decode().strip()
    day = now.astimezone(config.timezone).date().isoformat()
    url = f"{config.central_url}/v1/kiosks/{config.kiosk_id}/marks"
    try:
        answer = requests.get(
            url,
            params={"day": day},
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            verify=str(config.central_ca_file) if config.central_ca_file else True,
        )
    except requests.RequestException as exc:
        raise MarksUnavailable(
            f"{config.central_url}: not reachable ({type(exc).__name__})"
        ) from None
    if answer.status_code != 200:
        raise MarksUnavailable(f"{config.central_url}: HTTP {answer.status_code} for {url}")
    try:
        data = answer.json()
        numbers = {str(k): int(v) for k, v in data["numbers"].items()}
        if data["kiosk"] != config.kiosk_id or data["day"] != day:
            raise ValueError
        return Marker("central", day if numbers else None, numbers, int(data["seq"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise MarksUnavailable(f"{config.central_url}: not this kiosk's marks") from None
