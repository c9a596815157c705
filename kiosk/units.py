"""Drop-ins that hand a unit one more secret as a systemd credential (DESIGN 12: the units
cannot see /etc/kiosk/secrets; systemd copies what each needs into its credentials folder).
Written by the commands that make such a secret part of the configuration (``kiosk tls make``:
the branch server's TLS key; ``kiosk totem join``: a satellite's token for the host), and only
where systemd runs the units on that very configuration."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kiosk.config import DEFAULT_PATH

UNIT_DIR = Path("/etc/systemd/system")
SYSTEMD_RUNNING = Path("/run/systemd/system")  # sd_booted()'s test


def unit_dir(config_path: Path) -> Path | None:
    """Where drop-ins go: ``$KIOSK_UNIT_DIR`` (tests), else /etc/systemd/system when systemd
    runs here and ``config_path`` is the units' own configuration; None otherwise."""
    if os.environ.get("KIOSK_UNIT_DIR"):
        return Path(os.environ["KIOSK_UNIT_DIR"])
    if not SYSTEMD_RUNNING.is_dir() or config_path.absolute() != DEFAULT_PATH:
        return None
    return UNIT_DIR


def hand_credential(config_path: Path, unit: str, name: str, secret: Path) -> Path | None:
    """Write ``<unit>.d/<name>.conf`` (atomically) loading ``secret`` as credential ``name``;
    the drop-in's path, or None where no unit runs on this configuration."""
    folder = unit_dir(config_path)
    if folder is None or not folder.is_dir():
        return None
    dropin = folder / f"{unit}.d" / f"{name}.conf"
    dropin.parent.mkdir(mode=0o755, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=dropin.parent)
    with os.fdopen(fd, "w") as out:
        out.write(
            "# Written by the kiosk command: the unit reads this secret as a credential.\n"
            f"[Service]\nLoadCredential={name}:{secret.absolute()}\n"
        )
        out.flush()
        os.fsync(out.fileno())
    os.chmod(temporary, 0o644)
    os.replace(temporary, dropin)
    return dropin
