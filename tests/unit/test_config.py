"""Configuration: the examples are valid, and every malformed case names its key, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load
from tests.conftest import ALL_WEEK, CONFIG_TEMPLATE
from tests.helpers import run_kiosk

ROOT = Path(__file__).resolve().parents[2]
GOOD = CONFIG_TEMPLATE.format(hours_a=ALL_WEEK, cap_a=120)


@pytest.mark.parametrize("name", ["kiosk.example.toml", "demo.toml"])
def test_shipped_configurations_are_valid(name: str, capsys) -> None:
    code, out, _ = run_kiosk(capsys, "config", "check", str(ROOT / "config" / name))
    assert code == 0, out
    assert out.strip().endswith(": ok")


def test_good_config_loads_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "k.toml"
    path.write_text(GOOD)
    cfg = load(path)
    assert cfg.data_dir == tmp_path / "data"  # relative to the file's folder
    assert cfg.ticket_key_file == tmp_path / "data" / "secrets" / "ticket-key"
    assert (cfg.on_fault, cfg.paper_width, cfg.server_listen) == ("screen", 80, "0.0.0.0:8080")
    assert [s.code for s in cfg.services] == ["A", "B"]
    assert cfg.service("B").hours.days["mon"][1].start.hour == 14


def edit(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


CASES = [
    # (file text, exact line expected among the problems)
    (
        edit('tue = ["08:30-12:30"]', 'tue = ["08:30-25:00"]'),
        'services[1].hours.tue: "25:00" is not a time',
    ),
    (
        edit('mon = ["08:30-12:30", "14:30-16:30"]', 'mon = ["08:30-12:30", "12:00-16:30"]'),
        'services[1].hours.mon: "08:30-12:30" and "12:00-16:30" overlap',
    ),
    (
        edit('tue = ["08:30-12:30"]', 'tue = ["12:30-08:30"]'),
        'services[1].hours.tue: "12:30-08:30" ends before it starts',
    ),
    (
        edit('tue = ["08:30-12:30"]', 'tuesday = ["08:30-12:30"]'),
        "services[1].hours.tuesday: unknown day (use mon, tue, wed, thu, fri, sat, sun)",
    ),
    (
        edit('tue = ["08:30-12:30"]', 'tue = "08:30-12:30"'),
        'services[1].hours.tue: "08:30-12:30" is not a list of "HH:MM-HH:MM" intervals',
    ),
    (edit('code = "B"', 'code = "A"'), 'services[1].code: "A" is already used by services[0]'),
    (edit('code = "B"', 'code = "b1"'), 'services[1].code: "b1" is not one or two capital letters'),
    (
        edit('languages = ["it", "en"]', 'languages = ["it", "xx"]'),
        'kiosk.languages[1]: "xx" is not a supported language (it, en, fr, de, es, ar)',
    ),
    (
        edit('languages = ["it", "en"]', 'languages = ["it", "en", "fr"]'),
        'services[0].name: has no "fr" text, and kiosk.languages lists "fr"',
    ),
    (
        edit('en = "Registry office"', 'en = "Registry office", xx = "?"'),
        "services[0].name.xx: unknown language (supported: it, en, fr, de, es, ar)",
    ),
    (
        edit('en = "Registry office"', 'en = ""'),
        'services[0].name.en: "" is not a non-empty string',
    ),
    (
        edit('languages = ["it", "en"]', "languages = []"),
        "kiosk.languages: is empty; the first language is the branch default",
    ),
    (
        edit("[printer]", "colour = 1\n[printer]"),
        "kiosk.colour: unknown key (allowed: id, branch, branch_name, timezone, languages, data_dir, witness_dir, role)",
    ),
    (
        edit('uri = "none://"', 'uri = "none://"\ncolour = "red"'),
        "printer.colour: unknown key (allowed: uri, on_fault, width)",
    ),
    (
        edit("desks = 2", "desks = 2\ncolour = 1"),
        "services[0].colour: unknown key (allowed: code, name, hours, minutes, desks, daily_cap, icon, description)",
    ),
    (
        GOOD + "\n[extra]\nx = 1\n",
        "extra: unknown key (allowed: kiosk, printer, scanner, central, server, branch, ticket, queue, privacy, speech, keypad, ui, display, branding, services)",
    ),
    (edit('id = "test-totem"', "id = 5"), "kiosk.id: 5 is not a string"),
    (
        edit('id = "test-totem"', 'id = "Test Totem"'),
        'kiosk.id: "Test Totem" is not lowercase letters, digits and dashes (1-63 characters)',
    ),
    (edit('branch = "test-branch"\n', ""), "kiosk.branch: missing"),
    (edit("desks = 2", 'desks = "two"'), 'services[0].desks: "two" is not an integer'),
    (edit("desks = 2", "desks = 0"), "services[0].desks: 0 is outside 1..99"),
    (
        edit("minutes = 8", "minutes = true"),
        "services[0].minutes: true is not an integer or a number",
    ),
    (edit("daily_cap = 120", "daily_cap = 0"), "services[0].daily_cap: 0 is outside 1..999"),
    (
        edit('timezone = "Europe/Rome"', 'timezone = "Europe/Atlantis"'),
        'kiosk.timezone: "Europe/Atlantis" is not a known timezone (like "Europe/Rome")',
    ),
    (
        edit('[printer]\nuri = "none://"', '[printer]\nuri = "lpt://1"'),
        'printer.uri: "lpt://1": unknown scheme (usb, serial, tcp, file, sim, none)',
    ),
    (
        edit("[printer]", '[printer]\non_fault = "ignore"'),
        'printer.on_fault: "ignore" is not one of screen, block',
    ),
    (edit("[printer]", "[printer]\nwidth = 70"), "printer.width: 70 is not 58 or 80 (mm)"),
    (
        edit('url = "http://127.0.0.1:9"', 'url = "ftp://x"'),
        'central.url: "ftp://x" is not an http:// or https:// URL',
    ),
    (
        edit('url = "http://127.0.0.1:9"', 'url = "http://central.example.org/api"'),
        'central.url: "http://central.example.org/api": plain http is allowed only to a loopback'
        " address; use https://",
    ),
    (
        edit('url = "http://127.0.0.1:9"', 'url = "http://192.168.1.10:8765"'),
        'central.url: "http://192.168.1.10:8765": plain http is allowed only to a loopback'
        " address; use https://",
    ),
    (
        GOOD + '\n[server]\nlisten = "8080"\n',
        'server.listen: "8080" is not HOST:PORT (port 1..65535)',
    ),
    (
        GOOD + f'\n[ticket]\nstatus_url = "https://a-very-long-host.example.org/{"q" * 50}/"\n',
        "ticket.status_url: is 88 characters; at most 85 fit in a scannable code with the payload",
    ),
    (
        GOOD + '\n[ticket]\nstatus_url = "https://c.example.org/#/t/roma/"\n',
        'ticket.status_url: "https://c.example.org/#/t/roma/": a "#" may only end the URL'
        " (the central's page: .../t/BRANCH/#)",
    ),
    (
        GOOD + "\n[queue]\nno_show_tolerance_min = -1\n",
        "queue.no_show_tolerance_min: -1 is outside 0..240",
    ),
    (GOOD.split("[[services]]")[0], "services: missing: at least one [[services]] table"),
    (
        'printer = "usb"\n' + edit('[printer]\nuri = "none://"\n', ""),
        'printer: "usb" is not a table',
    ),
]


@pytest.mark.parametrize(
    ("text", "line"), CASES, ids=[c[1].split(":")[0] + f"-{i}" for i, c in enumerate(CASES)]
)
def test_malformed_config_names_the_key_and_exits_2(
    tmp_path: Path, capsys, text: str, line: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    code, out, err = run_kiosk(capsys, "config", "check", str(path))
    assert code == 2
    assert line in out.splitlines(), out
    assert "Traceback" not in out + err


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = edit('id = "test-totem"', "id = 5").replace("desks = 2", "desks = 0")
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load(path)
    assert info.value.problems == [
        "kiosk.id: 5 is not a string",
        "services[0].desks: 0 is outside 1..99",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "[kiosk\nid = 1",
            "not valid TOML: Expected ']' at the end of a table declaration (at line 1, column 7)",
        ),
        (b"\xff\xfe", "not valid TOML"),
        (None, "no such file"),
    ],
)
def test_unreadable_file_is_one_line_exit_2(tmp_path: Path, capsys, content, expected: str) -> None:
    path = tmp_path / "k.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    code, out, err = run_kiosk(capsys, "config", "check", str(path))
    assert code == 2
    assert len(out.splitlines()) == 1 and expected in out


def test_other_commands_refuse_a_bad_config_with_exit_2(tmp_path: Path, capsys) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(edit('tue = ["08:30-12:30"]', 'tue = ["08:30-25:00"]'))
    code, out, err = run_kiosk(capsys, "--config", str(path), "issue", "A")
    assert code == 2
    assert err.strip() == 'services[1].hours.tue: "25:00" is not a time'


def test_config_env_variable_is_used(tmp_path: Path, capsys, monkeypatch) -> None:
    path = tmp_path / "k.toml"
    path.write_text(GOOD)
    monkeypatch.setenv("KIOSK_CONFIG", str(path))
    code, out, _ = run_kiosk(capsys, "config", "check")
    assert code == 0 and str(path) in out


@pytest.mark.parametrize(
    "url",
    ["https://central.example.org/api", "http://127.0.0.1:8765", "http://localhost:8765",
     "http://[::1]:8765", "http://127.3.0.1"],
)  # fmt: skip
def test_central_url_is_https_or_this_machine(url: str) -> None:
    from kiosk.config import _central_url

    assert _central_url(url) is None
