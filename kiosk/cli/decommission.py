"""``kiosk decommission``: wipe a totem being retired (database, WAL, secrets, journal)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import click

from kiosk.cli.context import Context, Fail, handled, json_option
from kiosk.doctor import UNITS, find_systemctl
from kiosk.store import marker
from kiosk.store.outbox import Outbox

CHUNK = 1 << 20


@click.command("decommission")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--discard-unsent",
    is_flag=True,
    help="Wipe even if events are still waiting for the central server (they are lost).",
)
@json_option
@click.pass_obj
@handled
def decommission_cmd(obj: Context, yes: bool, discard_unsent: bool, as_json: bool) -> None:
    """Wipe this totem for retirement: stop the units, overwrite and delete the database, its
    WAL, every file in the data directory and the witness folder, and the secrets, and clear
    the journal.

    Refuses while events wait to be sent: run `kiosk sync --once` first (a replacement totem
    must not make the central server lose a day's figures). The configuration file is kept.

    \b
    Example:
      kiosk sync --once && kiosk decommission --yes
    """
    config = obj.config
    if not yes:
        if not sys.stdin.isatty():
            raise Fail("decommission: add --yes to confirm (it wipes this totem's data)", 2)
        answer = click.prompt(f'Type the kiosk id "{config.kiosk_id}" to wipe this totem')
        if answer.strip() != config.kiosk_id:
            raise Fail("decommission: not confirmed; nothing was changed", 2)
    systemctl = find_systemctl()
    if systemctl:
        subprocess.run([systemctl, "disable", "--now", *UNITS], capture_output=True, check=False)
        click.echo("stopped and disabled the kiosk units")
    if config.database.exists() and not discard_unsent:
        waiting = Outbox(obj.store()).waiting()
        obj.close()
        if waiting:
            raise Fail(
                f"decommission: {waiting} event(s) not yet sent to the central server; run"
                " `kiosk sync --once` first, or add --discard-unsent to lose them",
                1,
            )
    obj.close()
    wiped = wipe_tree(config.data_dir)
    witness = marker.witness_of(config.database, config.witness_dir).parent
    if witness.is_dir():  # the day's last numbers, in the marker's copy
        wiped += wipe_tree(witness)
        witness.mkdir(mode=0o750, exist_ok=True)
        (witness / marker.BORN).touch()  # the machine starts afresh, as a new install
    for secret in {config.central_token_file, config.ticket_key_file}:
        if secret.exists() and not _inside(secret, config.data_dir):
            wipe_file(secret)
            wiped += 1
    click.echo(f"overwrote and deleted {wiped} file(s): database, WAL, data folder, secrets")
    journalctl = shutil.which("journalctl")
    if systemctl and journalctl:
        subprocess.run([journalctl, "--rotate"], capture_output=True, check=False)
        subprocess.run([journalctl, "--vacuum-time=1s"], capture_output=True, check=False)
        click.echo("cleared the journal")
    else:
        click.echo("journal: systemd is not running here, nothing to clear")
    click.echo(
        "done. Flash memory may keep copies of overwritten blocks: for a disk leaving the"
        " office, also run blkdiscard on it (see docs/technician.md)"
    )


def wipe_tree(folder: Path) -> int:
    """Overwrite and delete every file under ``folder``, then its empty subfolders."""
    if not folder.is_dir():
        return 0
    count = 0
    for root, dirs, files in os.walk(folder, topdown=False):
        for name in files:
            wipe_file(Path(root) / name)
            count += 1
        for name in dirs:
            path = Path(root) / name
            if path.is_symlink():
                path.unlink()
            else:
                path.rmdir()
    return count


def wipe_file(path: Path) -> None:
    """Overwrite a file's bytes with zeros, flush them to disk, then delete it."""
    if path.is_symlink() or not path.is_file():
        path.unlink()
        return
    size = path.stat().st_size
    with path.open("r+b", buffering=0) as fh:
        zeros = bytes(CHUNK)
        left = size
        while left > 0:
            left -= fh.write(zeros[: min(CHUNK, left)])
        os.fsync(fh.fileno())
    path.unlink()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
