"""The `kiosk` command: help everywhere, JSON for scripts, one-line errors with exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kiosk.cli.app import cli
from tests.helpers import run_kiosk

ROOT = Path(__file__).resolve().parents[2]


def all_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found += all_commands(command, path)
    return found


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output
    command = cli
    for name in path:
        command = command.get_command(click.Context(command), name)  # type: ignore[attr-defined]
    assert command.help and command.help.strip()
    if not isinstance(command, click.Group):
        assert "kiosk " in command.help, "every command's help shows an example"


def test_contract_commands_exist() -> None:
    names = {" ".join(p) for p in all_commands()}
    assert {"config check", "config show", "issue", "scan", "status", "purge", "demo"} <= names


def test_issue_json_has_the_contract_keys(write_config, capsys) -> None:
    path = write_config()
    code, out, _ = run_kiosk(capsys, "--config", str(path), "issue", "A", "--json")
    assert code == 0
    data = json.loads(out)
    assert {"ticket", "service", "payload", "ahead", "wait_min", "printed"} <= data.keys()
    assert data["ticket"] == "A001" and data["printed"] is False
    code, out, _ = run_kiosk(capsys, "--config", str(path), "issue", "A")
    assert re.fullmatch(r"A002  ahead 1  wait ~4 min  not printed\n", out)


def test_scan_json_and_human(write_config, capsys) -> None:
    path = write_config()
    _, out, _ = run_kiosk(capsys, "--config", str(path), "issue", "A", "--json")
    payload = json.loads(out)["payload"]
    code, out, _ = run_kiosk(capsys, "--config", str(path), "scan", payload, "--json")
    assert code == 0
    assert json.loads(out) == {"result": "rejected", "ticket": None, "reason": "still_waiting"}
    code, out, _ = run_kiosk(capsys, "--config", str(path), "scan", "nonsense!")
    assert out.strip() == "rejected (unrecognised)"


def test_status_json(write_config, capsys) -> None:
    path = write_config()
    run_kiosk(capsys, "--config", str(path), "issue", "A")
    code, out, _ = run_kiosk(capsys, "--config", str(path), "status", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["tickets_today"] == 1
    assert data["sync"]["backlog"] == 1 and data["sync"]["parked"] == 0
    assert data["sync"]["last_success"] is None and data["sync"]["paused_for_auth"] is False
    assert [s["code"] for s in data["services"]] == ["A", "B"]


def test_config_show_round_trips(write_config, capsys, tmp_path: Path) -> None:
    path = write_config()
    code, out, _ = run_kiosk(capsys, "--config", str(path), "config", "show")
    assert code == 0
    shown = tmp_path / "shown.toml"
    shown.write_text(out)
    code, out, _ = run_kiosk(capsys, "config", "check", str(shown))
    assert code == 0, out
    code, out, _ = run_kiosk(capsys, "--config", str(path), "config", "show", "--json")
    assert json.loads(out)["printer"] == {"uri": "none://", "on_fault": "screen", "width": 80}


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (["issue", "Z"], 2, 'service: "Z" is not a configured service (A, B)'),
        (["issue"], 2, "kiosk issue: Missing argument 'SERVICE' (see kiosk issue --help)"),
        (["frobnicate"], 2, "kiosk: No such command 'frobnicate' (see kiosk --help)"),
        (
            ["status", "--colour"],
            2,
            "kiosk status: No such option '--colour' (see kiosk status --help)",
        ),
    ],
)
def test_errors_are_one_line(write_config, capsys, args: list[str], code: int, line: str) -> None:
    path = write_config()
    got, out, err = run_kiosk(capsys, "--config", str(path), *args)
    assert got == code
    assert err.splitlines() == [line]


def test_closed_service_is_exit_1(write_config, capsys) -> None:
    path = write_config(hours_a="")
    code, _, err = run_kiosk(capsys, "--config", str(path), "issue", "A")
    assert code == 1 and err.strip() == "service A: closed"


def test_database_problem_is_one_line_exit_1(write_config, capsys, tmp_path: Path) -> None:
    path = write_config()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "kiosk.sqlite3").write_bytes(b"garbage" * 1000)
    code, _, err = run_kiosk(capsys, "--config", str(path), "status")
    assert code == 1
    assert err.splitlines() == [f"database: {tmp_path}/data/kiosk.sqlite3 is not a Totem database"]


def test_first_run_creates_both_secrets_private(write_config, capsys, tmp_path: Path) -> None:
    path = write_config()
    code, _, _ = run_kiosk(capsys, "--config", str(path), "issue", "A")
    assert code == 0
    for secret in (
        tmp_path / "secrets" / "central-token",
        tmp_path / "data" / "secrets" / "ticket-key",
    ):
        assert secret.stat().st_mode & 0o777 == 0o600
        assert len(secret.read_text().strip()) >= 40


def test_desk_add_prints_the_token_alone_and_stores_only_its_hash(
    write_config, capsys, tmp_path: Path
) -> None:
    path = write_config()
    code, out, _ = run_kiosk(capsys, "--config", str(path), "desk", "add", "3")
    token = out.strip()
    assert code == 0 and len(out.splitlines()) == 1 and len(token) >= 32
    code, out, _ = run_kiosk(capsys, "--config", str(path), "desk", "add", "4", "--json")
    assert set(json.loads(out)) == {"desk", "token"}
    assert token.encode() not in (tmp_path / "data" / "kiosk.sqlite3").read_bytes()
    code, out, _ = run_kiosk(capsys, "--config", str(path), "desk", "list")
    assert out.split() == ["3", "4"]
    assert run_kiosk(capsys, "--config", str(path), "desk", "remove", "3")[0] == 0
    code, _, err = run_kiosk(capsys, "--config", str(path), "desk", "remove", "3")
    assert code == 2 and err.strip() == 'desk: "3" does not exist'
    for bad in ("sportello 3", "abc", "0", "1000"):
        code, _, err = run_kiosk(capsys, "--config", str(path), "desk", "add", bad)
        assert code == 2 and "is not a desk number (1 to 999)" in err, bad
    code, _, err = run_kiosk(capsys, "--config", str(path), "desk", "add", "4")
    assert code == 2 and "--replace" in err  # desk 4 has a token: never replaced silently
    code, out, _ = run_kiosk(capsys, "--config", str(path), "desk", "add", "4", "--replace")
    assert code == 0 and len(out.strip()) >= 32


def test_every_command_takes_json() -> None:
    found = {}
    for path in all_commands():
        command = cli
        for name in path:
            command = command.get_command(click.Context(command), name)  # type: ignore[attr-defined]
        if not isinstance(command, click.Group) or command.invoke_without_command:
            found[" ".join(path)] = command
    assert {"issue", "sync", "central serve", "store reset", "config set"} <= set(found)
    assert [p for p, c in found.items() if not any("--json" in o.opts for o in c.params)] == []


@pytest.mark.parametrize(
    ("args", "code", "key"),
    [
        (["issue", "Z", "--json"], 2, "service"),
        (["desk", "add", "abc", "--json"], 2, "desk"),
        (["store", "reset", "--json"], 2, "store reset"),
        (["config", "set", "services[0].minutes", "-5", "--json"], 2, "services[0].minutes"),
        (["issue", "--json"], 2, None),  # a usage error too
    ],
)
def test_under_json_an_error_is_json_on_stdout(
    write_config, capsys, args: list[str], code: int, key: str | None
) -> None:
    path = write_config()
    assert run_kiosk(capsys, "--config", str(path), "desk", "add", "1")[0] == 0
    got, out, err = run_kiosk(capsys, "--config", str(path), *args)
    assert got == code and err == ""
    error = json.loads(out)
    assert set(error) >= {"error", "key"} and error["error"]
    assert error["key"] == key or (key and error["error"].startswith(key))


def test_config_set_takes_a_value_starting_with_a_dash(write_config, capsys) -> None:
    path = write_config()
    before = path.read_text()
    code, _, err = run_kiosk(capsys, "--config", str(path), "config", "set",
                             "services[0].minutes", "-5")  # fmt: skip
    assert code == 2 and "No such option" not in err and "services[0].minutes" in err
    assert path.read_text() == before


def test_version_is_the_packages(capsys) -> None:
    """`kiosk --version` and doctor's JSON name the version pyproject.toml builds the package
    with (the two are one fact: a test holds them together)."""
    from kiosk import __version__
    from kiosk.doctor import as_json

    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert re.search(r'^version = "(.*)"$', pyproject, re.M)[1] == __version__  # type: ignore[index]
    code, out, _ = run_kiosk(capsys, "--version")
    assert (code, out) == (0, f"kiosk {__version__}\n")
    assert as_json([])["version"] == __version__


def test_say_writes_wav_only_to_a_wav_file(capsys, tmp_path: Path, write_config) -> None:
    """`say --wav x.mp3` wrote WAV bytes under an .mp3 name, silently: refused in one line."""
    out = tmp_path / "ticket.mp3"
    code, _, err = run_kiosk(capsys, "--config", str(write_config()), "say", "--screen", "home",
                             "--wav", str(out))  # fmt: skip
    assert code == 2 and err.strip() == "--wav: ticket.mp3: the audio is WAV; name the file *.wav"
    assert not out.exists()
    code, out_text, _ = run_kiosk(capsys, "say", "--help")
    assert "it, en, fr, de, es, ar" in " ".join(out_text.split())


def test_sync_times_read_in_the_branchs_time() -> None:
    """sync status showed UTC with microseconds; every other line uses the branch's clock."""
    from zoneinfo import ZoneInfo

    from kiosk.cli.status_cmd import describe_sync

    rome = ZoneInfo("Europe/Rome")
    lines = describe_sync(
        {"backlog": 2, "oldest_waiting_s": 120, "parked": 0,
         "last_success": "2026-12-03T13:40:26+00:00", "paused_for_auth": False,
         "last_error": "2026-12-03T13:41:01.065683+00:00 ConnectionError"},
        rome,
    )  # fmt: skip
    assert lines == [
        "  outbox  2 waiting (oldest 2 min), 0 parked; last sync 2026-12-03 14:40:26",
        "  last error: 2026-12-03 14:41:01 ConnectionError",
    ]


