"""The printer against the simulator over real TCP and a real pseudo-terminal."""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from pathlib import Path

import pytest
import zxingcpp
from escpos.printer import Network, Serial
from PIL import Image

from drivers.printer.connect import open_printer
from drivers.printer.status import PrinterState
from drivers.printer.texts import PRINTABLE, ticket_texts
from drivers.printer.ticket import Layout, TicketContent, Unprintable, encode, render
from drivers.sim.escpos import Barcode, Line, QrCode, decode
from drivers.sim.printer import PtyServer, SimPrinter, TcpServer
from drivers.sim.render import render_png
from kiosk.core import payload
from tests.helpers import printed_code, run_kiosk

pytestmark = pytest.mark.integration

KEY = b"k" * 32
NAMES = {
    "it": "Carta d'identità elettronica",
    "en": "Electronic identity card",
    "fr": "Carte d'identité, état civil",
    "de": "Personalausweis, Führerschein",
    "es": "Documento de identidad, señal",
}


@pytest.fixture
def sim() -> SimPrinter:
    return SimPrinter()


@pytest.fixture
def tcp(sim: SimPrinter):
    server = TcpServer(sim).start()
    yield server
    server.stop()


@pytest.fixture
def pty(sim: SimPrinter):
    server = PtyServer(sim).start()
    yield server
    server.stop()


def read_codes(png: Path) -> dict[str, str]:
    """What a standard barcode reader (zxing-cpp) finds on the printed ticket."""
    with Image.open(png) as img:
        return {r.format.name: r.text for r in zxingcpp.read_barcodes(img)}


def content(lang: str, code: str = "A042", qr: str | None = None) -> TicketContent:
    pay = payload.sign(KEY, "roma-m1", date(2026, 11, 23), code)
    return TicketContent(
        branch_name="Municipio I - Anagrafe",
        code=code,
        service_name=NAMES[lang],
        lang=lang,
        issued_at=datetime(2026, 11, 23, 10, 15),
        ahead=3,
        wait_min=12,
        qr=qr or pay,
        payload=pay,
    )


@pytest.mark.parametrize("width", [58, 80])
@pytest.mark.parametrize("lang", PRINTABLE)
def test_ticket_decodes_back_to_text_in_every_language(
    lang: str, width: int, tmp_path: Path
) -> None:
    ticket = content(lang)
    job = render(ticket, Layout(width, raster=False))  # the printer's own font: a slow line
    assert len(job) <= 1024, "a ticket without logo in the printer's font is at most 1 KB"
    paper = decode(job)
    lines = [i.text for i in paper.items if isinstance(i, Line)]
    text = " ".join(lines)
    assert "A042" in lines
    assert NAMES[lang] in text.replace("\n", " ") or all(w in text for w in NAMES[lang].split())
    assert ticket_texts(lang)["scan_back"].replace(" ", "") in text.replace(" ", "")  # the QR's
    assert "?" not in text  # no silent replacement of an accent
    assert "23/11/2026 10:15" in lines
    assert ticket_texts(lang)["ahead"].format(n=3) in lines
    columns = (576 if width == 80 else 384) // 12
    for item in paper.items:
        if isinstance(item, Line) and not item.style.font_b:
            assert len(item.text) * item.style.width <= columns, (
                f"{item.text!r} overflows {width} mm"
            )
    [qr] = [i for i in paper.items if isinstance(i, QrCode)]
    [bar] = [i for i in paper.items if isinstance(i, Barcode)]
    assert qr.data == bar.data == ticket.payload
    assert paper.cut and paper.code_page == "cp858"
    png = render_png(paper, tmp_path / "t.png", 576 if width == 80 else 384)
    found = set(read_codes(png).items())
    assert found == {("QRCode", ticket.payload), ("Code128", ticket.payload)}


