"""kiosk.role = "display": a waiting-room screen. The configuration asks only for the page;
`kiosk ui` runs the browser in kiosk mode and stands by it for systemd; the queue's commands
refuse in one line. The browser here is a stand-in script (a real process that records how it
was started); the real Chromium, in cage on a booted image, is tests/machine's."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from kiosk.config import ConfigError, parse
from tests.integration.test_under_systemd import KIOSK, Manager, start

pytestmark = pytest.mark.integration
URL = "http://192.168.1.20:8080/display"


def display_config(tmp_path: Path, url: str | None = URL) -> Path:
    path = tmp_path / "kiosk.toml"
    text = '[kiosk]\nrole = "display"\n'
    if url is not None:
        text += f'[display]\nurl = "{url}"\n'
    path.write_text(text)
    return path


def test_a_display_needs_only_its_page(tmp_path: Path) -> None:
    config = parse(
        {"kiosk": {"role": "display", "id": "", "branch": ""}, "display": {"url": URL}},
        tmp_path, tmp_path / "k.toml",
    )  # fmt: skip
    assert (config.role, config.display_url, config.services) == ("display", URL, ())
    with pytest.raises(ConfigError) as missing:
        parse({"kiosk": {"role": "display"}}, tmp_path, tmp_path / "k.toml")
    assert missing.value.problems == [
        'display.url: required with kiosk.role = "display" (the host\'s /display page)'
    ]
    with pytest.raises(ConfigError) as wrong:
        parse({"kiosk": {"role": "display"}, "display": {"url": "file:///etc/passwd"}},
              tmp_path, tmp_path / "k.toml")  # fmt: skip
    assert wrong.value.problems[0].startswith("display.url: ")
    with pytest.raises(ConfigError) as host:  # a totem still needs everything it needs
        parse({"kiosk": {"role": "host"}, "display": {"url": URL}}, tmp_path, tmp_path / "k.toml")
    assert any(p.startswith("kiosk.id") for p in host.value.problems)


@pytest.mark.parametrize("command", [["serve"], ["sync", "--once"], ["issue", "A"]])
def test_the_queue_commands_refuse_on_a_display(tmp_path: Path, command: list[str]) -> None:
    done = subprocess.run(
        [str(KIOSK), "--config", str(display_config(tmp_path)), *command],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"this machine is a display of {URL}: it keeps no queue; run this on the host"
    ]


def stand_in_browser(tmp_path: Path, exit_after: str = "") -> Path:
    """A `chromium` on PATH that writes its arguments and waits (or exits after a while)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "chromium"
    wait = f"sleep {exit_after}; exit 7" if exit_after else "while :; do sleep 0.1; done"
    script.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > {tmp_path}/args\n'
        f"trap 'echo terminated > {tmp_path}/end; exit 0' TERM\n{wait}\n"
    )
    script.chmod(0o755)
    return folder


def test_the_display_runs_the_browser_for_systemd(tmp_path: Path) -> None:
    folder = stand_in_browser(tmp_path)
    runtime = tmp_path / "run"
    runtime.mkdir()
    manager = Manager(tmp_path / "notify.sock")
    proc = start(["--config", str(display_config(tmp_path)), "ui"], manager,
                 PATH=f"{folder}:{os.environ['PATH']}", XDG_RUNTIME_DIR=str(runtime))  # fmt: skip
    try:
        manager.wait_for(f"STATUS=display: {URL}", 30)
        manager.collect(1.5)
        assert manager.count("WATCHDOG=1") >= 2
        args = (tmp_path / "args").read_text().splitlines()
        assert "--kiosk" in args and args[-1] == URL
        assert not any(a.startswith("--app") for a in args)  # with --kiosk, crashes Chromium
        assert "--autoplay-policy=no-user-gesture-required" in args  # calls are said aloud
        assert f"--user-data-dir={runtime / 'display-profile'}" in args  # in memory, per start
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert (tmp_path / "end").read_text().strip() == "terminated"
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
        manager.close()


def test_a_browser_that_dies_takes_the_unit_with_it(tmp_path: Path) -> None:
    folder = stand_in_browser(tmp_path, exit_after="1")
    manager = Manager(tmp_path / "notify.sock")
    proc = start(["--config", str(display_config(tmp_path)), "ui"], manager,
                 PATH=f"{folder}:{os.environ['PATH']}", XDG_RUNTIME_DIR=str(tmp_path))  # fmt: skip
    try:
        assert proc.wait(timeout=30) == 7  # Restart=on-failure starts both again
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate()
        manager.close()
    assert "the browser exited (7)" in err


HOST_ONLY = ("kiosk-serve.service", "kiosk-sync.service", "kiosk-purge.service")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('[kiosk]\nrole = "display"\n', 1),
        ('[kiosk]\nrole = "satellite"\n', 1),
        ('[kiosk]\nrole = "host"\n', 0),
        ("[kiosk]\nid = 'x'\n", 0),  # host when not said
        ('[kiosk]\nrole = "moon"\n', 0),  # the unit starts and names the wrong value itself
        ("[kiosk\n", 0),  # unreadable: likewise
    ],
)
def test_host_units_are_skipped_on_other_roles(tmp_path: Path, text: str, code: int) -> None:
    """The units' ExecCondition=: on one image with every unit enabled, a display's or a
    satellite's kiosk-serve, kiosk-sync and kiosk-purge are skipped, not failed."""
    from tests.integration.test_units import unit

    for name in HOST_ONLY:
        condition = unit(name)["Service"]["ExecCondition"].split()
        assert condition[1:] == ["-m", "kiosk.role", "host"]
    path = tmp_path / "kiosk.toml"
    path.write_text(text)
    done = subprocess.run(
        [str(KIOSK.with_name("python")), "-m", "kiosk.role", "host"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "KIOSK_CONFIG": str(path)},
    )  # fmt: skip
    assert done.returncode == code, done.stderr
    assert done.stderr == ""
    if code:
        assert "this unit runs on a host alone" in done.stdout