def test_every_option_of_every_command_says_what_it_is() -> None:
    """A technician reads --help over SSH: no option without its line (central serve's TLS
    options and kiosk add's --branch had none)."""
    from kiosk.cli.app import cli

    missing: list[str] = []

    def walk(command: click.Command, path: list[str]) -> None:
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden and not param.help:
                missing.append(f"{' '.join(path)} {param.opts[0]}")
        if isinstance(command, click.Group):
            ctx = click.Context(command)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None, name
                walk(sub, [*path, name])

    walk(cli, ["kiosk"])
    assert missing == []


def documented_commands() -> list[tuple[str, ...]]:
    """Every ``kiosk ...`` that docs/command.md names, in a backticked span or at the start of
    a line of a code block, as far as its words name commands (``kiosk config set x.y=1`` is
    ``config set``). A word that names no subcommand of a group is kept, so that it fails."""
    text = (ROOT / "docs" / "command.md").read_text()
    spans = re.findall(r"`kiosk ([^`]*)`", text)
    spans += re.findall(r"^kiosk (.*)$", text, flags=re.MULTILINE)
    found = []
    for span in spans:
        path: tuple[str, ...] = ()
        command: click.Command = cli
        for word in span.split():
            if not isinstance(command, click.Group) or not re.fullmatch(r"[a-z][a-z-]*", word):
                break
            sub = command.get_command(click.Context(command), word)
            path = (*path, word)
            if sub is None:
                break
            command = sub
        if path:
            found.append(path)
    return found


def test_docs_command_md_names_every_command_and_only_those() -> None:
    commands = set(all_commands())
    named = set(documented_commands())
    assert sorted(" ".join(p) for p in named - commands) == []  # named, but no such command
    groups = {p[:-1] for p in commands}
    leaves = {p for p in commands if p not in groups}
    assert sorted(" ".join(p) for p in leaves - named) == []  # a command the document omits