@pytest.mark.parametrize("width", [58, 80])
def test_the_number_and_service_are_drawn_in_the_bold_type(width: int, tmp_path: Path) -> None:
    """The number and the service's name are pictures of Noto Sans Bold: the same pictures the
    font gives for those words, centred on the paper, the number about 19 mm high on 80 mm
    paper; the rest is text; a dozen KB on the wire; the codes still scan."""
    from drivers.printer.raster import words_raster
    from drivers.sim.escpos import Raster

    ticket = content("it", code="B107")
    job = render(ticket, Layout(width))
    assert len(job) <= 20 * 1024
    paper = decode(job)
    rasters = [i for i in paper.items if isinstance(i, Raster)]
    dots = 576 if width == 80 else 384
    service = words_raster(NAMES["it"], {80: 40, 58: 32}[width], dots, lines=2)
    number = words_raster("B107", {80: 150, 58: 110}[width], dots)
    assert [(r.width, r.height) for r in rasters] == [service.size, number.size]

    def ink(image) -> bytes:  # PIL's 1 is white paper, the printer's 1 is a black dot
        return bytes(b ^ 0xFF for b in image.tobytes())

    assert rasters[1].bits == ink(number)  # "B107", not another number
    assert rasters[0].bits == ink(service)
    assert number.height >= (150 if width == 80 else 110)  # 8 dots a millimetre
    lines = " ".join(i.text for i in paper.items if isinstance(i, Line))
    assert "B107" not in lines and "23/11/2026 10:15" in lines
    assert printed_code(paper) == "B107"  # what the machine tests read back
    png = render_png(paper, tmp_path / "t.png", dots)
    assert set(read_codes(png).items()) == {("QRCode", ticket.payload), ("Code128", ticket.payload)}


def test_a_slow_serial_line_gets_the_printer_s_own_font() -> None:
    from drivers.printer.ticket import raster_suits

    assert raster_suits("usb://04b8:0e28") and raster_suits("tcp://10.0.0.9:9100")
    assert raster_suits("serial:///dev/ttyUSB0?baudrate=115200")
    assert not raster_suits("serial:///dev/ttyUSB0?baudrate=57600")
    assert not raster_suits("serial:///dev/ttyUSB0")  # 19200 by default


def test_without_the_font_the_number_is_printed_as_text(monkeypatch) -> None:
    import drivers.printer.raster as raster

    monkeypatch.setattr(raster, "BOLD", Path("/nonexistent/NotoSans-Bold.ttf"))
    monkeypatch.setattr(raster.words_raster, "__defaults__", (1, raster.BOLD))  # lines, font
    lines = [i.text for i in decode(render(content("it"), Layout(80))).items if isinstance(i, Line)]
    assert "A042" in lines and NAMES["it"] in lines


@pytest.mark.parametrize("lang", PRINTABLE)
def test_a_qr_that_opens_the_status_page_says_so(lang: str, tmp_path: Path) -> None:
    plain = content(lang)
    with_url = content(lang, qr=f"https://coda.example.org/t/{plain.payload}")

    def words(ticket: TicketContent) -> str:
        paper = decode(render(ticket, Layout(58)))
        return " ".join(i.text for i in paper.items if isinstance(i, Line))

    phone = ticket_texts(lang)["phone"].replace(" ", "")  # wrapped over lines on 58 mm
    assert phone in words(with_url).replace(" ", "")
    assert phone not in words(plain).replace(" ", "")
    paper = decode(render(with_url, Layout(58)))
    png = render_png(paper, tmp_path / "t.png", 384)
    assert read_codes(png)["QRCode"] == with_url.qr  # a phone's camera opens the page


def test_unprintable_text_is_refused_not_replaced() -> None:
    assert encode("Carta d’identità — è") == "Carta d'identità - è".encode("cp858")
    with pytest.raises(Unprintable):
        encode("السجل المدني")


