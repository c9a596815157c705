"""``kiosk doctor``: every check a technician would make on a totem, each with its fix.

A check is ``ok``, ``warn`` (works, but look at it soon), ``failed`` (something a citizen or
the central server will notice) or ``skipped`` (not applicable here). Nothing is changed,
except that opening the database creates it (and its schema) when it does not exist yet.
"""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from kiosk import clocks, secrets
from kiosk.config import Config
from kiosk.permission import AS_WHOM
from kiosk.store import marker
from kiosk.store.owner import hand_back

log = logging.getLogger(__name__)
UNITS = ("kiosk-ui.service", "kiosk-sync.service", "kiosk-serve.service", "kiosk-purge.timer")
DISK_FAIL = 200 * 2**20
DISK_WARN = 1024 * 2**20
CLOCK_SKEW_MAX = 30.0  # seconds between our clock and the central server's


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | failed | skipped
    detail: str
    fix: str = ""


CentralProbe = Callable[[Config], tuple[Check, datetime | None]]


SATELLITE_CHECKS = frozenset({"host", "printer", "scanner", "clock", "disk", "units"})
DISPLAY_CHECKS = frozenset({"page", "clock", "disk", "units"})  # a display: the host's page
HOST_CHECKS = frozenset(
    {"database", "ticket key", "printer", "scanner", "central", "sync", "clock", "disk", "units"}
)


def ok(name: str, detail: str) -> Check:
    return Check(name, "ok", detail)


def failed(name: str, detail: str, fix: str) -> Check:
    return Check(name, "failed", detail, fix)


def warn(name: str, detail: str, fix: str) -> Check:
    return Check(name, "warn", detail, fix)


def skipped(name: str, detail: str) -> Check:
    return Check(name, "skipped", detail)


