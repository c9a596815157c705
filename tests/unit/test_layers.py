"""The house's layers, read from the source: kiosk never imports sync or central, sync never
imports central, no import circle, Qt only in kiosk/ui, SQL only in kiosk/store and
central/store (with central/db, which creates the schema)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kiosk", "drivers", "sync", "central")


def modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Our modules that ``name`` imports anywhere in its file (lazy imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{name}: relative imports are not used here"
            base = node.module or ""
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            # A module reaching its own package's __init__ is how packages work, not a circle.
            if target and target != name and not name.startswith(target + "."):
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(path, name, set(found)) for name, path in found.items()}


@pytest.mark.parametrize(
    ("package", "never"),
    [("kiosk", {"sync", "central"}), ("sync", {"central"}), ("drivers", {"sync", "central"})],
)
def test_the_totem_never_imports_the_servers_it_talks_to(package: str, never: set[str]) -> None:
    offenders = {m: sorted(i for i in deps if i.split(".")[0] in never)
                 for m, deps in graph().items() if m.split(".")[0] == package}  # fmt: skip
    assert {m: d for m, d in offenders.items() if d} == {}


def test_no_import_circle() -> None:
    deps = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in deps[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(deps):
        if node not in index:
            visit(node)
    assert circles == []


def test_qt_only_in_kiosk_ui() -> None:
    for name, path in modules().items():
        if "PySide6" in path.read_text():
            assert name.startswith("kiosk.ui"), name


SQL = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE TABLE|PRAGMA)\b")


def test_sql_only_in_the_store() -> None:
    allowed = ("kiosk.store", "central.store", "central.db")
    offenders = [
        name
        for name, path in modules().items()
        if not name.startswith(allowed) and SQL.search(path.read_text())
    ]
    assert offenders == []


def test_the_totem_ui_loads_none_of_the_central_services_packages() -> None:
    """sqlite-utils and psycopg belong to the central service: the UI's start never pays for
    them (they cost ~80 ms of import), nor for the central package itself."""
    import subprocess
    import sys

    probe = (
        "import sys, kiosk.ui.app, kiosk.cli;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('sqlite_utils', 'psycopg', 'psycopg_pool', 'central')))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
