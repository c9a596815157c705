"""``python -m kiosk.role host``: the ``ExecCondition=`` of the units only a host runs
(kiosk-serve, kiosk-sync, kiosk-purge). On a satellite or a display, one image with every unit
enabled, these units are skipped ("condition failed") instead of failing at every boot and
every night. Exit 0 when this machine has the role asked for, or when its configuration cannot
be read (the unit then starts and says what is wrong in its own words); 1 otherwise."""

from __future__ import annotations

import sys
import tomllib

from kiosk.config import ROLES, default_config_path


def role_in_file() -> str | None:
    """``kiosk.role`` as written (host when absent), or None when the file cannot be read."""
    try:
        with default_config_path().open("rb") as f:
            section = tomllib.load(f).get("kiosk", {})
    except (OSError, tomllib.TOMLDecodeError):
        return None
    role = section.get("role", "host") if isinstance(section, dict) else None
    return role if role in ROLES else None


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in ROLES:
        print(f"usage: python -m kiosk.role {'|'.join(ROLES)}", file=sys.stderr)
        return 2
    role = role_in_file()
    if role is None or role == argv[1]:
        return 0
    print(f"kiosk.role is {role}: this unit runs on a {argv[1]} alone", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
