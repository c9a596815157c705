"""A throwaway PostgreSQL cluster for a test run: Debian's own binaries (installed by `make
test`'s bootstrap), initdb into a fresh folder, pg_ctl start on a free port of 127.0.0.1,
stopped and deleted at the end. Nothing is required of the machine beforehand; as root, the
cluster runs as the ``postgres`` user that Debian's package creates (initdb refuses root)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.helpers import free_port


def _bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise RuntimeError(
            "PostgreSQL is not installed: run `make test` (its bootstrap installs it)"
        )
    return found[-1].parent


def _as_owner(args: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *args] if owner else args


@contextlib.contextmanager
def cluster(durable: bool = False) -> Iterator[str]:
    """Start a cluster; yields the URL of its ``postgres`` database (trust auth, loopback).

    Args:
        durable: flush to disk as a production server does (the benchmarks); the tests run
            without, for speed.
    """
    bindir = _bindir()
    owner = "postgres" if os.geteuid() == 0 else None
    home = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
    data = home / "data"
    if owner:
        entry = pwd.getpwnam(owner)
        home.chmod(0o755)
        os.chown(home, entry.pw_uid, entry.pw_gid)
    port = free_port()
    run = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(home / "log")]
    try:
        subprocess.run(
            _as_owner([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                       "-E", "UTF8", "--no-sync"], owner),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c max_connections=300"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(_as_owner([*run, "-o", options, "-w", "-t", "60", "start"], owner),
                       check=True, capture_output=True, timeout=90)  # fmt: skip
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_owner([*run, "-m", "immediate", "stop"], owner),
                           capture_output=True, timeout=60, check=False)  # fmt: skip
        shutil.rmtree(home, ignore_errors=True)


def fresh_database(base: str, name: str) -> str:
    """Create database ``name`` in the cluster at ``base``; returns its URL."""
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + f"/{name}"
