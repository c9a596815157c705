"""The totem's configuration: TOML, validated whole, every problem reported with its key path.

``load(path)`` returns a :class:`Config` or raises :class:`ConfigError` holding one line per
problem, each ``path.to.key: what is wrong``. Keys fixed by docs/command.md keep their names;
the keys this product adds (``[ticket]``, ``[queue]``, ``printer.width``, ``central.ca_file``)
have defaults, so a minimal file is enough.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk import config_keys
from kiosk.branding import (
    Branding,
    LogoError,
    description_problem,
    icon_problem,
    logo_bytes,
    primary_problem,
)
from kiosk.core import events
from kiosk.core.hours import WEEKDAYS, HoursError, WeeklyHours
from kiosk.core.payload import MAX_LENGTH as PAYLOAD_LENGTH
from kiosk.core.payload import SEAL_CHARS
from kiosk.core.scan import MAX_SCAN_LENGTH
from kiosk.core.tickets import MAX_NUMBER, SERVICE_CODE
from kiosk.i18n import LANGUAGES

DEFAULT_PATH = Path("/etc/kiosk/kiosk.toml")
CONFIG_ENV = "KIOSK_CONFIG"


def default_config_path() -> Path:
    """``$KIOSK_CONFIG``, else /etc/kiosk/kiosk.toml."""
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_PATH)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with every control character written as an escape (\\x1b): a value quoted in a
    message can never move the technician's cursor, clear the screen or ring the bell."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


class ConfigError(Exception):
    """The configuration is unusable; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Service:
    code: str
    name: Mapping[str, str]
    hours: WeeklyHours
    minutes: float
    desks: int
    daily_cap: int | None = None
    icon: str | None = None  # a pictogram's name (kiosk.design.PICTOGRAMS)
    description: Mapping[str, str] = field(default_factory=dict)  # one line per language


IDLE_DEFAULT_S = 60  # back to the start after this long untouched (a warning first)
VOICES = ("espeak-ng", "piper", "none")
OUTPUTS = ("auto", "pw-play", "aplay", "paplay", "none")


@dataclass(frozen=True)
class Access:
    """[speech], [keypad] and [ui]: how the totem speaks, hears keys and waits (section 11)."""

    voice: str = "espeak-ng"  # espeak-ng, piper (with models) or none
    output: str = "auto"  # pw-play, aplay or paplay, whichever is installed; none
    volume: int = 80  # percent; changed on screen
    rate: int = 150  # words a minute
    speech: bool = False  # speak from the start (else: the speak control, or a keypad key)
    keypad_uri: str = "none://"  # evdev:///dev/input/by-id/...-event-kbd
    idle_s: int = IDLE_DEFAULT_S  # up to ten times the default
    reach: bool = False  # every control 380-1220 mm above the floor, from the start
    screen_bottom_mm: int | None = None  # the visible screen's bottom edge above the floor
    screen_height_mm: int | None = None  # the visible screen's height (portrait: the long side)


