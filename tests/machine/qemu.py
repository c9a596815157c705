"""A booted totem under QEMU, driven as a person would: the screen by QMP screendump, touches
by QMP input events on a usb-tablet, the printer on the guest's ttyS1 (a socket to the
project's printer simulator), a technician over SSH (forwarded from 127.0.0.1).

The image is never written: the guest runs on a qcow2 overlay in the test's folder, so a
power cut (``system_reset``) keeps what the guest had flushed and nothing more.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")
SCREEN = (1080, 1920)  # the totem's portrait screen
CENTRAL_IN_GUEST = "10.0.2.100"  # where the guest reaches the host's central service
PAGE_IN_GUEST = "10.0.2.101:8081"  # a host page, for the display role (not port 80 again:
# two guestfwd rules on one port clash in QEMU)
TABLET_MAX = 0x7FFF
GROWN = 2**30  # QMP absolute axes run 0..32767 across the screen


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def relay(port: int) -> str:
    """The command QEMU runs for each guest connection to a forwarded host port."""
    return f"{sys.executable} {Path(__file__).with_name('relay.py')} {port}"


def accel() -> str:
    """TCG unless TOTEM_QEMU_ACCEL says otherwise: on these machines /dev/kvm opens but a
    guest hangs."""
    return os.environ.get("TOTEM_QEMU_ACCEL", "tcg")


class Qmp:
    """QEMU's machine protocol on a unix socket: one command, one answer; events are kept."""

    def __init__(self, path: Path, alive: Callable[[], None], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(str(path))
                break
            except OSError:
                self.sock.close()
                alive()  # QEMU refused its arguments: say why, at once
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.file = self.sock.makefile("rwb", buffering=0)
        self.events: list[dict] = []
        self._read()  # the greeting
        self.cmd("qmp_capabilities")

    def _read(self) -> dict:
        line = self.file.readline()
        if not line:
            raise ConnectionError("QEMU closed its QMP socket")
        return json.loads(line)

    def cmd(self, command: str, /, **args: object) -> object:
        """Run ``command`` with ``args`` (which may include one called ``name``, as set_link's)."""
        self.file.write(json.dumps({"execute": command, "arguments": args}).encode() + b"\n")
        while True:
            reply = self._read()
            if "event" in reply:
                self.events.append(reply)
                continue
            if "error" in reply:
                raise RuntimeError(f"QMP {command}: {reply['error']}")
            return reply.get("return")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()  # the socket stays open while its file object does
            self.sock.close()


@dataclass
class Totem:
    """One guest: ``start()``, then ``ssh()``, ``screendump()``, ``touch()``, ``power_cut()``."""

    image: Path
    folder: Path
    key: Path  # the private key whose public half the image was built with
    printer_port: int
    central_port: int = 0  # the host's central service, at http://10.0.2.100 in the guest
    page_port: int = 0  # a host web server, at http://10.0.2.101:8081 in the guest
    ssh_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    qmp: Qmp | None = None
    started: float = 0.0
    boot_seconds: float = 0.0  # from QEMU's start to SSH answering, at the first boot
    disk: int = 0  # the guest disk's bytes; 0: the image and 1 GiB more

    @property
    def console(self) -> Path:
        return self.folder / "console.log"

    def disk_bytes(self) -> int:
        """The guest's disk: the image and 1 GiB more, which the first boot must take."""
        return self.disk or self.image.stat().st_size + GROWN

    def start(self) -> Totem:
        disk = self.folder / "disk.qcow2"
        if not disk.exists():
            subprocess.run(
                ["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b",
                 str(self.image.resolve()), str(disk), str(self.disk_bytes())],
                check=True,
            )  # fmt: skip
            shutil.copy(OVMF_VARS, self.folder / "vars.fd")
        sock = self.folder / "qmp.sock"
        sock.unlink(missing_ok=True)
        args = [
            "qemu-system-x86_64", "-name", "totem", "-machine", "q35", "-m", "2048",
            "-smp", "2", "-nodefaults", "-vga", "none", "-display", "none",
            "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
            "-drive", f"if=pflash,format=raw,unit=1,file={self.folder / 'vars.fd'}",
            "-drive", f"if=virtio,format=qcow2,file={disk}",
            "-device", f"virtio-gpu-pci,xres={SCREEN[0]},yres={SCREEN[1]}",
            "-device", "qemu-xhci", "-device", "usb-tablet",
            "-chardev", f"file,id=console,path={self.console}",
            "-serial", "chardev:console",
            "-chardev", f"socket,id=printer,host=127.0.0.1,port={self.printer_port},reconnect=1",
            "-serial", "chardev:printer",
            # restrict=on: the guest reaches nothing outside but the central service
            "-netdev", "user,id=net0,restrict=on,"
            f"hostfwd=tcp:127.0.0.1:{self.ssh_port}-:22,"
            f"hostfwd=tcp:127.0.0.1:{self.web_port}-:8080"
            + (f",guestfwd=tcp:{CENTRAL_IN_GUEST}:80-cmd:{relay(self.central_port)}"
               if self.central_port else "")
            + (f",guestfwd=tcp:{PAGE_IN_GUEST}-cmd:{relay(self.page_port)}"
               if self.page_port else ""),
            "-device", "virtio-net-pci,netdev=net0",
            "-qmp", f"unix:{sock},server=on,wait=off",
        ]  # fmt: skip
        if accel() == "kvm":
            args += ["-accel", "kvm", "-cpu", "host"]
        else:
            args += ["-accel", "tcg,thread=multi", "-cpu", "max,la57=off"]
        self.started = time.monotonic()
        with (self.folder / "qemu.log").open("ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        self.qmp = Qmp(sock, self.alive)
        return self

    def stop(self) -> None:
        if self.qmp:
            with contextlib.suppress(Exception):
                self.qmp.cmd("quit")
            self.qmp.close()
        if self.proc:
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    # -- A technician over SSH -----------------------------------------------------------------
    def ssh_args(self, command: str) -> list[str]:
        return [
            "ssh", "-q", "-i", str(self.key), "-p", str(self.ssh_port),
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR",
            "root@127.0.0.1", command,
        ]  # fmt: skip

    def ssh(self, command: str, check: bool = True, timeout: float = 300,
            user_key: Path | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
        args = self.ssh_args(command)
        if user_key:
            args[args.index(str(self.key))] = str(user_key)
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(
                f"ssh {command!r} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            )
        return done

    def wait_ssh(self, timeout: float = 600) -> float:
        """Seconds from QEMU's start until SSH answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.alive()
            with contextlib.suppress(subprocess.TimeoutExpired):
                if self.ssh("true", check=False, timeout=30).returncode == 0:
                    return time.monotonic() - self.started
            time.sleep(2)
        raise AssertionError(f"no SSH after {timeout:.0f} s; console:\n{self.console_tail()}")

    def wait_until(self, command: str, timeout: float = 600, every: float = 2) -> float:
        """Run ``command`` over SSH until it exits 0; the seconds from QEMU's start."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            self.alive()
            with contextlib.suppress(subprocess.TimeoutExpired):
                last = self.ssh(command, check=False, timeout=60)
                if last.returncode == 0:
                    return time.monotonic() - self.started
            time.sleep(every)
        detail = f"{last.stdout}{last.stderr}" if last else ""
        raise AssertionError(f"{command!r} never succeeded in {timeout:.0f} s: {detail}")

    def put(self, text: str, path: str) -> None:
        self.ssh(f"cat > {shlex.quote(path)} <<'TOTEM_EOF'\n{text}\nTOTEM_EOF")

    def copy_in(self, local: Path, remote: str) -> None:
        subprocess.run(
            ["scp", "-q", "-i", str(self.key), "-P", str(self.ssh_port),
             "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
             "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", str(local), f"root@127.0.0.1:{remote}"],
            check=True, timeout=300,
        )  # fmt: skip

    # -- A person at the screen ------------------------------------------------------------------
    def screendump(self, path: Path) -> Path:
        assert self.qmp
        self.qmp.cmd("screendump", filename=str(path), format="png")
        return path

    def touch(self, x: int, y: int) -> None:
        """A finger down and up at screen pixel (x, y)."""
        assert self.qmp
        ax = round(x * TABLET_MAX / (SCREEN[0] - 1))
        ay = round(y * TABLET_MAX / (SCREEN[1] - 1))
        move = [
            {"type": "abs", "data": {"axis": "x", "value": ax}},
            {"type": "abs", "data": {"axis": "y", "value": ay}},
        ]
        self.qmp.cmd("input-send-event", events=move)
        time.sleep(0.1)
        for down in (True, False):
            self.qmp.cmd(
                "input-send-event",
                events=[{"type": "btn", "data": {"down": down, "button": "left"}}],
            )
            time.sleep(0.15)

    def cable(self, plugged: bool) -> None:
        """The network cable in or out (the guest's link goes up or down, as at a switch)."""
        assert self.qmp
        self.qmp.cmd("set_link", name="net0", up=plugged)

    def power_cut(self, cable: bool = True) -> None:
        """The power goes and comes back: QEMU is killed (SIGKILL: nothing shut down, nothing
        the guest had not written to its disk survives) and started again on the same disk.
        QMP's system_reset would be the same for the guest, but here it hung QEMU itself
        (three times out of three with guest forwarding to the host)."""
        assert self.proc and self.qmp
        self.qmp.close()
        self.proc.kill()
        self.proc.wait(timeout=30)
        self.start()
        if not cable:  # out before the firmware has even started the guest
            self.cable(False)

    def alive(self) -> None:
        if self.proc and self.proc.poll() is not None:
            log = (self.folder / "qemu.log").read_text(errors="replace")[-2000:]
            raise AssertionError(f"QEMU exited {self.proc.returncode}: {log}")

    def console_tail(self, lines: int = 60) -> str:
        if not self.console.exists():
            return "(no console output)"
        return "\n".join(self.console.read_text(errors="replace").splitlines()[-lines:])