class Doctor:
    """Runs the checks for one configuration file.

    Args:
        config_path: the configuration being checked.
        load_config: loads it (raises ConfigError).
        systemctl: the systemctl command, or None when systemd is not running here.
        central_probe: checks the central server and token (the sync agent's, plugged in);
            returns the check and the server's Date, for the clock check.
    """

    def __init__(
        self,
        config_path: Path,
        load_config: Callable[[Path], Config],
        systemctl: str | None = None,
        central_probe: CentralProbe | None = None,
    ) -> None:
        self.config_path = config_path
        self.load_config = load_config
        self.systemctl = systemctl
        self.central_probe = central_probe
        self.server_date: datetime | None = None
        self._other = "central server"  # whose clock server_date is

    def run(self) -> list[Check]:
        from kiosk.config import ConfigError

        try:
            config = self.load_config(self.config_path)
        except ConfigError as exc:
            fix = f"edit {self.config_path}; `kiosk config check` lists each problem"
            checks = [failed("config", "; ".join(exc.problems), fix)]
            return [*checks, self.disk(None), self.clock(), *self.units()]
        checks = [ok("config", f"{self.config_path} is valid")]
        satellite = config.role == "satellite"  # no queue here: the host's reach and clock
        display = config.role == "display"  # the host's page, nothing else
        steps: list[tuple[str, Callable[[], Check | list[Check]]]] = [
            ("page", lambda: self.page(config)),
            ("host", lambda: self.host(config)),
            ("database", lambda: self.database(config)),
            ("ticket key", lambda: self.ticket_key(config)),
            ("printer", lambda: self.printer(config)),
            ("scanner", lambda: self.scanner(config)),
            ("central", lambda: self.central(config)),
            ("sync", lambda: self.backlog(config)),
            ("clock", self.clock),
            ("disk", lambda: self.disk(config.data_dir)),
            ("units", lambda: self.units(("kiosk-ui.service",) if display else UNITS)),
        ]
        only = DISPLAY_CHECKS if display else SATELLITE_CHECKS if satellite else HOST_CHECKS
        for name, step in steps:
            if name in only:
                checks += _on_its_own(name, step)
        hand_back(config.database.parent)  # what opening the database made, as root
        return checks

    # -- the database ----------------------------------------------------------------------

    def database(self, config: Config) -> Check:
        from kiosk.store import StorageError, Store

        path = config.database
        if not path.exists():
            try:
                found = marker.read(path, config.witness_dir)
                lost = marker.lost_day(path, config.witness_dir, found)
            except StorageError as exc:
                if exc.kind == "denied":
                    return failed("database", str(exc).split("; ")[0], AS_WHOM)
                found, lost = None, str(exc)
            if lost is not None:
                return failed("database", lost.split("; ")[0], _reset_fix(found is not None))
        if not path.exists():
            # The doctor only reads: it never makes the database the units will make.
            return warn(
                "database",
                f"{path}: not made yet",
                "the units make it when they start: systemctl start kiosk-serve kiosk-ui",
            )
        try:
            with Store(path, witness_dir=config.witness_dir) as store:
                integrity, mode, secure = store.health()
        except StorageError as exc:
            if exc.kind == "full":
                return failed(
                    "database",
                    f"{path}: {exc}",
                    "free space (journalctl --vacuum-size=200M; large files under /var); nothing"
                    " is lost: the totem goes on once there is room",
                )
            if exc.kind == "denied":
                return failed("database", str(exc).split("; ")[0], AS_WHOM)
            if exc.kind in ("lost", "replaced", "marker", "witnesses"):
                return failed("database", str(exc).split("; ")[0], _reset_fix(True))
            return failed(
                "database",
                f"{path}: {exc}",
                f"check that {path.parent} exists and belongs to the kiosk user"
                " (chown -R kiosk:kiosk /var/lib/kiosk); a corrupt file: stop the kiosk units,"
                " move it aside and start them again (today's queue starts over)",
            )
        except sqlite3.DatabaseError as exc:
            return failed("database", f"{path}: {exc}", "move the damaged file aside")
        if integrity != "ok":
            return failed(
                "database",
                f"{path}: integrity check: {str(integrity)[:120]}",
                "stop the kiosk units, move the file and its -wal aside, start them again;"
                " unsent events are in the moved file: keep it for the central operator",
            )
        if mode != "wal" or secure != 1:
            return failed(
                "database",
                f"{path}: journal_mode={mode}, secure_delete={secure}",
                "this SQLite build lacks WAL or secure_delete: apt install --reinstall kiosk",
            )
        owner = _owner(path)
        if owner not in (None, "kiosk") and _user_exists("kiosk"):
            return warn(
                "database",
                f"{path}: integrity ok, WAL, secure_delete on; but owned by {owner}",
                f"chown kiosk:kiosk {path}* (a command run as {owner} created it);"
                " the units run as kiosk",
            )
        return ok("database", f"{path}: integrity ok, WAL, secure_delete on")

    def ticket_key(self, config: Config) -> Check:
        try:
            secrets.read(config.ticket_key_file)
        except secrets.SecretError as exc:
            fix = (
                AS_WHOM
                if exc.denied
                else "a missing key is made by `systemctl start kiosk-secrets` (or by `kiosk ui`);"
                " a key readable by others: chmod 600 it; then systemctl restart kiosk-ui"
            )
            return failed("ticket key", str(exc), fix)
        return ok("ticket key", f"{config.ticket_key_file}: present, 0600")

    # -- the hardware ----------------------------------------------------------------------

    def printer(self, config: Config) -> Check:
        from drivers.printer.connect import open_printer
        from drivers.printer.uri import PrinterUriError

        uri = config.printer_uri
        if uri.startswith("none:"):
            return skipped("printer", "none:// (no printer configured)")
        try:
            printer = open_printer(
                uri, width_mm=config.paper_width, sim_jobs_dir=config.data_dir / "printer-sim"
            )
        except PrinterUriError as exc:
            return failed("printer", f"printer.uri: {exc}", "kiosk config set printer.uri URI")
        if printer is None:
            return skipped("printer", "no printer configured")
        try:
            state = printer.status().value
        finally:
            printer.close()
        fixes = {
            "paper_out": "out of paper: open the cover, load a new roll (thermal side out),"
            " close the cover; then `kiosk printer test`",
            "cover_open": "the cover is open: close it until it clicks; then `kiosk printer test`",
            "offline": f"no answer at {uri}: check the printer's power and cable (or network"
            " and IP address); `kiosk printer status` asks again",
            "unknown": f"connected to {uri} but the printer does not answer status requests:"
            " switch it off and on"
            + (
                "; check the baud rate in printer.uri"
                if uri.startswith("serial:")
                else "; check it speaks ESC/POS on that port"
                if uri.startswith("tcp:")
                else ""
            ),
        }
        if state == "ok":
            return ok("printer", f"ok, paper loaded ({uri})")
        if state == "paper_low":
            return warn("printer", f"paper low ({uri})", "load a new roll at the next pause")
        return failed("printer", f"{state.replace('_', ' ')} ({uri})", fixes[state])

    def scanner(self, config: Config) -> Check:
        from drivers.scanner.uri import ScannerUriError, parse

        try:
            uri = parse(config.scanner_uri)
        except ScannerUriError as exc:
            return failed("scanner", f"scanner.uri: {exc}", "kiosk config set scanner.uri URI")
        if uri.scheme == "none":
            return skipped("scanner", "none:// (no scanner configured)")
        if uri.scheme == "sim":
            return ok("scanner", "simulated scanner")
        if uri.scheme == "evdev" and not uri.path:
            return self._scanner_by_id(uri.vendor or 0, uri.product or 0)
        path = Path(uri.path)
        fix = (
            "plug the scanner in (or try another USB port); `kiosk scanner list` shows the"
            " devices with their by-id paths; then kiosk config set scanner.uri URI"
        )
        if not path.exists():
            return failed("scanner", f"{path}: not present", fix)
        if not os.access(path, os.R_OK):
            return failed(
                "scanner",
                f"{path}: present but not readable",
                "install 60-kiosk.rules with the scanner's VID:PID (see docs/technician.md)",
            )
        return ok("scanner", f"{path} present")

    def _scanner_by_id(self, vendor: int, product: int) -> Check:
        want = f"{vendor:04x}:{product:04x}"
        for dev in Path("/sys/class/input").glob("event*"):
            ids = dev / "device" / "id"
            try:
                found = (
                    f"{int((ids / 'vendor').read_text(), 16):04x}:"
                    f"{int((ids / 'product').read_text(), 16):04x}"
                )
            except (OSError, ValueError):
                continue
            if found == want:
                return ok("scanner", f"{want} present as /dev/input/{dev.name}")
        return failed(
            "scanner", f"no input device {want}", "plug the scanner in; `kiosk scanner list`"
        )

    # -- the central server ----------------------------------------------------------------

    def central(self, config: Config) -> Check:
        if self.central_probe is None:
            return skipped("central", "the sync agent is not installed here")
        check, self.server_date = self.central_probe(config)
        return check

    def page(self, config: Config) -> Check:
        """A display's page (the host's /display): it answers, and gives the host's clock."""
        from email.utils import parsedate_to_datetime

        import requests

        try:
            answer = requests.get(config.display_url or "", timeout=5)
        except requests.RequestException as exc:
            return failed(
                "page",
                f"{config.display_url}: not reachable ({type(exc).__name__})",
                "check the network and that kiosk-serve runs on the host; display.url names it",
            )
        if answer.status_code != 200:
            return failed(
                "page",
                f"{config.display_url}: HTTP {answer.status_code}",
                "display.url must be the host's /display page",
            )
        try:
            self.server_date = parsedate_to_datetime(answer.headers["Date"])
            self._other = "host"
        except (KeyError, TypeError, ValueError):
            pass
        return ok("page", f"{config.display_url}: answers")

    def host(self, config: Config) -> Check:
        """A satellite's host: it answers, accepts this totem's token, and gives its clock."""
        from email.utils import parsedate_to_datetime

        import requests

        from kiosk.satellite import HostAway, HostClient

        fix_reach = f"check the network and that kiosk-serve runs on the host ({config.host_url})"
        try:
            client = HostClient(config)
            headers = client._headers()
            info = client.http.get(f"{client.url}/api/v1/info", timeout=5, verify=client.verify)
            token = client.http.post(
                f"{client.url}/api/v1/tickets",
                json={},
                headers=headers,
                timeout=5,
                verify=client.verify,
            )  # no request id: the host checks the token, then refuses; nothing is issued
        except HostAway as exc:
            return failed("host", str(exc), fix_reach)
        except requests.exceptions.SSLError:
            return failed(
                "host",
                f"{config.host_url}: the host's certificate is not trusted",
                "give the host's authority certificate (its /etc/kiosk/tls/ca.pem, made by"
                " `kiosk tls make`) as branch.ca_file (kiosk totem join ... --ca-file ca.pem)",
            )
        except requests.RequestException as exc:
            return failed("host", f"{config.host_url}: {type(exc).__name__}", fix_reach)
        if "date" in info.headers:
            self.server_date = parsedate_to_datetime(info.headers["date"])
            self._other = "host"
        if token.status_code == 401:
            return failed(
                "host",
                f"{config.host_url} does not accept this totem's token",
                f"on the host: kiosk totem add {config.kiosk_id} --replace, and put the token"
                f" in {config.host_token_file}",
            )
        return ok("host", f"{config.host_url}: reachable, token accepted")

    def backlog(self, config: Config) -> Check:
        from kiosk.store import StorageError, Store
        from kiosk.store.outbox import Outbox

        if not config.database.exists():
            return ok("sync", "no events yet (no database)")
        try:
            with Store(config.database, witness_dir=config.witness_dir) as store:
                status = Outbox(store).status(datetime.now(UTC))
        except StorageError as exc:
            return failed("sync", f"the outbox cannot be read: {exc}", "see the database check")
        waiting, parked = status["backlog"], status["parked"]
        age = status["oldest_waiting_s"] or 0
        if status["seq_went_back"] is not None:
            return failed(
                "sync",
                f"stopped: the central holds seq {status['seq_went_back']}, above this"
                f" database's ({waiting} events waiting): it was made anew without its markers",
                "kiosk store reset --yes --from-central (numbers and seq continue after the"
                " central's), then systemctl restart kiosk-ui kiosk-serve kiosk-sync",
            )
        if status["paused_for_auth"]:
            return failed(
                "sync",
                f"paused: the central server refused the token ({waiting} events waiting)",
                "replace the central token (see the central check), then"
                " systemctl restart kiosk-sync",
            )
        if parked:
            return warn(
                "sync",
                f"{parked} event(s) refused by the central server and kept aside",
                "`kiosk sync status` shows why; tell the central operator",
            )
        if age > 3600:
            return warn(
                "sync",
                f"{waiting} events waiting, the oldest {age / 3600:.1f} h",
                "check the central check above and `journalctl -u kiosk-sync -n 50`",
            )
        return ok("sync", f"{waiting} events waiting")

    # -- the machine -----------------------------------------------------------------------

    def clock(self) -> Check:
        synced = clocks.kernel_synchronised()
        skew = None
        if self.server_date is not None:
            skew = (datetime.now(UTC) - self.server_date).total_seconds()
        ntp_fix = (
            "enable time synchronisation: timedatectl set-ntp true (systemd-timesyncd) and"
            " allow UDP 123 out; wrong times print wrong dates and refuse valid tickets"
        )
        if skew is not None and abs(skew) > CLOCK_SKEW_MAX:
            return failed("clock", f"{skew:+.0f} s from the {self._other}'s clock", ntp_fix)
        if synced:
            return ok("clock", "synchronised (NTP)")
        if skew is not None:
            return warn(
                "clock",
                f"not NTP-synchronised, but within {abs(skew):.0f} s of the {self._other}",
                ntp_fix,
            )
        return failed("clock", "not synchronised, and no central server to compare", ntp_fix)

    def disk(self, data_dir: Path | None) -> Check:
        where = data_dir or Path("/var/lib/kiosk")
        while not where.exists() and where != where.parent:
            where = where.parent
        free = shutil.disk_usage(where).free
        size = f"{free / 2**30:.1f} GiB" if free >= 2**30 else f"{free / 2**20:.1f} MiB"
        detail = f"{size} free on {where}"
        fix = "free space: journalctl --vacuum-size=200M; look for large files under /var"
        if free < DISK_FAIL:
            return failed("disk", detail, fix)
        if free < DISK_WARN:
            return warn("disk", detail, fix)
        return ok("disk", detail)

    def units(self, units: tuple[str, ...] = UNITS) -> list[Check]:
        if self.systemctl is None:
            return [skipped(u, "systemd is not running here") for u in units]
        checks = []
        for unit in units:
            state = _systemctl(self.systemctl, "is-active", unit)
            enabled = _systemctl(self.systemctl, "is-enabled", unit)
            fix = f"journalctl -u {unit} -n 50 shows why; then systemctl restart {unit}"
            if enabled in ("not-found", ""):
                checks.append(failed(unit, "not installed", "apt install kiosk"))
            elif state == "active":
                checks.append(ok(unit, f"active, {enabled}"))
            elif enabled != "enabled":
                checks.append(failed(unit, f"{state}, {enabled}", f"systemctl enable --now {unit}"))
            else:
                checks.append(failed(unit, state, fix))
        return checks