@dataclass(frozen=True)
class Config:
    """A validated configuration. Paths are absolute."""

    source: Path
    kiosk_id: str
    branch: str
    branch_name: str
    timezone: ZoneInfo
    languages: tuple[str, ...]
    data_dir: Path
    printer_uri: str
    on_fault: str
    paper_width: int
    scanner_uri: str
    central_url: str
    central_token_file: Path
    central_ca_file: Path | None
    server_listen: str
    status_url: str | None
    ticket_key_file: Path
    no_show_tolerance_min: int
    appointment_early_min: int
    appointment_grace_min: int
    wait_floor_min: int  # the phone page's wait range is never narrower than this either side
    services: tuple[Service, ...] = field(default_factory=tuple)
    privacy_controller: str = ""
    privacy_dpo: str = ""
    role: str = "host"  # or "satellite": issues and scans through the host (section 13)
    # The marker's second copy, outside the data folder (None: the data folder's name with
    # "-witness", beside it; see kiosk.store.marker).
    witness_dir: Path | None = None
    # or "display": a waiting-room screen showing this page (the host's /display) full screen
    display_url: str | None = None
    host_url: str | None = None  # a satellite's [branch] url, token_file and ca_file
    host_token_file: Path | None = None
    host_ca_file: Path | None = None
    server_tls_cert_file: Path | None = None  # the branch server serves https with these
    server_tls_key_file: Path | None = None
    server_phone_listen: str | None = None  # a second port for phones only (guest Wi-Fi)
    access: Access = field(default_factory=Access)
    branding: Branding = field(default_factory=Branding)
    # What config check says but the totem runs without (branding: kiosk.branding).
    notes: tuple[str, ...] = ()

    @property
    def server_tls(self) -> tuple[Path, Path] | None:
        if self.server_tls_cert_file and self.server_tls_key_file:
            return self.server_tls_cert_file, self.server_tls_key_file
        return None

    @property
    def database(self) -> Path:
        return self.data_dir / "kiosk.sqlite3"

    def service(self, code: str) -> Service | None:
        return next((s for s in self.services if s.code == code), None)


# ---------------------------------------------------------------------------------------------
# A small validating reader: each accessor records a problem under the key's path and returns
# None instead of raising, so one pass reports every problem in the file.


class _Reader:
    def __init__(self, base: Path) -> None:
        self.problems: list[str] = []
        self.notes: list[str] = []  # problems the totem runs without (the town's branding)
        self.base = base

    def problem(self, path: str, message: str) -> None:
        self.problems.append(visible(f"{path}: {message}"))

    def note(self, path: str, message: str) -> None:
        self.notes.append(visible(f"{path}: {message}"))

    def table(self, data: Mapping[str, Any], path: str, allowed: tuple[str, ...]) -> None:
        for key in data:
            if key not in allowed:
                self.problem(
                    f"{path}.{key}" if path else key, f"unknown key (allowed: {', '.join(allowed)})"
                )

    def get(
        self,
        data: Mapping[str, Any],
        path: str,
        key: str,
        kind: type | tuple[type, ...],
        *,
        default: Any = ...,
        check: Callable[[Any], str | None] | None = None,
    ) -> Any:
        full = f"{path}.{key}" if path else key
        if key not in data:
            if default is ...:
                self.problem(full, "missing")
                return None
            return default
        value = data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            names = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
            self.problem(full, f"{_show(value)} is not {names}")
            return None
        if check is not None:
            message = check(value)
            if message:
                self.problem(full, message)
                return None
        return value

    def path_value(
        self, data: Mapping[str, Any], path: str, key: str, default: Any = ...
    ) -> Path | None:
        text = self.get(data, path, key, str, default=default)
        if text is None:
            return None
        if not text.strip():
            self.problem(f"{path}.{key}" if path else key, "is empty: give a path")
            return None
        candidate = Path(text).expanduser()
        if candidate.is_absolute():
            return Path(os.path.normpath(candidate))  # "/a/../b" is "/b", as the kernel sees it
        return (self.base / candidate).resolve()


_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    list: "a list",
    dict: "a table",
    bool: "true or false",
}


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in choices else f"{_show(value)} is not one of {', '.join(choices)}"

    return check


def _range(low: float, high: float) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if low <= value <= high else f"{value} is outside {low:g}..{high:g}"

    return check


def _refused_by(module: str, parser: str, error: str) -> Callable[[Any], str | None]:
    """The driver's own parser as the check of a URI (one parser per value): what it refuses
    is refused here with its message. Imported when a value is checked, not before."""

    def check(value: Any) -> str | None:
        import importlib

        driver = importlib.import_module(module)
        try:
            getattr(driver, parser)(value)
        except getattr(driver, error) as exc:
            return str(exc)
        return None

    return check


