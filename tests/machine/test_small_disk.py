"""The image flashed on a disk smaller than itself: instead of the kernel's "bad geometry" and
an emergency shell, one line on the screen and the serial console says so, and the boot stops
there (image/overlay/etc/initramfs-tools/scripts/local-block/totem-disk)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.sim.printer import SimPrinter, TcpServer
from tests.machine.qemu import Totem

pytestmark = [pytest.mark.machine, pytest.mark.timeout(900)]
SHORT = 256 << 20  # the disk is this much smaller than the image


@pytest.fixture
def small(image: Path, image_key: Path, tmp_path: Path) -> Iterator[Totem]:
    own_printer = TcpServer(SimPrinter()).start()  # not the session's: its jobs stay its own
    machine = Totem(image=image, folder=tmp_path, key=image_key,
                    printer_port=own_printer.port,
                    disk=image.stat().st_size - SHORT)  # fmt: skip
    try:
        yield machine.start()
    finally:
        machine.stop()
        own_printer.stop()


def test_a_smaller_disk_is_said_in_one_line(small: Totem) -> None:
    deadline, said = time.monotonic() + 600, []
    while time.monotonic() < deadline and not said:
        time.sleep(3)
        small.alive()
        text = small.console.read_text(errors="replace") if small.console.exists() else ""
        said = [line for line in text.splitlines() if "totem: this disk is smaller" in line]
    assert said, small.console_tail()
    assert "flash the image on a larger disk" in said[0]
    needs = int(said[0].split("the image needs ")[1].split()[0])
    has = int(said[0].split("the disk has ")[1].split()[0])
    assert needs > has
    time.sleep(10)  # and it stops there: no emergency shell, no login prompt after it
    after = small.console.read_text(errors="replace").split(said[0], 1)[1]
    assert "emergency" not in after.lower() and "login:" not in after
