"""``kiosk printer ...`` and ``kiosk scanner ...``: what a technician needs at the totem."""

from __future__ import annotations

import contextlib
import json
import signal
import threading
from datetime import datetime
from pathlib import Path

import click

from drivers.printer.ticket import (
    Layout,
    TicketContent,
    printable_language,
    render,
    render_test_page,
)
from drivers.scanner import ScanResult
from drivers.scanner.connect import listen, open_scanner
from drivers.scanner.uri import ScannerUriError
from drivers.sim.escpos import decode
from drivers.sim.printer import MODES, PtyServer, SimPrinter, TcpServer
from drivers.sim.render import render_png
from kiosk.cli.context import Context, Fail, emit, handled, host_port, json_option
from kiosk.core import payload as ticket_payload

SAMPLE_DAY = datetime(2026, 11, 23, 10, 15)


@click.group("printer")
def printer_group() -> None:
    """The ticket printer: status, a test page, a preview, the simulator."""


@printer_group.command("status")
@json_option
@click.pass_obj
@handled
def printer_status(obj: Context, as_json: bool) -> None:
    """Ask the printer for its state now (DLE EOT): ok, paper_low, paper_out, cover_open,
    offline or unknown (connected but not answering).

    \b
    Example:
      kiosk printer status --json
      {"state": "paper_low", "uri": "tcp://192.168.1.50:9100"}
    """
    printer = obj.printer()
    if printer is None:
        emit({"state": "unknown", "uri": "none://"}, as_json, "none:// (no printer configured)")
        return
    state = printer.status()
    obj.totem().record_printer_state(state.value)
    emit({"state": state.value, "uri": printer.uri}, as_json, f"{state.value}  {printer.uri}")
    if state.value not in ("ok", "paper_low"):
        raise click.exceptions.Exit(1)


@printer_group.command("test")
@json_option
@click.pass_obj
@handled
def printer_test(obj: Context, as_json: bool) -> None:
    """Print a test page: accents of the code page, a QR code and a CODE128.

    \b
    Example:
      kiosk printer test
    """
    printer = obj.printer()
    if printer is None:
        raise Fail("printer.uri is none://: there is no printer to test", 2)
    layout = Layout.build(obj.config.paper_width)
    sample = ticket_payload.sign(b"test", obj.config.branch, SAMPLE_DAY.date(), "A001")
    result = printer.print_job(render_test_page(obj.config.branch_name, layout, sample))
    if not result.printed:
        raise Fail(f"not printed: printer is {result.state.value} ({printer.uri})", 1)
    click.echo(f"test page printed on {printer.uri}")