_printer_uri = _refused_by("drivers.printer.uri", "parse", "PrinterUriError")
_scanner_uri = _refused_by("drivers.scanner.uri", "parse", "ScannerUriError")
_keypad_uri = _refused_by("drivers.keypad", "device_path", "KeypadUriError")


def _http_url(value: Any) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f'"{value}" is not an http:// or https:// URL'
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0 or parts.netloc.endswith(":") or not parts.hostname:
        return f'"{value}": the port is not a number from 1 to 65535'
    return None


def _central_url(value: Any) -> str | None:
    """An https:// URL; plain http only to this machine (the demo, the tests)."""
    problem = _http_url(value)
    if problem is None and urlsplit(value).scheme == "http" and not _loopback(value):
        return f'"{value}": plain http is allowed only to a loopback address; use https://'
    return problem


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _listen(value: Any) -> str | None:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        return f'"{value}" is not HOST:PORT (port 1..65535)'
    return None


BRANCH_NAME_MAX = 48  # characters: a display's header shows it whole, large enough to read


def _branch_name(value: str) -> str | None:
    if not value.strip():
        return "is empty"
    if len(value) > BRANCH_NAME_MAX:
        return f"is {len(value)} characters, at most {BRANCH_NAME_MAX} (displays show it whole)"
    return None


def _ident(value: Any) -> str | None:
    if value == "":
        return "not set (a freshly installed totem: see docs/technician.md)"
    if not events.is_ident(value):
        return f'"{value}" is not lowercase letters, digits and dashes (1-63 characters)'
    return None


def _role(value: Any) -> str | None:
    return None if value in ROLES else f'"{value}" is not a role ({", ".join(ROLES)})'


def _timezone(value: Any) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f'"{value}" is not a known timezone (like "Europe/Rome")'
    return None


def _status_url(value: Any) -> str | None:
    room = MAX_SCAN_LENGTH - PAYLOAD_LENGTH - 1 - SEAL_CHARS  # "#PAYLOAD.SEAL" at the end
    if _http_url(value):
        return _http_url(value)
    if "#" in value[:-1]:
        return f'"{value}": a "#" may only end the URL (the central\'s page: .../t/BRANCH/#)'
    if len(value) > room:
        return (
            f"is {len(value)} characters; at most {room} fit in a scannable code with the payload"
        )
    return None


# ---------------------------------------------------------------------------------------------

_SECTIONS = config_keys.TOP
ROLES = ("host", "satellite", "display")
# A display shows the host's page and keeps no queue: what only a totem needs is not asked of it.
_DISPLAY_DEFAULTS = {
    "id": "display", "branch": "display", "url": "http://127.0.0.1/", "timezone": "UTC",
    "data_dir": "/var/lib/kiosk", "token_file": "/etc/kiosk/secrets/central-token",
}  # fmt: skip


