"""python-escpos's cached profiles after a power cut: the library writes its cache in place,
so a cut while it writes leaves an empty or cut file that broke every later import (EOFError:
no ticket ever again). Cut files are removed before the library loads; the next import writes
the cache anew. Real files, a real import in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from drivers.printer.profiles import PROFILE_CACHE_ENV, drop_broken

IMPORT = (
    "import os, sys; from pathlib import Path; "
    "from drivers.printer.profiles import use_profile_cache; "
    "use_profile_cache(Path(sys.argv[1])); "
    "from drivers.printer.ticket import _import_escpos; _import_escpos(); print('ok')"
)


def load(folder: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != PROFILE_CACHE_ENV}
    return subprocess.run([sys.executable, "-c", IMPORT, str(folder)], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_a_cache_cut_by_a_power_cut_heals_itself(tmp_path: Path) -> None:
    first = load(tmp_path)  # writes the cache
    assert first.stdout.strip() == "ok", first.stderr
    (cached,) = tmp_path.glob("*.capabilities.pickle")
    whole = cached.read_bytes()
    assert whole.endswith(b".")
    for cut in (b"", whole[: len(whole) // 2]):  # the cut at its first write, or half way
        cached.write_bytes(cut)
        os.utime(cached)  # newer than the library's own file: it would be loaded as is
        done = load(tmp_path)
        assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-500:]
        assert cached.read_bytes() == whole  # written anew by the import


def test_only_cut_files_are_dropped(tmp_path: Path) -> None:
    good, empty, cut = (tmp_path / f"{n}.capabilities.pickle" for n in ("a", "b", "c"))
    good.write_bytes(b"\x80\x02}q\x00.")
    empty.write_bytes(b"")
    cut.write_bytes(b"\x80\x02}q\x00")
    assert sorted(drop_broken(tmp_path)) == [empty, cut]
    assert good.exists() and not empty.exists() and not cut.exists()
