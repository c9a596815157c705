"""The USB transport with pyusb's device mocked: the one edge that cannot run here."""

from __future__ import annotations

from unittest import mock

import pytest
import usb.core
import usb.util

from drivers.printer.device import Printer
from drivers.printer.status import PrinterState
from drivers.printer.transport import TransportError
from drivers.printer.transport.usb import UsbTransport


class Endpoint:
    def __init__(self, address: int, answers: Endpoint | None = None) -> None:
        self.bEndpointAddress = address
        self.written = bytearray()
        self.replies = bytearray()
        self.answers = answers  # the IN endpoint the printer answers on

    def write(self, data: bytes, timeout: int) -> int:
        self.written += data
        if data.startswith(b"\x10\x04") and self.answers is not None:
            self.answers.replies += b"\x12"  # a healthy printer answers every DLE EOT
        return len(data)

    def read(self, size: int, timeout: int) -> bytes:
        if not self.replies:
            raise usb.core.USBTimeoutError("timeout")
        out = bytes(self.replies[:size])
        del self.replies[:size]
        return out


class Device:
    def __init__(self) -> None:
        self.inp = Endpoint(0x82)
        self.out = Endpoint(0x01, answers=self.inp)
        self.detached = False

    def is_kernel_driver_active(self, interface: int) -> bool:
        return True

    def detach_kernel_driver(self, interface: int) -> None:
        self.detached = True

    def set_configuration(self) -> None: ...

    def get_active_configuration(self):
        return {(0, 0): [self.out, self.inp]}


def find_descriptor(intf, custom_match):
    return next((e for e in intf if custom_match(e)), None)


@pytest.fixture
def device(monkeypatch):
    dev = Device()
    monkeypatch.setattr(
        usb.core,
        "find",
        lambda idVendor, idProduct: dev if (idVendor, idProduct) == (0x04B8, 0x0E28) else None,
    )
    monkeypatch.setattr(usb.util, "find_descriptor", find_descriptor)
    monkeypatch.setattr(usb.util, "dispose_resources", lambda d: None)
    return dev


def test_usb_status_and_job(device: Device) -> None:
    printer = Printer(UsbTransport(0x04B8, 0x0E28), "usb://04b8:0e28", status_timeout=0.05)
    assert printer.status() is PrinterState.OK
    result = printer.print_job(b"\x1b@hello\n\x1dV\x00")
    assert result.printed
    assert b"\x1b@hello\n\x1dV\x00" in device.out.written
    assert device.detached  # the kernel's usblp driver let go of the interface


def test_usb_unplugged_is_offline(device: Device) -> None:
    transport = UsbTransport(0x1234, 0x5678)
    with pytest.raises(TransportError, match="not connected"):
        transport.open()
    assert Printer(transport, "usb://1234:5678").status() is PrinterState.OFFLINE


def test_usb_error_mid_job_is_retried(device: Device) -> None:
    failures = mock.Mock(side_effect=[usb.core.USBError("pipe error"), None])
    original = device.out.write

    def flaky(data: bytes, timeout: int) -> int:
        if len(data) > 3 and failures():
            raise usb.core.USBError("pipe error")
        return original(data, timeout)

    device.out.write = flaky
    result = Printer(
        UsbTransport(0x04B8, 0x0E28), "usb://04b8:0e28", status_timeout=0.05
    ).print_job(b"\x1b@job\n\x1dV\x00")
    assert result.printed and result.retried