def parse(data: Mapping[str, Any], base: Path, source: Path) -> Config:
    """Validate parsed TOML and build the configuration.

    Raises:
        ConfigError: with every problem found.
    """
    r = _Reader(base)
    r.table(data, "", _SECTIONS)
    sections = {}
    for name in _SECTIONS[:-1]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            r.problem(name, f"{_show(value)} is not a table")
            value = {}
        sections[name] = value

    k = sections["kiosk"]
    r.table(k, "kiosk", config_keys.keys("kiosk"))
    role = r.get(k, "kiosk", "role", str, default="host", check=_role)
    display = role == "display"
    optional: dict[str, Any] = _DISPLAY_DEFAULTS if display else {}
    if display:  # the package's file leaves a totem's id and branch empty: a display needs neither
        k = {key: v for key, v in k.items() if not (key in ("id", "branch") and v == "")}
    kiosk_id = r.get(k, "kiosk", "id", str, check=_ident, default=optional.get("id", ...))
    branch = r.get(k, "kiosk", "branch", str, check=_ident, default=optional.get("branch", ...))
    branch_name = r.get(
        k, "kiosk", "branch_name", str, check=_branch_name,
        default="Display" if display else ...,
    )  # fmt: skip
    tz_name = r.get(
        k, "kiosk", "timezone", str, check=_timezone, default=optional.get("timezone", ...)
    )
    languages = _languages(r, k)
    data_dir = r.path_value(k, "kiosk", "data_dir", default=optional.get("data_dir", ...))
    witness_dir = r.path_value(k, "kiosk", "witness_dir", default=None)
    if (
        witness_dir is not None
        and data_dir is not None
        and (witness_dir == data_dir or data_dir in witness_dir.parents)
    ):
        r.problem("kiosk.witness_dir", "must not be inside kiosk.data_dir (it outlives it)")

    p = sections["printer"]
    r.table(p, "printer", config_keys.keys("printer"))
    printer_uri = r.get(p, "printer", "uri", str, default="none://", check=_printer_uri)
    on_fault = r.get(
        p, "printer", "on_fault", str, default="screen", check=_one_of(("screen", "block"))
    )
    width = r.get(
        p,
        "printer",
        "width",
        int,
        default=80,
        check=lambda v: None if v in (58, 80) else f"{v} is not 58 or 80 (mm)",
    )

    s = sections["scanner"]
    r.table(s, "scanner", config_keys.keys("scanner"))
    scanner_uri = r.get(s, "scanner", "uri", str, default="none://", check=_scanner_uri)

    c = sections["central"]
    r.table(c, "central", config_keys.keys("central"))
    central_url = r.get(
        c, "central", "url", str, check=_central_url, default=optional.get("url", ...)
    )
    token_file = r.path_value(c, "central", "token_file", default=optional.get("token_file", ...))
    ca_file = r.path_value(c, "central", "ca_file", default=None)

    sv = sections["server"]
    r.table(sv, "server", config_keys.keys("server"))
    listen = r.get(sv, "server", "listen", str, default="0.0.0.0:8080", check=_listen)
    phone_listen = r.get(sv, "server", "phone_listen", str, default=None, check=_listen)
    tls_cert = r.path_value(sv, "server", "tls_cert_file", default=None)
    tls_key = r.path_value(sv, "server", "tls_key_file", default=None)
    if (tls_cert is None) != (tls_key is None):
        missing, given = (
            ("tls_key_file", "tls_cert_file")
            if tls_key is None
            else ("tls_cert_file", "tls_key_file")
        )
        r.problem(
            f"server.{missing}",
            f"required with server.{given} (https with both, plain http with neither)",
        )

    b = sections["branch"]
    r.table(b, "branch", config_keys.keys("branch"))
    host_url = r.get(b, "branch", "url", str, default=None, check=_central_url)
    host_token = r.path_value(b, "branch", "token_file", default=None)
    host_ca = r.path_value(b, "branch", "ca_file", default=None)
    if role == "satellite":
        for key, value in (("url", host_url), ("token_file", host_token)):
            if value is None and key not in b:
                r.problem(f"branch.{key}", 'required with kiosk.role = "satellite"')

    t = sections["ticket"]
    r.table(t, "ticket", config_keys.keys("ticket"))
    status_url = r.get(t, "ticket", "status_url", str, default=None, check=_status_url)
    key_file = r.path_value(t, "ticket", "key_file", default=None)
    if key_file is None and data_dir is not None and "key_file" not in t:
        key_file = data_dir / "secrets" / "ticket-key"

    q = sections["queue"]
    r.table(q, "queue", config_keys.keys("queue"))
    tolerance = r.get(q, "queue", "no_show_tolerance_min", int, default=15, check=_range(0, 240))
    early = r.get(q, "queue", "appointment_early_min", int, default=30, check=_range(0, 240))
    grace = r.get(q, "queue", "appointment_grace_min", int, default=10, check=_range(0, 240))
    floor = r.get(q, "queue", "wait_floor_min", int, default=3, check=_range(0, 60))

    pv = sections["privacy"]
    r.table(pv, "privacy", config_keys.keys("privacy"))
    nonempty = lambda v: None if v.strip() else "is empty"  # noqa: E731
    controller = r.get(pv, "privacy", "controller", str, default=None, check=nonempty)
    dpo = r.get(pv, "privacy", "dpo", str, default="", check=None)

    dp = sections["display"]
    r.table(dp, "display", config_keys.keys("display"))
    display_url = r.get(dp, "display", "url", str, default=None, check=_http_url)
    if display and display_url is None and "url" not in dp:
        r.problem("display.url", 'required with kiosk.role = "display" (the host\'s /display page)')

    raw_services = data.get("services")
    services = (
        [] if display and raw_services is None
        else _services(r, raw_services, languages or ())
    )  # fmt: skip
    access = _access(r, sections)
    branding = _branding(r, sections["branding"])

    if r.problems:
        raise ConfigError(r.problems)
    # Every value below was checked; a None would have recorded a problem above.
    assert languages and data_dir and token_file and key_file
    return Config(
        source=source,
        kiosk_id=kiosk_id,
        branch=branch,
        branch_name=branch_name,
        timezone=ZoneInfo(tz_name),
        languages=tuple(languages),
        data_dir=data_dir,
        witness_dir=witness_dir,
        printer_uri=printer_uri,
        on_fault=on_fault,
        paper_width=width,
        scanner_uri=scanner_uri,
        central_url=central_url.rstrip("/"),
        central_token_file=token_file,
        central_ca_file=ca_file,
        role=role or "host",
        display_url=display_url,
        host_url=host_url.rstrip("/") if host_url else None,
        host_token_file=host_token,
        host_ca_file=host_ca,
        server_listen=listen,
        server_tls_cert_file=tls_cert,
        server_tls_key_file=tls_key,
        server_phone_listen=phone_listen,
        status_url=status_url,
        ticket_key_file=key_file,
        no_show_tolerance_min=tolerance,
        appointment_early_min=early,
        appointment_grace_min=grace,
        wait_floor_min=floor,
        services=tuple(services),
        privacy_controller=controller or branch_name,
        privacy_dpo=dpo or "",
        access=access,
        branding=branding,
        notes=tuple(r.notes),
    )


