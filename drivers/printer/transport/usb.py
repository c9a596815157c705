"""ESC/POS over USB bulk endpoints, through pyusb (the printer class interface)."""

from __future__ import annotations

from typing import Any

from drivers.printer.transport import TransportError


class UsbTransport:
    def __init__(self, vendor: int, product: int, timeout_ms: int = 5000) -> None:
        self.vendor, self.product, self.timeout_ms = vendor, product, timeout_ms
        self._dev: Any = None
        self._out: Any = None
        self._in: Any = None

    @property
    def name(self) -> str:
        return f"usb://{self.vendor:04x}:{self.product:04x}"

    def open(self) -> None:
        if self._dev is not None:
            return
        import usb.core
        import usb.util

        try:
            dev = usb.core.find(idVendor=self.vendor, idProduct=self.product)
        except usb.core.NoBackendError as exc:
            raise TransportError(f"{self.name}: libusb is not installed") from exc
        if dev is None:
            raise TransportError(f"{self.name}: not connected")
        try:
            if dev.is_kernel_driver_active(0):
                dev.detach_kernel_driver(0)
            dev.set_configuration()
            intf = dev.get_active_configuration()[(0, 0)]
            self._out = usb.util.find_descriptor(
                intf,
                custom_match=lambda e: (
                    usb.util.endpoint_direction(e.bEndpointAddress) == usb.util.ENDPOINT_OUT
                ),
            )
            self._in = usb.util.find_descriptor(
                intf,
                custom_match=lambda e: (
                    usb.util.endpoint_direction(e.bEndpointAddress) == usb.util.ENDPOINT_IN
                ),
            )
        except usb.core.USBError as exc:
            raise TransportError(f"{self.name}: {exc}") from exc
        if self._out is None:
            raise TransportError(f"{self.name}: no output endpoint")
        self._dev = dev

    def write(self, data: bytes) -> None:
        import usb.core

        self.open()
        try:
            self._out.write(data, self.timeout_ms)
        except usb.core.USBError as exc:
            self.close()
            raise TransportError(f"{self.name}: connection lost ({exc})") from exc

    def read(self, size: int, timeout: float) -> bytes:
        import usb.core

        self.open()
        if self._in is None:
            return b""
        try:
            return bytes(self._in.read(size, int(timeout * 1000)))
        except usb.core.USBTimeoutError:
            return b""
        except usb.core.USBError as exc:
            self.close()
            raise TransportError(f"{self.name}: connection lost ({exc})") from exc

    def close(self) -> None:
        if self._dev is not None:
            import usb.util

            usb.util.dispose_resources(self._dev)
            self._dev = self._out = self._in = None
