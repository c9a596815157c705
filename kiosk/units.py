"""Drop-ins that hand a unit one more secret as a systemd credential (DESIGN 12: the units
cannot see /etc/kiosk/secrets; systemd copies what each needs into its credentials folder).
Written by the commands that make such a secret part of the configuration (``kiosk tls make``:
the branch server's TLS key; ``kiosk totem join``: a satellite's token for the host)."""

from __future__ import annotations

import os
from pathlib import Path

UNIT_DIR = Path("/etc/systemd/system")


def unit_dir() -> Path:
    return Path(os.environ.get("KIOSK_UNIT_DIR") or UNIT_DIR)


def hand_credential(unit: str, name: str, secret: Path) -> Path | None:
    """Write ``<unit>.d/<name>.conf`` loading ``secret`` as credential ``name``; the drop-in's
    path, or None where there is no systemd folder to write it in (a checkout, a test)."""
    folder = unit_dir()
    if not folder.is_dir():
        return None
    dropin = folder / f"{unit}.d" / f"{name}.conf"
    dropin.parent.mkdir(mode=0o755, exist_ok=True)
    dropin.write_text(
        "# Written by the kiosk command: the unit reads this secret as a credential.\n"
        f"[Service]\nLoadCredential={name}:{secret.absolute()}\n"
    )
    dropin.chmod(0o644)
    return dropin