def _branding(r: _Reader, b: Mapping[str, Any]) -> Branding:
    """[branding]: each problem a note, the screens drawn without what it names."""
    r.table(b, "branding", config_keys.keys("branding"))
    primary, logo = None, None
    value = b.get("primary")
    if value is not None:
        problem = (
            primary_problem(value) if isinstance(value, str) else f"{_show(value)} is not a string"
        )
        if problem:
            r.note("branding.primary", problem)
        else:
            primary = value.lower()
    if "logo" in b:
        holder = _Reader(r.base)
        logo = holder.path_value(b, "branding", "logo")
        for line in holder.problems:
            r.notes.append(line)
        if logo is not None:
            try:
                logo_bytes(logo)
            except LogoError as exc:
                r.note("branding.logo", str(exc))
                logo = None
    return Branding(primary=primary, logo=logo)


def _access(r: _Reader, sections: Mapping[str, Any]) -> Access:
    sp, kp, ui = sections["speech"], sections["keypad"], sections["ui"]
    r.table(sp, "speech", config_keys.keys("speech"))
    r.table(kp, "keypad", config_keys.keys("keypad"))
    r.table(ui, "ui", config_keys.keys("ui"))
    bottom = r.get(ui, "ui", "screen_bottom_mm", int, default=None, check=_range(0, 2500))
    tall = r.get(ui, "ui", "screen_height_mm", int, default=None, check=_range(100, 2500))
    reach = bool(r.get(ui, "ui", "reach", bool, default=False, check=None))
    if (reach or bottom is not None or tall is not None) and (bottom is None or tall is None):
        r.problem("ui.reach", "needs both ui.screen_bottom_mm and ui.screen_height_mm")
    keypad = r.get(kp, "keypad", "uri", str, default="none://", check=_keypad_uri)
    return Access(
        voice=r.get(sp, "speech", "voice", str, default="espeak-ng", check=_one_of(VOICES)) or "",
        output=r.get(sp, "speech", "output", str, default="auto", check=_one_of(OUTPUTS)) or "",
        volume=r.get(sp, "speech", "volume", int, default=80, check=_range(0, 100)) or 0,
        rate=r.get(sp, "speech", "rate", int, default=150, check=_range(80, 400)) or 150,
        speech=bool(r.get(sp, "speech", "on", bool, default=False, check=None)),
        keypad_uri=keypad or "none://",
        idle_s=r.get(
            ui, "ui", "idle_s", int, default=IDLE_DEFAULT_S, check=_range(20, 10 * IDLE_DEFAULT_S)
        )
        or IDLE_DEFAULT_S,
        reach=reach,
        screen_bottom_mm=bottom,
        screen_height_mm=tall,
    )


