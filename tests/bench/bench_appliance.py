"""The totem as a machine: the package's and the image's sizes, how long `make image` takes,
and power on to the home screen under QEMU (TCG; KVM where a guest runs on it).

Builds the image `make image-test` uses (build/image-test/totem.img, its key beside it)."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import tempfile
import time
from pathlib import Path

from drivers.sim.printer import SimPrinter, TcpServer
from tests.bench.report import ROOT, machine, write_section
from tests.machine.qemu import Totem

IMAGE = ROOT / "build/image-test/totem.img"
KEY = ROOT / "build/image-test/key"
VERSION = re.search(r'^version = "(.*)"', (ROOT / "pyproject.toml").read_text(), re.M)[1]  # type: ignore[index]
CONFIGURE = {
    "kiosk.id": "bench-totem",
    "kiosk.branch": "bench-branch",
    "printer.uri": "serial:///dev/ttyS1?baudrate=115200",
    "scanner.uri": "none://",
}


def timed_make(target: str) -> float:
    start = time.monotonic()
    subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), target], check=True,
                   capture_output=True)  # fmt: skip
    return time.monotonic() - start


def power_on(folder: Path, port: int, accel: str, limit: float) -> dict[str, float] | None:
    """Seconds from QEMU's start to SSH, to kiosk-ui's READY=1, to home on the screen."""
    os.environ["TOTEM_QEMU_ACCEL"] = accel
    totem = Totem(image=IMAGE, folder=folder, key=KEY, printer_port=port)
    try:
        totem.start()  # under KVM here QEMU itself aborts (MSR 0x10a): a row that says so
        ssh = totem.wait_ssh(limit)
        ready = totem.wait_until("systemctl is-active --quiet kiosk-ui", timeout=limit, every=0.5)
        shown = time.monotonic() - totem.started  # READY=1 is sent once home is drawn
        totem.screendump(folder / f"home-{accel}.png")
        return {"ssh": ssh, "ready": ready, "screen": shown}
    except AssertionError:
        return None
    finally:
        with contextlib.suppress(Exception):
            totem.ssh("systemctl poweroff", check=False, timeout=20)
        totem.stop()


def run() -> None:
    deb_s = timed_make("deb")
    KEY.parent.mkdir(parents=True, exist_ok=True)
    if not KEY.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(KEY)], check=True)
    IMAGE.with_name(IMAGE.name + ".stamp").unlink(missing_ok=True)  # built anew, and timed
    start = time.monotonic()
    subprocess.run([str(ROOT / "scripts/image.sh")], check=True, capture_output=True,
                   env={**os.environ, "IMAGE_OUT": str(IMAGE), "IMAGE_SSH_KEY": f"{KEY}.pub"})  # fmt: skip
    image_s = time.monotonic() - start
    deb = ROOT / f"dist/kiosk_{VERSION}_amd64.deb"
    zst = IMAGE.with_name(IMAGE.name + ".zst")
    sim = SimPrinter()
    server = TcpServer(sim).start()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        first = Totem(image=IMAGE, folder=folder, key=KEY, printer_port=server.port).start()
        try:  # a first boot, configured, then powered off: the totem of every morning after
            first_boot = first.wait_ssh()
            for key, value in CONFIGURE.items():
                first.ssh(f"kiosk config set {key} {shlex.quote(value)}")
            first.wait_until("systemctl is-active --quiet kiosk-ui")
            first.ssh("systemctl poweroff", check=False, timeout=20)
            first.proc.wait(timeout=120)  # type: ignore[union-attr]
        finally:
            first.stop()
        for accel, limit in (("tcg", 600), ("kvm", 120)):
            times = power_on(folder, server.port, accel, limit)
            rows.append(
                f"| {accel.upper()} | {times['ssh']:.1f} s | {times['ready']:.1f} s |"
                if times else f"| {accel.upper()} | no SSH within {limit} s: the guest hangs | |"
            )  # fmt: skip
    server.stop()
    body = f"""## The appliance: package, image, power on to home

Machine: {machine()}.

| what | figure |
|---|---|
| `dist/kiosk_{VERSION}_amd64.deb` | {deb.stat().st_size / 2**20:.0f} MiB (installed: the venv and units) |
| image, raw | {IMAGE.stat().st_size / 2**30:.2f} GiB |
| image, zstd -3 | {zst.stat().st_size / 2**20:.0f} MiB |
| `make deb` with nothing changed | {deb_s:.1f} s |
| `make image` (bootstrap from the mirror, no apt cache) | {image_s:.0f} s |
| first boot to SSH (grows the disk, makes keys), TCG | {first_boot:.0f} s |

Power on (QEMU started on a configured totem's disk) to SSH answering and to kiosk-ui's
READY=1, which the UI sends once home is drawn with its services:

| accelerator | SSH | home drawn (READY=1) |
|---|---|---|
{chr(10).join(rows)}

Aims: under 10 s to home with KVM; under 1 GB compressed.
"""
    write_section("appliance", body)
