"""Bytes per ticket with and without a logo, their time on a serial wire, and the time from
"issue" to the last byte acknowledged by the simulator over TCP."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from PIL import Image, ImageDraw

from drivers.printer.connect import open_printer
from drivers.printer.ticket import Layout, TicketContent, render
from drivers.sim.printer import SimPrinter, TcpServer
from kiosk.core import payload
from tests.bench.report import machine, percentile, write_section


def ticket(code: str = "A042") -> TicketContent:
    pay = payload.sign(b"k" * 32, "roma-m1", date(2026, 11, 23), code)
    return TicketContent(
        "Municipio I - Anagrafe", code, "Carta d'identità elettronica", "it",
        datetime(2026, 11, 23, 10, 15), 12, 48, pay, pay,
    )  # fmt: skip


def logo_layout(folder: Path) -> Layout:
    img = Image.new("L", (400, 200), 255)
    draw = ImageDraw.Draw(img)
    draw.ellipse((20, 20, 180, 180), fill=0)
    draw.rectangle((200, 60, 380, 140), fill=0)
    img.save(folder / "logo.png")
    return Layout.build(80, folder / "logo.png")


def wire_ms(size: int, baud: int) -> float:
    return size * 10 / baud * 1000  # 8N1: ten bits per byte


def issue_to_ack(count: int = 300) -> list[float]:
    sim = SimPrinter()
    server = TcpServer(sim).start()
    printer = open_printer(server.uri)
    assert printer is not None
    layout = Layout(80)
    durations = []
    try:
        for i in range(count):
            start = time.perf_counter()
            job = render(ticket(f"A{i % 999 + 1:03d}"), layout)
            result = printer.print_job(job)  # status, job, status: the answer follows the last byte
            durations.append(time.perf_counter() - start)
            assert result.printed
    finally:
        printer.close()
        server.stop()
    return durations


def run() -> None:
    plain = len(render(ticket(), Layout(80)))
    with tempfile.TemporaryDirectory() as folder:
        layout = logo_layout(Path(folder))
        start = time.perf_counter()
        for _ in range(100):
            render(ticket(), layout)
        per_ticket_ms = (time.perf_counter() - start) * 10
        with_logo = len(render(ticket(), layout))
    acks = [d * 1000 for d in issue_to_ack()]
    rows = "\n".join(
        f"| {name} | {size} B | {wire_ms(size, 9600):.0f} ms | {wire_ms(size, 19200):.0f} ms"
        f" | {wire_ms(size, 115200):.0f} ms |"
        for name, size in (("ticket without logo", plain), ("ticket with a 192x96 logo", with_logo))
    )
    body = f"""## Printer: bytes per ticket and time on the wire

Machine: {machine()}.

| ticket (80 mm) | bytes | 9600 baud | 19200 baud | 115200 baud |
|---|---|---|---|---|
{rows}

The logo is rasterised once when the layout is built; rendering a ticket with it then takes
{per_ticket_ms:.2f} ms. Goal: a ticket without logo at most 1 KB.

Issue to last byte acknowledged by the simulator over TCP (status query, job, status query
answered after the job's last byte), n = {len(acks)}: median {statistics.median(acks):.2f} ms,
p99 {percentile(acks, 99):.2f} ms.
"""
    write_section("printer", body)
    print(body)
