"""Parts of the product that plug into the ``kiosk`` command from other packages (the sync
agent's commands and its doctor check), found through the installed package's entry points.

``kiosk`` depends on nothing above it: the sync agent depends on ``kiosk``, and says in
pyproject.toml which commands and checks it adds.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

COMMANDS = "kiosk.commands"
CHECKS = "kiosk.checks"


def names(group: str) -> list[str]:
    """The names plugged into ``group``."""
    return sorted({ep.name for ep in entry_points(group=group)})


def load(group: str, name: str) -> Any | None:
    """The object plugged into ``group`` under ``name``, or None when nothing is."""
    for ep in entry_points(group=group, name=name):
        return ep.load()
    return None