def _languages(r: _Reader, k: Mapping[str, Any]) -> list[str] | None:
    langs = r.get(k, "kiosk", "languages", list, default=["it", "en"])
    if langs is None:
        return None
    ok = True
    for i, lang in enumerate(langs):
        if lang not in LANGUAGES:
            r.problem(
                f"kiosk.languages[{i}]",
                f"{_show(lang)} is not a supported language ({', '.join(LANGUAGES)})",
            )
            ok = False
    if not langs:
        r.problem("kiosk.languages", "is empty; the first language is the branch default")
        ok = False
    if len(set(langs)) != len(langs):
        r.problem("kiosk.languages", "lists a language twice")
        ok = False
    return langs if ok else None


def _services(r: _Reader, raw: Any, languages: tuple[str, ...] | list[str]) -> list[Service]:
    if raw is None:
        r.problem("services", "missing: at least one [[services]] table")
        return []
    if not isinstance(raw, list) or not raw:
        r.problem("services", "must be one or more [[services]] tables")
        return []
    services: list[Service] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw):
        path = f"services[{i}]"
        if not isinstance(item, dict):
            r.problem(path, f"{_show(item)} is not a table")
            continue
        before = len(r.problems)
        r.table(item, path, config_keys.SERVICE_KEYS)
        code = r.get(
            item,
            path,
            "code",
            str,
            check=lambda v: (
                None if SERVICE_CODE.match(v) else f'"{v}" is not one or two capital letters'
            ),
        )
        if code is not None:
            if code in seen:
                r.problem(f"{path}.code", f'"{code}" is already used by services[{seen[code]}]')
            seen.setdefault(code, i)
        name = _service_name(r, item, path, languages)
        hours = _hours(r, item, path)
        minutes = r.get(item, path, "minutes", (int, float), check=_range(0.5, 240))
        desks = r.get(item, path, "desks", int, default=1, check=_range(1, 99))
        cap = r.get(item, path, "daily_cap", int, default=None, check=_range(1, MAX_NUMBER))
        icon, description = _service_look(r, item, path)
        if len(r.problems) == before:
            assert name is not None and hours is not None
            services.append(
                Service(code, name, hours, float(minutes), desks, cap, icon, description)
            )
    return services


def _service_look(
    r: _Reader, item: Mapping[str, Any], path: str
) -> tuple[str | None, dict[str, str]]:
    """A service's pictogram and description: notes, never problems (kiosk.branding)."""
    icon = item.get("icon")
    if icon is not None:
        problem = icon_problem(icon) if isinstance(icon, str) else f"{_show(icon)} is not a string"
        if problem:
            r.note(f"{path}.icon", problem)
            icon = None
    described: dict[str, str] = {}
    raw = item.get("description", {})
    if not isinstance(raw, dict):
        r.note(f"{path}.description", f"{_show(raw)} is not a table of languages")
        raw = {}
    for lang, text in raw.items():
        problem = (
            f"unknown language (supported: {', '.join(LANGUAGES)})"
            if lang not in LANGUAGES
            else description_problem(text)
        )
        if problem:
            r.note(f"{path}.description.{lang}", problem)
        else:
            described[lang] = text.strip()
    return icon, described