def _reset_fix(marked: bool) -> str:
    """What to do for a lost database: a marker says where the day stood, or only the central
    service can."""
    how = "`kiosk store reset --yes`" if marked else "`kiosk store reset --yes --from-central`"
    return (
        f"the day must not start over: stop the kiosk units, run {how} (numbers and events"
        " continue), start them again"
    )


def _on_its_own(name: str, step: Callable[[], Check | list[Check]]) -> list[Check]:
    """Run one check; whatever it raises fails that check alone, and the others still run."""
    try:
        result = step()
    except PermissionError as exc:  # not root, not kiosk: the real cause, not a bug
        return [failed(name, f"{exc.filename}: permission denied", AS_WHOM)]
    except Exception as exc:  # the doctor must never fall over: it is what a technician has
        log.exception("doctor: the %s check failed unexpectedly", name)
        return [
            failed(
                name,
                f"the check itself failed ({type(exc).__name__}: {str(exc)[:160]})",
                "report this to the maintainers with `journalctl -t kiosk -n 50`",
            )
        ]
    return result if isinstance(result, list) else [result]


def as_json(checks: list[Check]) -> dict[str, object]:
    from kiosk import __version__

    return {
        "ok": all(c.status != "failed" for c in checks),
        "version": __version__,  # an addition: which software the checks were made by
        "checks": [asdict(c) for c in checks],
    }


def find_systemctl() -> str | None:
    """systemctl, when systemd is the running init (it is not in containers and chroots)."""
    path = shutil.which("systemctl")
    return path if path and Path("/run/systemd/system").is_dir() else None


def _systemctl(systemctl: str, verb: str, unit: str) -> str:
    done = subprocess.run(
        [systemctl, verb, unit], capture_output=True, text=True, timeout=10, check=False
    )
    return done.stdout.strip()


def _owner(path: Path) -> str | None:
    try:
        return pwd.getpwuid(path.stat().st_uid).pw_name
    except (OSError, KeyError):
        return None


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
