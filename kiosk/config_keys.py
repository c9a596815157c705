"""Every configuration key, in one table: what :func:`kiosk.config.parse` accepts (and so
``kiosk config check``), what ``kiosk config set`` can set and which units it restarts, what
``kiosk config show`` prints, and the key table of docs/command.md (a test holds the four
together). The values' rules live in :mod:`kiosk.config`, next to their parsers.
"""

from __future__ import annotations

# section -> (its keys, the units that read it and must restart after it changes)
SECTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "kiosk": (
        ("id", "branch", "branch_name", "timezone", "languages", "data_dir", "witness_dir", "role"),
        ("kiosk-ui", "kiosk-sync", "kiosk-serve"),
    ),
    "printer": (("uri", "on_fault", "width"), ("kiosk-ui",)),
    "scanner": (("uri",), ("kiosk-ui",)),
    "central": (("url", "token_file", "ca_file"), ("kiosk-sync",)),
    "server": (("listen", "tls_cert_file", "tls_key_file", "phone_listen"), ("kiosk-serve",)),
    "branch": (("url", "token_file", "ca_file"), ("kiosk-ui",)),
    "ticket": (("status_url", "key_file"), ("kiosk-ui",)),
    "queue": (
        (
            "no_show_tolerance_min",
            "appointment_early_min",
            "appointment_grace_min",
            "wait_floor_min",
        ),
        ("kiosk-ui", "kiosk-serve"),
    ),
    "privacy": (("controller", "dpo"), ("kiosk-ui",)),
    "speech": (("voice", "output", "volume", "rate", "on"), ("kiosk-ui",)),
    "keypad": (("uri",), ("kiosk-ui",)),
    "ui": (("idle_s", "reach", "screen_bottom_mm", "screen_height_mm"), ("kiosk-ui",)),
    "display": (("url",), ("kiosk-ui",)),
    "branding": (("primary", "logo"), ("kiosk-ui", "kiosk-serve")),
}
SERVICE_KEYS = ("code", "name", "hours", "minutes", "desks", "daily_cap", "icon", "description")
SERVICE_UNITS = ("kiosk-ui", "kiosk-serve", "kiosk-sync")
TOP = (*SECTIONS, "services")  # the file's tables, in the order `config show` prints them


def keys(section: str) -> tuple[str, ...]:
    return SERVICE_KEYS if section == "services" else SECTIONS[section][0]


def units(section: str) -> tuple[str, ...]:
    """The units to restart after a key of ``section`` changed."""
    return SERVICE_UNITS if section == "services" else SECTIONS[section][1]


def every_key() -> list[str]:
    """Every key, as docs/command.md names them: ``printer.uri``, ``services[N].minutes``."""
    out = [f"{section}.{key}" for section, (names, _units) in SECTIONS.items() for key in names]
    return out + [f"services[N].{key}" for key in SERVICE_KEYS]
