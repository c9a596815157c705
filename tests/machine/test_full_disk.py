"""The image's first boot on a full disk: the disk holds exactly the image (nothing to grow
into) and its root filesystem was filled before the boot (an extent allocated by debugfs, as a
leftover file would). The boot still makes the totem's keys (root's reserved blocks) so a
technician gets in; one line in the journal and on the console says the disk is full; doctor
names it; freeing the space is enough, no reflashing."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.sim.printer import SimPrinter, TcpServer
from tests.machine.qemu import Totem

pytestmark = [pytest.mark.machine, pytest.mark.timeout(1200)]
FILLER = "totem-filler"


def filled_copy(image: Path, folder: Path) -> Path:
    """A copy of ``image`` whose root filesystem has no block left for anyone but root."""
    copy = folder / "full.img"
    subprocess.run(["cp", "--sparse=always", str(image), str(copy)], check=True)
    table = json.loads(subprocess.run(["sfdisk", "-J", str(copy)], capture_output=True,
                                      text=True, check=True).stdout)  # fmt: skip
    (root,) = [p for p in table["partitiontable"]["partitions"] if p.get("name") == "totem-root"]
    device = f"{copy}?offset={root['start'] * 512}"
    head = subprocess.run(["dumpe2fs", "-h", device], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    field = {k.strip(): v.strip() for k, v in
             (line.split(":", 1) for line in head.splitlines() if ":" in line)}  # fmt: skip
    spare = int(field["Free blocks"]) - int(field["Reserved block count"]) - 1
    subprocess.run(["debugfs", "-w", "-f", "-", device], check=True, capture_output=True,
                   input=f"write /dev/null {FILLER}\nfallocate {FILLER} 0 {spare}\n",
                   text=True)  # fmt: skip
    return copy


@pytest.fixture
def full(image: Path, image_key: Path, tmp_path: Path) -> Iterator[Totem]:
    copy = filled_copy(image, tmp_path)
    own_printer = TcpServer(SimPrinter()).start()  # not the session's: its jobs stay its own
    machine = Totem(image=copy, folder=tmp_path, key=image_key,
                    printer_port=own_printer.port,
                    disk=copy.stat().st_size)  # fmt: skip
    try:
        machine.start()
        machine.wait_ssh()
        yield machine
    finally:
        machine.stop()
        own_printer.stop()


def test_first_boot_on_a_full_disk_says_so_and_recovers(full: Totem) -> None:
    journal = full.ssh("journalctl -b -u totem-firstboot --no-pager").stdout
    said = [line for line in journal.splitlines() if "totem: the disk is full" in line]
    assert len(said) == 1, journal
    assert "free space" in said[0] and "MiB free for the day" in said[0]
    assert "totem: the disk is full" in full.console.read_text(errors="replace")
    assert "ticket-key" in full.ssh("ls /etc/kiosk/secrets").stdout  # made all the same

    def disk() -> dict:
        done = full.ssh("kiosk doctor --json", check=False)
        return next(c for c in json.loads(done.stdout)["checks"] if c["name"] == "disk")

    assert disk()["status"] == "failed"
    full.ssh(f"rm /{FILLER}")
    assert disk()["status"] in ("ok", "warn")
