"""Shared fixtures: real SQLite files in tmp_path, real configuration files, a fixed clock."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt application exists
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings

from kiosk.config import Config, load
from kiosk.store import Store

# CI machines are shared and slow at times: no per-example deadline, and slow input generation
# is not a failure. What each property asserts is unchanged.
settings.register_profile("totem", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("totem")

ROME = ZoneInfo("Europe/Rome")
ALL_WEEK = ", ".join(
    f'{d} = ["00:00-24:00"]' for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
)


def rome(y: int, mo: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    """An instant given as Rome wall-clock time."""
    return datetime(y, mo, d, h, mi, tzinfo=ROME)


CONFIG_TEMPLATE = """
[kiosk]
id = "test-totem"
branch = "test-branch"
branch_name = "Ufficio di prova"
timezone = "Europe/Rome"
languages = ["it", "en"]
data_dir = "data"

[printer]
uri = "none://"

[scanner]
uri = "none://"

[central]
url = "http://127.0.0.1:9"
token_file = "secrets/central-token"

[[services]]
code = "A"
name = {{ it = "Anagrafe", en = "Registry office" }}
hours = {{ {hours_a} }}
minutes = 8
desks = 2
daily_cap = {cap_a}

[[services]]
code = "B"
name = {{ it = "Carta d'identità", en = "Identity card" }}
hours = {{ mon = ["08:30-12:30", "14:30-16:30"], tue = ["08:30-12:30"] }}
minutes = 15
desks = 1
"""


def quick_waits(text: str) -> str:
    """The configuration with service A's waits of a minute at most: for tests on the wall
    clock that issue many tickets, which after about 23:20 Rome would run past closing."""
    return text.replace("minutes = 8\ndesks = 2", "minutes = 1\ndesks = 30", 1)


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a valid configuration (service A open all week unless told) and return its path."""

    def write(text: str | None = None, *, hours_a: str = ALL_WEEK, cap_a: int = 120) -> Path:
        path = tmp_path / "kiosk.toml"
        path.write_text(
            text if text is not None else CONFIG_TEMPLATE.format(hours_a=hours_a, cap_a=cap_a)
        )
        return path

    return write


@pytest.fixture
def config(write_config: Callable[..., Path]) -> Config:
    return load(write_config())


@pytest.fixture
def store(config: Config) -> Store:
    s = Store(config.database)
    yield s
    s.close()


class Clock:
    """A settable clock for the use cases; tests move it by hand, never sleep."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(rome(2026, 11, 23, 10, 0))  # a Monday


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.delenv("KIOSK_DEBUG", raising=False)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
