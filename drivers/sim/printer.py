"""A simulated ESC/POS printer that behaves like a real one on the wire.

The engine (:class:`SimPrinter`) reads the byte stream command by command, answers DLE EOT
real-time status requests according to its mode, keeps every job (complete or cut short), and
can be told to run low or out of paper, open its cover, go offline, stop answering, or drop the
connection in the middle of the next job. :class:`TcpServer` and :class:`PtyServer` put it on
TCP (127.0.0.1, any port) and on a pseudo-terminal, each served by a thread.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from drivers.sim import escpos

MODES = ("ok", "paper_low", "paper_out", "cover_open", "offline", "silent")


class DropConnection(Exception):
    """The simulator was told to drop the connection mid-job."""


@dataclass
class Job:
    data: bytes
    complete: bool  # ended with a cut
    printed: bool  # the printer was able to print when it arrived

    def paper(self) -> escpos.Paper:
        return escpos.decode(self.data)


class SimPrinter:
    """The protocol engine, shared by every connection to one simulated printer.

    Args:
        width_mm: paper width, for rendering.
        jobs_dir: when set, every finished job is saved there as .bin, .txt and .png.
    """

    def __init__(self, width_mm: int = 80, jobs_dir: Path | None = None) -> None:
        self.width_mm = width_mm
        self.jobs_dir = jobs_dir
        self.mode = "ok"
        self.drop_after: int | None = None  # drop the connection after N bytes of a job
        self.jobs: list[Job] = []
        # job files keep counting across restarts, so nothing earlier is overwritten
        self._saved = len(list(jobs_dir.glob("job-*.bin"))) if jobs_dir and jobs_dir.exists() else 0
        self._buffer = bytearray()
        self._job = bytearray()
        self._lock = threading.Lock()
        self.jobs_changed = threading.Condition(self._lock)

    # -- control ------------------------------------------------------------------------------

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode {mode!r} is not one of {', '.join(MODES)}")
        self.mode = mode

    def _mode(self) -> str:
        if self.jobs_dir is not None:  # another process may switch the mode through a file
            with contextlib.suppress(OSError):
                mode = (self.jobs_dir / "mode").read_text().strip()
                if mode in MODES:
                    return mode
        return self.mode

    # -- the wire -----------------------------------------------------------------------------

    def status_byte(self, n: int) -> bytes:
        mode = self._mode()
        if mode == "silent":
            return b""
        stopped = mode in ("paper_out", "cover_open", "offline")
        value = 0x12
        if n == 1 and stopped:
            value |= 0x08
        elif n == 2:
            value |= {"cover_open": 0x04, "paper_out": 0x20, "offline": 0x40}.get(mode, 0)
        elif n == 4:
            value |= {"paper_low": 0x0C, "paper_out": 0x6C}.get(mode, 0)
        return bytes([value])

    def receive(self, data: bytes) -> bytes:
        """Process bytes from the host; returns the bytes the printer sends back.

        Raises:
            DropConnection: the connection must be dropped now (the partial job is kept).
        """
        replies = bytearray()
        with self._lock:
            self._buffer += data
            while self._buffer:
                try:
                    token = escpos.next_token(self._buffer)
                except escpos.Incomplete:
                    break
                except escpos.Unknown:
                    token = escpos.Token("unknown", size=1)  # a real printer skips the byte
                chunk = bytes(self._buffer[: token.size])
                del self._buffer[: token.size]
                if token.name == "DLE EOT":
                    replies += self.status_byte(token.args[0])
                    continue
                if token.name == "ESC @" and self._job:
                    self._finish(complete=False)
                self._job += chunk
                if token.name == "GS V":
                    self._finish(complete=True)
                elif self.drop_after is not None and len(self._job) >= self.drop_after:
                    self.drop_after = None
                    self._buffer.clear()
                    self._finish(complete=False)
                    raise DropConnection
        return bytes(replies)

    def disconnected(self) -> None:
        """The host went away: whatever it sent of a job is a job cut short."""
        with self._lock:
            self._buffer.clear()
            if self._job:
                self._finish(complete=False)

    def _finish(self, complete: bool) -> None:
        job = Job(bytes(self._job), complete, printed=self._mode() in ("ok", "paper_low"))
        self._job.clear()
        self.jobs.append(job)
        if self.jobs_dir is not None and complete:
            self._saved += 1
            self._save(job, self._saved)
        self.jobs_changed.notify_all()

    def _save(self, job: Job, number: int) -> None:
        assert self.jobs_dir is not None
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        stem = self.jobs_dir / f"job-{number:04d}"
        stem.with_suffix(".bin").write_bytes(job.data)
        try:
            paper = job.paper()
        except (escpos.Unknown, escpos.Incomplete) as exc:
            stem.with_suffix(".txt").write_text(f"undecodable: {exc}\n")
            return
        stem.with_suffix(".txt").write_text(paper.text() + "\n")
        from drivers.sim.render import render_png  # PIL, qrcode: only once a job is kept

        render_png(paper, stem.with_suffix(".png"), 576 if self.width_mm == 80 else 384)

    def wait_for_jobs(self, count: int, timeout: float) -> bool:
        """Block until at least ``count`` jobs have arrived (for tests and benchmarks)."""
        with self._lock:
            return self.jobs_changed.wait_for(lambda: len(self.jobs) >= count, timeout)

    def complete_jobs(self) -> list[Job]:
        with self._lock:
            return [j for j in self.jobs if j.complete]


class TcpServer:
    """Serves a :class:`SimPrinter` on 127.0.0.1 (port 0 picks a free one)."""

    def __init__(
        self, printer: SimPrinter, host: str = "127.0.0.1", port: int = 0, rate: int = 0
    ) -> None:
        self.printer = printer
        self.rate = rate  # bytes a second it takes in, like a slow line; 0: as fast as sent
        self._sock = socket.create_server((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="sim-printer-tcp", daemon=True)

    @property
    def uri(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    def start(self) -> TcpServer:
        self._thread.start()
        return self

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._sock], [], [], 0.1)
            if ready:
                conn, _ = self._sock.accept()
                threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    def _client(self, conn: socket.socket) -> None:
        with conn:
            while not self._stop.is_set():
                ready, _, _ = select.select([conn], [], [], 0.1)
                if not ready:
                    continue
                try:
                    data = conn.recv(256 if self.rate else 65536)
                except OSError:
                    break
                if not data:
                    break
                if self.rate:
                    time.sleep(len(data) / self.rate)
                try:
                    reply = self.printer.receive(data)
                except DropConnection:
                    conn.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
                    return  # closing with linger 0 sends a reset, like a printer losing power
                if reply:
                    with contextlib.suppress(OSError):
                        conn.sendall(reply)
        self.printer.disconnected()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()


class PtyServer:
    """Serves a :class:`SimPrinter` on a pseudo-terminal, as a serial printer would appear."""

    def __init__(self, printer: SimPrinter) -> None:
        self.printer = printer
        self._master, self._slave = os.openpty()
        import tty  # the pseudo-terminal's only: not for the in-process simulator

        tty.setraw(self._slave)  # bytes pass unchanged: no CR/LF translation, no echo
        self.path = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="sim-printer-pty", daemon=True)

    def uri(self, baudrate: int = 19200) -> str:
        return f"serial://{self.path}?baudrate={baudrate}"

    def start(self) -> PtyServer:
        self._thread.start()
        return self

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(self._master, 65536)
            except OSError:
                continue  # no process has the terminal open
            try:
                reply = self.printer.receive(data)
            except DropConnection:
                continue  # a serial line cannot drop; the bytes are simply lost
            if reply:
                os.write(self._master, reply)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        os.close(self._master)
        os.close(self._slave)
