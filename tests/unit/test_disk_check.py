"""The initramfs' check for an image flashed on a smaller disk
(image/overlay/etc/initramfs-tools/scripts/local-block/totem-disk), run by sh on copies of
/sys/class/block and /dev: a GPT that claims sectors past the disk's end, or an ext4 larger
than its partition, is said in one line and the boot stops; a disk that fits passes. The
machine test boots it for real (tests/machine/test_small_disk.py)."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

SCRIPT = (
    Path(__file__).parents[2] / "image/overlay/etc/initramfs-tools/scripts/local-block/totem-disk"
)
MIB = 2**20


def machine(tmp_path: Path, disk_bytes: int, gpt_last_lba: int, ext4_bytes: int | None = None,
            part_bytes: int = 0) -> dict[str, str]:  # fmt: skip
    sys, dev = tmp_path / "sys", tmp_path / "dev"
    (sys / "vda").mkdir(parents=True)
    dev.mkdir()
    (sys / "vda" / "size").write_text(f"{disk_bytes // 512}\n")
    header = bytearray(4096)
    header[512:520] = b"EFI PART"
    header[560:568] = struct.pack("<Q", gpt_last_lba)
    (dev / "vda").write_bytes(bytes(header))
    if ext4_bytes is not None:
        (sys / "vda2").mkdir()
        (sys / "vda2" / "partition").write_text("2\n")
        (sys / "vda2" / "size").write_text(f"{part_bytes // 512}\n")
        block = bytearray(4096)
        block[1028:1032] = struct.pack("<I", ext4_bytes // 4096)
        block[1048:1052] = struct.pack("<I", 2)  # 1024 << 2: 4 KiB blocks
        block[1080:1082] = struct.pack("<H", 0xEF53)
        (dev / "vda2").write_bytes(bytes(block))
    (dev / "kmsg").write_text("")
    return {"SYS": str(sys), "DEV": str(dev), "PATH": "/usr/bin:/bin"}


def check(env: dict[str, str]) -> tuple[str, bool]:
    """What the check said to the kernel's log, and whether it stopped the boot."""
    try:
        subprocess.run(["sh", str(SCRIPT)], env=env, timeout=3, check=True)
        stopped = False
    except subprocess.TimeoutExpired:
        stopped = True  # it waits for ever with its line on the screen
    return (Path(env["DEV"]) / "kmsg").read_text(), stopped


def test_a_disk_smaller_than_the_gpt_is_said_and_stops_the_boot(tmp_path: Path) -> None:
    said, stopped = check(machine(tmp_path, 2628 * MIB, gpt_last_lba=2884 * MIB // 512 - 34))
    assert stopped
    assert said == (
        "<2>totem: this disk is smaller than the image (the image needs 2884 MiB, the disk has"
        " 2628 MiB): flash the image on a larger disk (docs/technician.md)\n"
    )


def test_an_ext4_larger_than_its_partition_is_said(tmp_path: Path) -> None:
    env = machine(tmp_path, 4096 * MIB, gpt_last_lba=4096 * MIB // 512 - 34,
                  ext4_bytes=2816 * MIB, part_bytes=2441 * MIB)  # fmt: skip
    said, stopped = check(env)
    assert stopped and "the image needs 2816 MiB, the disk has 2441 MiB" in said


def test_a_disk_that_fits_boots_on(tmp_path: Path) -> None:
    env = machine(tmp_path, 4096 * MIB, gpt_last_lba=4096 * MIB // 512 - 34,
                  ext4_bytes=2816 * MIB, part_bytes=2816 * MIB)  # fmt: skip
    assert check(env) == ("", False)
