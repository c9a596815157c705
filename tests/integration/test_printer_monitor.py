"""The idle monitor notices each printer state change and reports it once."""

from __future__ import annotations

import queue

import pytest

from drivers.printer.connect import open_printer
from drivers.printer.monitor import PrinterMonitor
from drivers.printer.status import PrinterState as S
from drivers.sim.printer import SimPrinter, TcpServer

pytestmark = pytest.mark.integration


def test_monitor_reports_each_change_once() -> None:
    sim = SimPrinter()
    server = TcpServer(sim).start()
    changes: queue.Queue[tuple[S, S]] = queue.Queue()
    printer = open_printer(server.uri)
    monitor = PrinterMonitor(
        printer, lambda old, new: changes.put((old, new)), interval=0.05
    ).start()
    try:
        assert changes.get(timeout=5) == (S.UNKNOWN, S.OK)
        for mode, state in [("paper_low", S.PAPER_LOW), ("paper_out", S.PAPER_OUT), ("ok", S.OK)]:
            sim.set_mode(mode)
            assert changes.get(timeout=5)[1] is state  # well within the 5 s the bar asks
        assert changes.empty()  # an unchanged state is not reported again
        server.stop()  # the printer goes away
        assert changes.get(timeout=5) == (S.OK, S.OFFLINE)
    finally:
        monitor.stop()
        printer.close()


def test_a_failing_listener_does_not_stop_monitoring() -> None:
    sim = SimPrinter()
    server = TcpServer(sim).start()
    calls: queue.Queue[S] = queue.Queue()

    def listener(old: S, new: S) -> None:
        calls.put(new)
        raise RuntimeError("listener bug")

    printer = open_printer(server.uri)
    monitor = PrinterMonitor(printer, listener, interval=0.05).start()
    try:
        assert calls.get(timeout=5) is S.OK
        sim.set_mode("cover_open")
        assert calls.get(timeout=5) is S.COVER_OPEN
    finally:
        monitor.stop()
        printer.close()
        server.stop()
