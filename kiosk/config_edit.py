"""``kiosk config set KEY VALUE`` and ``kiosk config set KEY=VALUE [KEY=VALUE ...]``: change
keys, keeping the file's comments and layout. Keys that belong together (a satellite's role and
its host, a certificate and its key) are set in one command, checked together, written once.

The whole new configuration is validated before anything is written; the file is then
replaced atomically (a temporary file in the same folder, fsynced, renamed over it, with the
original's mode and owner), so a bad value or a crash leaves the old file exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Table

from kiosk import config as config_mod
from kiosk import config_keys
from kiosk.permission import denied_line

_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)(?:\[(\d+)\])?", re.ASCII)


class EditError(Exception):
    """The change cannot be made; ``lines`` say why (one per problem)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass(frozen=True)
class Change:
    key: str
    value: str  # as written in the file
    changed: bool
    restart: tuple[str, ...]
    # What the file still lacks, as it did before (a new totem is named one key at a time).
    pending: tuple[str, ...] = ()


def set_value(path: Path, key: str, raw: str) -> Change:
    """Set one key: :func:`set_values` with one pair."""
    return set_values(path, [(key, raw)])[0]


def set_values(
    path: Path, pairs: list[tuple[str, str]], *, before_writing: Callable[[str], None] | None = None
) -> list[Change]:
    """Set each ``key`` (``printer.uri``, ``services[0].minutes``) to its ``raw`` value in the
    file at ``path``, all checked together and written at once (or none).

    ``raw`` is read as a TOML value (``10``, ``true``, ``["it", "en"]``, ``"text"``); anything
    that is not one is a string. Where the key holds a string now, a bare ``123`` stays a string.

    A file that was already incomplete (a freshly installed totem: no kiosk.id, no
    kiosk.branch) may be filled in one key at a time: the change is refused only for a problem
    it brings, and what is still missing comes back as ``pending``.

    ``before_writing`` is given the whole new file once it is valid, and may raise to keep the
    old one (``kiosk totem join`` tries the host with it first).

    Raises:
        EditError: unreadable file, unknown key shape, or the change makes a new problem.
    """
    path = path.expanduser().absolute()
    try:
        text = path.read_text(encoding="utf-8")
        doc = tomlkit.parse(text)
    except PermissionError:
        raise EditError([denied_line(path)]) from None
    except OSError as exc:
        raise EditError([f"{path}: cannot be read ({exc.strerror})"]) from None
    except (TOMLKitError, UnicodeDecodeError, RecursionError) as exc:
        raise EditError([f"{path}: not valid TOML: {exc}"]) from None
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise EditError(
            [f"{k}: given twice" for k in sorted({k for k in keys if keys.count(k) > 1})]
        )
    edits = []
    for key, raw in pairs:
        parts = _split(key)
        container, last = _walk(doc, parts, key)
        current = container.get(last) if isinstance(last, str) else None
        value = _value(raw, current)
        changed = current is None or _plain(current) != _plain(value)
        edits.append((key, parts, container, last, value, changed))
    if not any(edit[5] for edit in edits):
        return [Change(k, tomlkit.item(v).as_string(), False, ()) for k, _, _, _, v, _ in edits]
    before = _problems(text, path)
    for _key, _parts, container, last, value, changed in edits:
        if changed:
            container[last] = value
    new_text = tomlkit.dumps(doc)
    after = _problems(new_text, path)
    brought = [p for p in after if p not in before]
    if brought:
        raise EditError(brought)
    if before_writing is not None:
        before_writing(new_text)  # a last check of the whole new file; raising writes nothing
    try:
        _replace(path, new_text)
    except PermissionError as exc:  # its folder or the file: named, not the temporary file
        raise PermissionError(exc.errno, exc.strerror, str(path)) from None
    return [
        Change(key, tomlkit.item(value).as_string(), changed,
               config_keys.units(parts[0][0]) if changed else (), tuple(after))
        for key, parts, _container, _last, value, changed in edits
    ]  # fmt: skip


def _problems(text: str, path: Path) -> list[str]:
    """Every problem of the configuration ``text`` (none: it is valid)."""
    try:
        config_mod.parse(tomllib.loads(text), path.parent, path)
    except config_mod.ConfigError as exc:
        return list(exc.problems)
    except tomllib.TOMLDecodeError as exc:
        return [f"{path}: not valid TOML: {exc}"]
    return []


def _split(key: str) -> list[tuple[str, int | None]]:
    parts = []
    for piece in key.split("."):
        match = _PART.fullmatch(piece)
        if not match:
            example = "e.g. printer.uri or services[0].minutes"
            raise EditError([f'"{key}" is not a key: write section.key, {example}'])
        parts.append((match[1], int(match[2]) if match[2] is not None else None))
    if len(parts) < 2 and parts[0][1] is None:
        raise EditError([f'"{key}" names a whole section: write section.key, e.g. printer.uri'])
    if parts[0][0] not in config_keys.TOP:
        sections = ", ".join(config_keys.TOP)
        raise EditError([f'{key}: unknown section "{parts[0][0]}" (allowed: {sections})'])
    return parts


def _walk(doc: Any, parts: list[tuple[str, int | None]], key: str) -> tuple[Any, str]:
    """The table holding the last key, creating missing tables on the way."""
    node = doc
    done: list[str] = []
    for i, (name, index) in enumerate(parts):
        last = i == len(parts) - 1
        if index is not None:
            items = node.get(name)
            if not isinstance(items, AoT | list) or not 0 <= index < len(items):
                count = len(items) if isinstance(items, AoT | list) else 0
                allowed = f"0..{count - 1}" if count else "none defined"
                raise EditError([f"{key}: there is no {name}[{index}] ({allowed})"])
            node = items[index]
            done.append(f"{name}[{index}]")
            if last:
                raise EditError([f"{key}: names a whole entry; add .key, e.g. {key}.minutes"])
            continue
        if last:
            return node, name
        child = node.get(name)
        if child is None:
            child = tomlkit.table() if node is doc else tomlkit.inline_table()
            node[name] = child
            child = node[name]
        if not isinstance(child, Table | dict):
            where = ".".join([*done, name])
            raise EditError([f"{key}: {where} is a value, not a table"])
        node = child
        done.append(name)
    raise AssertionError("unreachable")


def _value(raw: str, current: Any) -> Any:
    try:
        parsed = tomlkit.parse(f"v = {raw}")["v"]
    except TOMLKitError:
        return raw
    if isinstance(current, str) and not isinstance(parsed, str):
        return raw  # printer.uri 123 stays text; quote it to be sure
    return parsed


def _plain(value: Any) -> Any:
    unwrap = getattr(value, "unwrap", None)
    return unwrap() if unwrap else value


def _replace(path: Path, text: str) -> None:
    """Write ``text`` over ``path`` atomically, keeping its mode and owner."""
    info = path.stat()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, info.st_mode & 0o7777)
        if os.geteuid() == 0:
            os.chown(tmp, info.st_uid, info.st_gid)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