@printer_group.command("preview")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", default=None, help="Language of the ticket (default: the branch's).")
@click.option("--width", type=click.Choice(["58", "80"]), default=None, help="Paper width in mm.")
@json_option
@click.pass_obj
@handled
def printer_preview(
    obj: Context, out: Path, lang: str | None, width: str | None, as_json: bool
) -> None:
    """Render the ticket layout as a PNG, without any printer.

    \b
    Example:
      kiosk printer preview /tmp/ticket.png --lang fr --width 58
    """
    config = obj.config
    language = lang or config.languages[0]
    if language not in config.languages:
        raise Fail(
            f'--lang: "{language}" is not in kiosk.languages ({", ".join(config.languages)})', 2
        )
    service = config.services[0]
    printed_in = printable_language(language, dict(service.name), config.languages[0])
    from kiosk.totem import paper_layout
    from kiosk.ui.screens import svg_png  # the crest drawn as the totem's UI draws it

    layout = paper_layout(config, svg_png, int(width) if width else None)
    payload = ticket_payload.sign(
        b"preview", config.branch, SAMPLE_DAY.date(), f"{service.code}042"
    )
    content = TicketContent(
        branch_name=config.branch_name,
        code=f"{service.code}042",
        service_name=service.name[printed_in],
        lang=printed_in,
        issued_at=SAMPLE_DAY,
        ahead=3,
        wait_min=12,
        qr=ticket_payload.with_status_url(config.status_url, payload, b"preview"),
        payload=payload,
    )
    job = render(content, layout)
    render_png(decode(job), out, layout.dots)
    click.echo(
        f"{out}: {len(job)} bytes on the wire, {layout.width_mm} mm, printed in {printed_in}"
    )


@printer_group.command("simulate")
@click.option("--listen", default="127.0.0.1:9100", show_default=True, help="TCP address.")
@click.option("--pty", "with_pty", is_flag=True, help="Also serve on a pseudo-terminal.")
@click.option(
    "--jobs",
    "jobs_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for received jobs (.bin, .txt, .png). Default: <data_dir>/printer-sim.",
)
@click.option(
    "--set",
    "set_mode",
    type=click.Choice(MODES),
    default=None,
    help="Switch a running simulator (same --jobs folder) to this mode and exit.",
)
@click.option("--width", type=click.Choice(["58", "80"]), default="80", show_default=True,
              help="Paper width in mm of the simulated printer.")  # fmt: skip
@json_option
@click.pass_obj
@handled
def printer_simulate(
    obj: Context,
    listen: str,
    with_pty: bool,
    jobs_dir: Path | None,
    set_mode: str | None,
    width: str,
    as_json: bool,
) -> None:
    """Run the printer simulator: ESC/POS on TCP (and a pseudo-terminal) until stopped.

    Modes: ok, paper_low, paper_out, cover_open, offline, silent.

    \b
    Examples:
      kiosk printer simulate --listen 127.0.0.1:9100 --pty
      kiosk printer simulate --set paper_out
    """
    folder = jobs_dir or obj.config.data_dir / "printer-sim"
    if set_mode:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "mode").write_text(set_mode + "\n")
        click.echo(f"printer simulator in {folder}: {set_mode}")
        return
    host, port = host_port("--listen", listen)
    (folder / "mode").unlink(missing_ok=True)
    sim = SimPrinter(int(width), folder)
    try:
        tcp = TcpServer(sim, host, port).start()
    except OSError as exc:
        raise Fail(f"--listen {listen}: {exc.strerror}", 1) from None
    click.echo(f"printer simulator on {tcp.uri}; jobs in {folder}")
    pty = PtyServer(sim).start() if with_pty else None
    if pty:
        click.echo(f"printer simulator on {pty.uri()}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    tcp.stop()
    if pty:
        pty.stop()


@click.group("scanner")
def scanner_group() -> None:
    """The barcode scanner: find it, and see what it reads."""


@scanner_group.command("list")
@json_option
def scanner_list(as_json: bool) -> None:
    """List input devices and serial ports a scanner could be, with their URIs.

    \b
    Example:
      kiosk scanner list
    """
    found = []
    for path in (
        sorted(Path("/dev/input/by-id").glob("*-event-kbd"))
        if Path("/dev/input/by-id").exists()
        else []
    ):
        found.append({"kind": "evdev", "uri": f"evdev://{path}?layout=us", "name": path.name})
    try:
        import evdev

        for dev_path in evdev.list_devices():
            try:
                dev = evdev.InputDevice(dev_path)
            except OSError:
                continue
            if evdev.ecodes.EV_KEY in dev.capabilities():
                found.append(
                    {
                        "kind": "evdev",
                        "uri": f"evdev://{dev.info.vendor:04x}:{dev.info.product:04x}?layout=us",
                        "name": f"{dev.name} ({dev_path})",
                    }
                )
            dev.close()
    except OSError:
        pass
    from serial.tools import list_ports

    for port in list_ports.comports():
        found.append(
            {
                "kind": "serial",
                "uri": f"serial://{port.device}?baudrate=9600",
                "name": port.description,
            }
        )
    if as_json:
        click.echo(json.dumps(found))
        return
    if not found:
        click.echo("no input devices or serial ports found (is the scanner plugged in? see dmesg)")
    for item in found:
        click.echo(f"{item['uri']:<70} {item['name']}")


@scanner_group.command("listen")
@click.option("--count", type=int, default=0, help="Stop after this many reads (0: until Ctrl-C).")
@json_option
@click.pass_obj
@handled
def scanner_listen(obj: Context, count: int, as_json: bool) -> None:
    """Show what the configured scanner reads: the kind of code and its length, never its
    content (a booking code is personal enough to stay off the screen and the logs).

    \b
    Example:
      kiosk scanner listen
      scanner connected (evdev:///dev/input/by-id/usb-Scanner-event-kbd?layout=it)
      totem ticket (26 digits), 26 characters
    """
    uri = obj.config.scanner_uri
    try:
        scanner = open_scanner(uri)
    except ScannerUriError as exc:
        raise Fail(f"scanner.uri: {exc}", 2) from None
    if scanner is None:
        raise Fail("scanner.uri is none://: there is no scanner to listen to", 2)
    seen = 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def report(result: ScanResult) -> None:
        nonlocal seen
        seen += 1
        click.echo(result.describe())
        if count and seen >= count:
            stop.set()

    def connection(connected: bool) -> None:
        click.echo(
            f"scanner {'connected' if connected else 'disconnected, waiting for it'} ({uri})"
        )

    click.echo(f"listening to {uri}; scan a code (Ctrl-C to stop)")
    with contextlib.suppress(KeyboardInterrupt):
        listen(scanner, report, should_stop=stop.is_set, on_connection=connection)
