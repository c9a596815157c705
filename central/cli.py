"""``kiosk central``: the central service and its administration (docs/command.md).

Plugs into ``kiosk`` through the ``kiosk.commands`` entry point, so the totem never imports it.
Every subcommand takes ``--database URL`` (or ``$KIOSK_CENTRAL_DATABASE``): ``sqlite:///PATH``,
the embedded default, or ``postgresql://...``.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from central import bookings, stats, store
from central.db import BadDatabase, Database, connect, sqlite_path, sqlite_url
from kiosk.branding import Branding
from kiosk.cli.context import Context, Fail, check_bindable, emit, handled, host_port, json_option
from kiosk.core.events import MAX_BATCH_BYTES as MAX_BODY

if TYPE_CHECKING:
    from central.faults import Faults

F = TypeVar("F", bound=Callable[..., Any])
IDENT = re.compile(r"[a-z0-9][a-z0-9-]{0,62}", re.ASCII)
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,62}", re.ASCII)
ENV = "KIOSK_CENTRAL_DATABASE"
log = logging.getLogger("central")
DEFAULT_FOLDER = Path("/var/lib/kiosk-central")
DATABASE_HELP = (
    "sqlite:///PATH or postgresql://... (default: central.sqlite3 in the totem configuration's"
    f" data_dir, or {DEFAULT_FOLDER}/central.sqlite3 without one; ${ENV})"
)


def _ident(option: str, value: str, pattern: re.Pattern[str] = IDENT) -> str:
    if not pattern.fullmatch(value):
        allowed = "a-z, 0-9 and -" if pattern is IDENT else "letters, digits and ._@-"
        raise Fail(f"{option}: {value[:70]!r} is not allowed (1-63 of {allowed})", 2)
    return value


def _default_url(obj: Context) -> str:
    try:
        data_dir = obj.config.data_dir if obj.config_path.exists() else None
    except Exception:  # an unreadable totem configuration: not the central's business
        data_dir = None
    return sqlite_url((data_dir or DEFAULT_FOLDER) / "central.sqlite3")


def with_db(func: F) -> F:
    """Add ``--database`` and pass an open :class:`Database` as ``db`` (an embedded one is
    made when missing: for the commands that add)."""
    return _with_db(func, create=True)


def reads_db(func: F) -> F:
    """As :func:`with_db`, for commands that read or remove: a missing embedded database is
    said in one line, never made."""
    return _with_db(func, create=False)


def _with_db(func: F, create: bool) -> F:
    @click.option("--database", "url", envvar=ENV, default=None, metavar="URL", help=DATABASE_HELP)
    @functools.wraps(func)
    def wrapper(*args: Any, url: str | None, **kwargs: Any) -> Any:
        obj = click.get_current_context().find_object(Context)
        assert obj is not None
        url = url or _default_url(obj)
        if not create and url.startswith("sqlite:///"):
            path = sqlite_path(url)
            if not path.exists():
                raise Fail(
                    f"database: no central database at {path} (give --database URL; the first"
                    " `kiosk central kiosk add` makes it)",
                    1,
                )
        try:
            db = connect(_prepared(url))
        except BadDatabase as exc:
            raise _bad(exc) from None
        try:
            return func(*args, db=db, **kwargs)
        except store.Taken as exc:
            raise Fail(str(exc), 2) from None
        finally:
            db.close()

    return wrapper  # type: ignore[return-value]


@click.group("central")
def central_group() -> None:
    """The central service: a town's totems, their appointments and the managers' statistics.

    \b
    Examples:
      kiosk central serve --listen 0.0.0.0:8765 --database postgresql://central@db/central
      kiosk central serve --primary '#7a1f2b' --logo /etc/kiosk-central/crest.svg
      kiosk central kiosk add roma-m1-totem-1 --branch roma-m1
      kiosk central stats --branch roma-m1 --from 2026-11-01 --json
    """


@central_group.command("serve")
@click.option("--listen", default="127.0.0.1:8765", show_default=True, metavar="HOST:PORT",
              help="Address and port to serve on (0.0.0.0 for every interface).")  # fmt: skip
@click.option("--database", "url", envvar=ENV, default=None, metavar="URL", help=DATABASE_HELP)
@click.option("--retention-days", type=click.IntRange(1, 366), default=7, show_default=True,
              help="Days per-ticket rows are kept; their counts are kept for ever.")  # fmt: skip
@click.option("--tls-cert", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Serve https with this certificate (PEM; with --tls-key).")  # fmt: skip
@click.option("--tls-key", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The certificate's private key (PEM; with --tls-cert).")  # fmt: skip
@click.option(
    "--primary",
    default=None,
    metavar="COLOUR",
    help="The town's colour on the pages' header and buttons (#7a1f2b).",
)
@click.option(
    "--logo",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="The town's crest on the pages: an SVG or a PNG.",
)
@click.option("--error-rate", type=click.FloatRange(0, 1), default=None,
              help="Testing: share of 5xx answers to the totems.")  # fmt: skip
@click.option("--throttle-rate", type=click.FloatRange(0, 1), default=None, help="Testing: 429s.")
@click.option("--slow-rate", type=click.FloatRange(0, 1), default=None, help="Testing: slow.")
@click.option("--slow-seconds", type=click.FloatRange(0, 60), default=None,
              help="Testing: how slow (2 s when --slow-rate is given).")  # fmt: skip
@click.option("--drop-rate", type=click.FloatRange(0, 1), default=None,
              help="Testing: connections dropped after storing.")  # fmt: skip
@click.option(
    "--max-body",
    type=click.IntRange(1, MAX_BODY),
    default=None,
    help=f"Testing: 413 above this many bytes (the service's own limit: {MAX_BODY}).",
)
@click.option("--retry-after", type=click.IntRange(0, 3600), default=None,
              help="Testing: with 429s (1 s).")  # fmt: skip
@click.option("--reject-service", "reject_services", multiple=True, metavar="CODE",
              help="Testing: answer 422 for this service's events.")  # fmt: skip
@click.option("--seed", type=int, default=None, help="Testing: seed of the injected faults.")
@json_option
@click.pass_obj
@handled
def serve_cmd(obj: Context, /, listen: str, url: str | None, retention_days: int,
              tls_cert: Path | None, tls_key: Path | None, primary: str | None,
              logo: Path | None, as_json: bool, **faults: Any) -> None:  # fmt: skip
    """Serve the totems, the booking system, the managers and the citizens' phones.

    Stateless: start as many as the load needs, against the same PostgreSQL, behind a load
    balancer (docs/central.md).

    \b
    Examples:
      kiosk central serve --listen 0.0.0.0:8765 --database postgresql://central@db/central
      kiosk central serve --primary '#7a1f2b' --logo /etc/kiosk-central/crest.svg
      kiosk central serve --error-rate 0.3 --drop-rate 0.1   (testing the totems' retries)
    """
    from central.server import CentralServer  # the server stack only when serving
    from kiosk.serving import raise_file_limit

    branding = _branding(primary, logo)
    host, port = host_port("--listen", listen)
    if (tls_cert is None) != (tls_key is None):
        raise Fail("--tls-cert and --tls-key: give both or neither", 2)
    check_bindable("--listen", listen, host, port)
    url = _prepared(url or _default_url(obj))
    tls = (tls_cert, tls_key) if tls_cert and tls_key else None
    testing = _testing(faults)
    raise_file_limit()  # a thousand idle clients must not run it out of files
    try:
        server = CentralServer(url, testing, host, port, tls, retention_days=retention_days,
                               lifespan="on", record=False, branding=branding)  # fmt: skip
    except BadDatabase as exc:
        raise _bad(exc) from None
    click.echo(f"central service on {server.scheme}://{host}:{port} ({server.db.engine})")
    try:
        server.server.run()
    finally:
        server.db.close()


def _branding(primary: str | None, logo: Path | None) -> Branding:
    """The town's look, or one clear line on what is wrong with it (exit 2)."""
    from kiosk.branding import LogoError, logo_bytes, primary_problem

    if primary is not None:
        problem = primary_problem(primary)
        if problem:
            raise Fail(f"--primary: {problem}", 2)
        primary = primary.lower()
    if logo is not None:
        try:
            logo_bytes(logo)
        except LogoError as exc:
            raise Fail(f"--logo: {exc}", 2) from None
        logo = logo.absolute()
    return Branding(primary=primary, logo=logo)


def _testing(options: dict[str, Any]) -> Faults | None:
    """The fault layer the testing options ask for; None (nothing in front of the service) when
    none was given. In production it is never there: it reads a body before the token is
    checked, which only a test may afford."""
    from central.faults import Faults

    given = {k: v for k, v in options.items() if v is not None and v != ()}
    if not given or set(given) <= {"seed"}:
        return None
    if "reject_services" in given:
        given["reject_services"] = set(given["reject_services"])
    if "slow_rate" in given and "slow_seconds" not in given:
        given["slow_seconds"] = 2.0
    return Faults(**given)


def _prepared(url: str) -> str:
    if url.startswith("sqlite:///"):
        sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
    return url


def _bad(exc: BadDatabase) -> Fail:
    return Fail(str(exc), 2 if "not a database URL" in str(exc) else 1)


@central_group.group("kiosk")
def kiosk_group() -> None:
    """The totems allowed to send, each to its own branch."""


@kiosk_group.command("add")
@click.argument("kiosk")
@click.option("--branch", required=True, help="The branch whose events this kiosk may send.")
@json_option
@with_db
@handled
def kiosk_add(kiosk: str, branch: str, as_json: bool, db: Database) -> None:
    """Register KIOSK for a branch; prints its token alone (kept only hashed).

    \b
    Example:
      kiosk central kiosk add roma-m1-totem-1 --branch roma-m1 > central-token
    """
    token = store.add_kiosk(db, _ident("KIOSK", kiosk), _ident("--branch", branch))
    emit({"kiosk": kiosk, "branch": branch, "token": token}, as_json, token)


@kiosk_group.command("remove")
@click.argument("kiosk")
@json_option
@reads_db
@handled
def kiosk_remove(kiosk: str, as_json: bool, db: Database) -> None:
    """Revoke KIOSK's token: its next request gets 401.

    \b
    Example:
      kiosk central kiosk remove roma-m1-totem-1
    """
    if not store.remove_kiosk(db, kiosk):
        raise Fail(f"KIOSK: {kiosk[:70]!r} is not registered", 2)
    emit({"kiosk": kiosk, "removed": True}, as_json, f"kiosk {kiosk} removed")


@kiosk_group.command("list")
@json_option
@reads_db
@handled
def kiosk_list(as_json: bool, db: Database) -> None:
    """The registered kiosks and their branches.

    \b
    Example:
      kiosk central kiosk list --json
    """
    found = store.kiosks(db)
    emit({"kiosks": [{"kiosk": k.id, "branch": k.branch} for k in found]}, as_json,
         "\n".join(f"{k.id}  {k.branch}" for k in found) or "no kiosk registered")  # fmt: skip


def _staff_group(role: str, what: str) -> click.Group:
    group = click.Group(role, help=f"Tokens for {what}.")

    @group.command("add")
    @click.argument("name")
    @click.option("--branch", default=None, help="One branch (default: the whole town).")
    @json_option
    @with_db
    @handled
    def add(name: str, branch: str | None, as_json: bool, db: Database) -> None:
        """Print a new token alone, for one branch or the whole town (kept only hashed).

        \b
        Examples:
          kiosk central manager add m.rossi --branch roma-m1
          kiosk central booking add cup
        """
        if branch is not None:
            _ident("--branch", branch)
        token = store.add_staff(db, _ident("NAME", name, NAME), role, branch)
        emit({"name": name, "role": role, "branch": branch, "token": token}, as_json, token)

    @group.command("remove")
    @click.argument("name")
    @json_option
    @reads_db
    @handled
    def remove(name: str, as_json: bool, db: Database) -> None:
        """Revoke NAME's token.

        \b
        Example:
          kiosk central manager remove m.rossi
        """
        if not store.remove_staff(db, name):
            raise Fail(f"NAME: {name[:70]!r} is not registered", 2)
        emit({"name": name, "removed": True}, as_json, f"{name} removed")

    return group


central_group.add_command(_staff_group("manager", "branch managers (the statistics)"))
central_group.add_command(_staff_group("booking", "the booking system (PUT appointments)"))


@central_group.command("branch")
@click.argument("branch")
@click.option("--name", default=None, help="Shown on the phone page.")
@click.option("--service", "services", multiple=True, metavar="CODE=NAME",
              help="A service's name on the phone page; repeat for each.")  # fmt: skip
@json_option
@with_db
@handled
def branch_cmd(branch: str, name: str | None, services: tuple[str, ...], as_json: bool,
               db: Database) -> None:  # fmt: skip
    """Name a branch and its services for the citizens' phone page.

    \b
    Example:
      kiosk central branch roma-m1 --name "Municipio I" --service A=Anagrafe
    """
    names = {}
    for item in services:
        code, sep, label = item.partition("=")
        if not sep or not re.fullmatch(r"[A-Z]{1,2}", code) or not label.strip():
            raise Fail(f"--service: {item[:70]!r} is not CODE=NAME (CODE: A to ZZ)", 2)
        names[code] = label.strip()
    store.set_branch(db, _ident("BRANCH", branch), name, names)
    emit({"branch": branch, "name": name, "services": names}, as_json, f"branch {branch} set")


@central_group.group("appointments")
def appointments_group() -> None:
    """Appointments from the booking system."""


@appointments_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--branch", required=True, help="The branch these appointments are for.")
@click.option("--day", required=True, metavar="YYYY-MM-DD",
              help="The day they replace (that branch's appointments of that day).")  # fmt: skip
@json_option
@with_db
@handled
def appointments_import(file: Path, branch: str, day: str, as_json: bool, db: Database) -> None:
    """Replace a branch's appointments of a day from a CSV or JSON file; codes are hashed as
    they are read and never stored.

    \b
    Example:
      kiosk central appointments import bookings.csv --branch roma-m1 --day 2026-11-24
    """
    _ident("--branch", branch)
    the_day = _parse_day("--day", day)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise Fail(f"FILE: cannot read {file}: {exc.strerror}", 2) from None
    kind = "json" if data.lstrip()[:1] in (b"{", b"[") else "csv"
    try:
        items = bookings.parse(data, kind)
    except bookings.BadBookings as exc:
        raise Fail(f"{file}: {exc}", 2) from None
    n = store.put_appointments(db, branch, the_day.isoformat(), items)
    warning = bookings.weak_codes(data, kind)
    if warning:
        click.echo(f"warning: {warning}", err=True)
    result: dict[str, Any] = {"branch": branch, "day": the_day.isoformat(), "appointments": n}
    emit({**result, "warning": warning} if warning else result, as_json,
         f"{n} appointment(s) for {branch} on {the_day}")  # fmt: skip


def _parse_day(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Fail(f"{option}: {value[:30]!r} is not a day YYYY-MM-DD", 2) from None


@central_group.command("stats")
@click.option("--branch", required=True, help="The branch (kiosk list names them).")
@click.option("--from", "first", default=None, metavar="YYYY-MM-DD", help="Default: 6 days ago.")
@click.option("--to", "last", default=None, metavar="YYYY-MM-DD", help="Default: today.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@json_option
@reads_db
@handled
def stats_cmd(branch: str, first: str | None, last: str | None, as_csv: bool, as_json: bool,
              db: Database) -> None:  # fmt: skip
    """A branch's figures per service, day and hour; never per desk or person.

    \b
    Example:
      kiosk central stats --branch roma-m1 --from 2026-11-16 --to 2026-11-22 --json
    """
    _ident("--branch", branch)
    to = _parse_day("--to", last) if last else datetime.now(UTC).date()
    since = _parse_day("--from", first) if first else to - timedelta(days=6)
    if since > to:
        raise Fail(f"--from: {since} is after --to {to}", 2)
    known = store.branches(db)
    if branch not in known:  # "nothing received" would hide a typing mistake
        listed = ", ".join(known[:10]) + (", ..." if len(known) > 10 else "") or "none yet"
        raise Fail(f"--branch: {branch} is not a branch of this service (known: {listed})", 2)
    doc = stats.compute(branch, since.isoformat(), to.isoformat(),
                        store.figures(db, branch, since.isoformat(), to.isoformat()))  # fmt: skip
    if as_csv:
        click.echo(stats.to_csv(doc), nl=False)
        return
    emit(doc, as_json, stats.describe(doc))


@central_group.command("purge")
@click.option("--retention-days", type=click.IntRange(1, 366), default=7, show_default=True,
              help="Days per-ticket rows are kept; their counts are kept for ever.")  # fmt: skip
@json_option
@reads_db
@handled
def purge_cmd(retention_days: int, as_json: bool, db: Database) -> None:
    """Apply the retention now (the service also does it every hour).

    \b
    Example:
      kiosk central purge --retention-days 7
    """
    done = store.retain(db, datetime.now(UTC), retention_days)
    emit({"rows": done.rows, "appointments": done.appointments}, as_json,
         f"deleted {done.rows} per-ticket row(s) (counted first) and"
         f" {done.appointments} past appointment(s)")  # fmt: skip