def _service_name(
    r: _Reader, item: Mapping[str, Any], path: str, languages: Any
) -> dict[str, str] | None:
    name = r.get(item, path, "name", dict)
    if name is None:
        return None
    for lang, text in name.items():
        if lang not in LANGUAGES:
            r.problem(
                f"{path}.name.{lang}", f"unknown language (supported: {', '.join(LANGUAGES)})"
            )
        elif not isinstance(text, str) or not text.strip():
            r.problem(f"{path}.name.{lang}", f"{_show(text)} is not a non-empty string")
    for lang in languages:
        if lang not in name:
            r.problem(f"{path}.name", f'has no "{lang}" text, and kiosk.languages lists "{lang}"')
    return dict(name)


def _hours(r: _Reader, item: Mapping[str, Any], path: str) -> WeeklyHours | None:
    spec = r.get(item, path, "hours", dict)
    if spec is None:
        return None
    ok = True
    for day, intervals in spec.items():
        where = f"{path}.hours.{day}"
        if day not in WEEKDAYS:
            r.problem(where, f"unknown day (use {', '.join(WEEKDAYS)})")
            ok = False
            continue
        if not isinstance(intervals, list) or not all(isinstance(x, str) for x in intervals):
            r.problem(where, f'{_show(intervals)} is not a list of "HH:MM-HH:MM" intervals')
            ok = False
            continue
        try:
            WeeklyHours.parse({day: intervals})
        except HoursError as exc:
            r.problem(where, str(exc))
            ok = False
    return WeeklyHours.parse(spec) if ok else None


def read(path: Path) -> Mapping[str, Any]:
    """Read a TOML file.

    Raises:
        ConfigError: the file cannot be read or is not valid TOML.
    """
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such file"]) from None
    except PermissionError as exc:  # not a configuration problem: said as one line, exit 1
        raise PermissionError(exc.errno, exc.strerror, str(path)) from None
    except IsADirectoryError:
        raise ConfigError([f"{path}: is a directory, not a file"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: not valid TOML: not UTF-8 text"]) from None
    except RecursionError:  # tomllib recurses once per level of nesting
        raise ConfigError([f"{path}: not valid TOML: arrays or tables nested too deeply"]) from None


def load(path: Path) -> Config:
    """Read and validate a configuration file.

    Raises:
        ConfigError: with every problem found.
    """
    path = path.expanduser().absolute()
    return parse(read(path), path.parent, path)


CREDENTIALS = "CREDENTIALS_DIRECTORY"  # set by systemd when a unit passes credentials
# systemd credential name -> the Config field holding that secret's path.
CREDENTIAL_FIELDS = {
    "central-token": "central_token_file",
    "ticket-key": "ticket_key_file",
    "branch-tls-key": "server_tls_key_file",
    "branch-token": "host_token_file",  # a satellite's token for its host (kiosk totem join)
}


def with_credentials(config: Config) -> Config:
    """Read secrets from systemd credentials (``LoadCredential=``) when the unit passes them.

    The units hide /etc/kiosk/secrets from the processes; systemd copies each secret into a
    private, read-only ``$CREDENTIALS_DIRECTORY`` instead.
    """
    folder = os.environ.get(CREDENTIALS)
    if not folder:
        return config
    found = {
        field: Path(folder) / name
        for name, field in CREDENTIAL_FIELDS.items()
        if (Path(folder) / name).is_file()
    }
    return dataclasses.replace(config, **found) if found else config  # type: ignore[arg-type]
