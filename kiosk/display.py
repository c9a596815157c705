"""The display role: a waiting-room screen is the host's /display page in Chromium, full screen
in kiosk mode inside cage, its sound allowed. `kiosk ui` on a display starts the browser and
stands by it for systemd: READY=1 once it runs, the watchdog fed while it lives; when it exits,
so does `kiosk ui`, and systemd starts both again.

Nothing else is reachable on its screen: kiosk mode has no address bar, tabs or menus, a
display has no keyboard, the unit lets it reach the LAN alone, and the profile lives in the
unit's runtime folder (memory), so nothing the page stores outlives a restart."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from kiosk.notify import Notifier

log = logging.getLogger(__name__)
BROWSER = "chromium"
FLAGS = (
    "--kiosk", "--no-first-run", "--no-default-browser-check", "--noerrdialogs",
    "--disable-infobars", "--disable-translate", "--disable-features=Translate,MediaRouter",
    "--autoplay-policy=no-user-gesture-required",  # the call is said aloud without a touch
    "--ozone-platform=wayland", "--disable-gpu",  # cage draws in software (pixman)
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-breakpad", "--password-store=basic", "--check-for-update-interval=31536000",
    # Chromium's own sandbox needs user namespaces, which the unit's RestrictNamespaces=
    # forbids; the unit's sandbox (read-only system, LAN only, no secrets) holds it instead.
    "--no-sandbox", "--test-type",
)  # fmt: skip


def command(url: str, profile: Path) -> list[str]:
    """The browser's command line for ``url``, with its profile in ``profile``."""
    # The page as the kiosk's only tab, not as --app=: Chromium 156 under Wayland crashes
    # (SIGTRAP, within seconds) given --kiosk and --app= together (found by booting a display).
    return [BROWSER, *FLAGS, f"--user-data-dir={profile}", url]


def run(url: str) -> int:
    """Show ``url`` until SIGTERM (0) or until the browser exits (its code, at least 1)."""
    if shutil.which(BROWSER) is None:
        print(f"display: {BROWSER} is not installed (apt install {BROWSER})", flush=True)
        return 1
    runtime = os.environ.get("XDG_RUNTIME_DIR")  # the unit's RuntimeDirectory=, in memory
    profile = Path(runtime) / "display-profile" if runtime else Path(tempfile.mkdtemp())
    shutil.rmtree(profile, ignore_errors=True)
    profile.mkdir(mode=0o700, parents=True)
    browser = subprocess.Popen(command(url, profile), stdin=subprocess.DEVNULL)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True
        browser.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    notifier = Notifier()
    notifier.ready(f"display: {url}")
    log.info("display started: %s", url)
    while browser.poll() is None:
        notifier.ping()
        time.sleep(0.5)
    notifier.stopping()
    if stopping:
        return 0
    log.error("display: the browser exited (%s); systemd starts it again", browser.returncode)
    return browser.returncode or 1