def test_logo_is_rasterised_once_and_kept_small(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("L", (600, 300), 0).save(logo)
    layout = Layout.build(80, logo)
    with_logo = render(content("it"), layout)
    assert layout.logo and with_logo.startswith(b"\x1b@\x1bt\x13" + layout.logo)
    raster = next(i for i in decode(with_logo).items if not isinstance(i, (Line, QrCode, Barcode)))
    assert raster.width <= 576 // 3 + 8 and raster.height <= 96


@pytest.mark.parametrize("transport", ["tcp", "pty"])
def test_printing_a_ticket(request, sim: SimPrinter, transport: str) -> None:
    server = request.getfixturevalue(transport)
    printer = open_printer(server.uri if transport == "tcp" else server.uri(19200))
    job = render(content("it"), Layout(80))
    result = printer.print_job(job)
    printer.close()
    assert result.printed and result.state is PrinterState.OK and not result.retried
    [received] = sim.complete_jobs()
    assert received.data == job


def test_a_ticket_still_on_its_way_is_printed_not_unknown(sim: SimPrinter) -> None:
    """A printer that takes the ticket's 16 KB in slowly (a line at 115,200 baud: 1.4 s) answers
    the question after the job only once it has it all: the answer is waited for that long, and
    the ticket is printed, not "unknown" (which puts the totem's screen out of order)."""
    server = TcpServer(sim, rate=11_520).start()
    try:
        printer = open_printer(server.uri)
        job = render(content("it"), Layout(80))
        assert len(job) > 8_000  # a picture ticket: more than the half second allows
        result = printer.print_job(job)
        printer.close()
    finally:
        server.stop()
    assert result.printed and result.state is PrinterState.OK and not result.retried
    assert [j.data for j in sim.complete_jobs()] == [job]


@pytest.mark.parametrize("transport", ["tcp", "pty"])
@pytest.mark.parametrize(
    "mode", ["ok", "paper_low", "paper_out", "cover_open", "offline", "silent"]
)
def test_each_fault_reaches_its_state(request, sim: SimPrinter, transport: str, mode: str) -> None:
    server = request.getfixturevalue(transport)
    printer = open_printer(server.uri if transport == "tcp" else server.uri())
    sim.set_mode(mode)
    expected = PrinterState.UNKNOWN if mode == "silent" else PrinterState(mode)
    assert printer.status() is expected
    result = printer.print_job(render(content("en"), Layout(80)))
    assert result.printed is expected.can_print
    assert len(sim.complete_jobs()) == (1 if expected.can_print else 0)
    printer.close()


def test_dropped_connection_mid_job_is_retried_once(sim: SimPrinter, tcp: TcpServer) -> None:
    printer = open_printer(tcp.uri)
    job = render(content("de"), Layout(80))
    sim.drop_after = len(job) // 2
    result = printer.print_job(job)
    assert result.printed and result.retried
    assert [j.complete for j in sim.jobs] == [False, True]
    assert sim.jobs[1].data == job
    printer.close()


def test_printer_not_there_is_offline_and_not_printed() -> None:
    printer = open_printer("tcp://127.0.0.1:9")  # discard port: nothing listens
    assert printer.status() is PrinterState.OFFLINE
    result = printer.print_job(b"\x1b@x\n\x1dV\x00")
    assert not result.printed and result.state is PrinterState.OFFLINE


def test_paper_out_is_noticed_within_five_seconds(sim: SimPrinter, tcp: TcpServer) -> None:
    printer = open_printer(tcp.uri)
    assert printer.status() is PrinterState.OK
    sim.set_mode("paper_out")
    start = time.monotonic()
    state = printer.status()  # the idle poll runs every few seconds; one poll suffices
    assert state is PrinterState.PAPER_OUT and time.monotonic() - start < 5
    printer.close()


def test_python_escpos_talks_to_the_simulator_over_tcp(sim: SimPrinter, tcp: TcpServer) -> None:
    client = Network(tcp.host, tcp.port, timeout=2)
    client.set(align="center")
    client.text("città\n")
    client.cut()
    assert client.is_online() is True
    sim.set_mode("paper_out")
    assert client.paper_status() == 0  # python-escpos: 0 = no paper
    client.close()
    assert "citt" in decode(sim.complete_jobs()[0].data).text()


def test_python_escpos_talks_to_the_simulator_over_a_pty(sim: SimPrinter, pty: PtyServer) -> None:
    client = Serial(devfile=pty.path, baudrate=19200, timeout=1)
    client.text("seriale\n")
    client.cut()
    assert client.is_online() is True
    sim.set_mode("paper_low")
    assert client.paper_status() == 1  # python-escpos: 1 = near end
    client.close()
    assert decode(sim.complete_jobs()[0].data).text().startswith("seriale")


def test_issue_prints_a_ticket_that_scans_back(
    write_config, tmp_path: Path, capsys, sim: SimPrinter, tcp: TcpServer
) -> None:
    text = write_config().read_text().replace('uri = "none://"', f'uri = "{tcp.uri}"', 1)
    path = write_config(text)
    code, out, err = run_kiosk(capsys, "--config", str(path), "issue", "A", "--json")
    assert code == 0, err
    issued = json.loads(out)
    assert issued["printed"] is True
    [job] = sim.complete_jobs()
    png = render_png(job.paper(), tmp_path / "ticket.png")
    decoded = read_codes(png)
    assert decoded == {"QRCode": issued["payload"], "Code128": issued["payload"]}
    assert "[image 576x" in job.paper().text()  # the service and number in the bold type
    # the citizen is served, then comes back and scans the printed ticket
    from kiosk.store import Store

    with Store(tmp_path / "data" / "kiosk.sqlite3") as store, store.write() as conn:
        conn.execute(
            "UPDATE tickets SET status = 'done', called_at = issued_at, done_at = issued_at"
        )
    code, out, err = run_kiosk(capsys, "--config", str(path), "scan", decoded["Code128"], "--json")
    assert code == 0, err
    assert json.loads(out)["result"] == "reentry"
    assert len(sim.complete_jobs()) == 2  # the re-entry ticket was printed too


def test_printer_commands(
    write_config, tmp_path: Path, capsys, sim: SimPrinter, tcp: TcpServer
) -> None:
    text = write_config().read_text().replace('uri = "none://"', f'uri = "{tcp.uri}"', 1)
    path = write_config(text)
    code, out, _ = run_kiosk(capsys, "--config", str(path), "printer", "status", "--json")
    assert (code, json.loads(out)) == (0, {"state": "ok", "uri": tcp.uri})
    sim.set_mode("cover_open")
    code, out, _ = run_kiosk(capsys, "--config", str(path), "printer", "status")
    assert code == 1 and out.startswith("cover_open")
    code, _, err = run_kiosk(capsys, "--config", str(path), "printer", "test")
    assert code == 1 and err.strip() == f"not printed: printer is cover_open ({tcp.uri})"
    sim.set_mode("ok")
    code, out, _ = run_kiosk(capsys, "--config", str(path), "printer", "test")
    assert code == 0
    assert "àèéìòù" in decode(sim.complete_jobs()[-1].data).text()
    out_png = tmp_path / "preview.png"
    code, out, _ = run_kiosk(
        capsys, "--config", str(path), "printer", "preview", str(out_png), "--width", "58"
    )
    with Image.open(out_png) as img:
        assert code == 0 and img.width == 384 + 32
    code, _, err = run_kiosk(
        capsys, "--config", str(path), "printer", "preview", str(out_png), "--lang", "ar"
    )
    assert code == 2 and "--lang" in err


def test_printer_profiles_are_parsed_once_and_nothing_is_left_in_tmp(
    write_config, tmp_path
) -> None:
    """python-escpos would parse its profiles at every start and leave a directory in /tmp each
    time; the totem keeps them in <data_dir>/cache."""
    import os
    import subprocess
    import sys

    path = write_config(
        write_config()
        .read_text()
        .replace('[printer]\nuri = "none://"', '[printer]\nuri = "sim://"')
    )
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env["TMPDIR"] = str(scratch)
    kiosk = Path(sys.executable).with_name("kiosk")
    stamps = []
    for _ in range(2):
        result = subprocess.run([kiosk, "--config", str(path), "issue", "A"], env=env,
                                capture_output=True, text=True, timeout=60)  # fmt: skip
        assert result.returncode == 0, result.stderr
        (cache,) = (tmp_path / "data" / "cache").glob("*.capabilities.pickle")
        stamps.append(cache.stat().st_mtime_ns)
    assert list(scratch.iterdir()) == []
    assert stamps[0] == stamps[1]  # the second start read it, did not parse again
    assert len(list((tmp_path / "data" / "printer-sim").glob("*.bin"))) == 2


def test_a_missing_printer_is_said_once_not_at_every_poll(caplog) -> None:
    """A totem left a day without its printer polls it every few seconds: the journal gets
    one line when it goes, not thousands."""
    import logging
    import socket

    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    printer = open_printer(f"tcp://127.0.0.1:{port}")
    with caplog.at_level(logging.INFO, logger="drivers.printer.device"):
        states = [printer.status() for _ in range(5)]
    printer.close()
    assert states == [PrinterState.OFFLINE] * 5
    said = [r for r in caplog.records if r.name == "drivers.printer.device"]
    assert len(said) == 1, [r.getMessage() for r in said]
