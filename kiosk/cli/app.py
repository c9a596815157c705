"""The command group and the everyday commands: issue, scan, status, purge, config."""

from __future__ import annotations

import importlib
import json
import logging
from pathlib import Path
from typing import Any, ClassVar

import click

from kiosk import __version__, clocks, plugins
from kiosk import config as config_mod
from kiosk.cli.context import (
    Context,
    Fail,
    emit,
    handled,
    json_option,
)
from kiosk.logs import setup_logging
from kiosk.reports import ServiceReports
from kiosk.store import Store
from kiosk.store import purge as retention
from kiosk.store import state as shared
from kiosk.store.marker import witness_dir_of
from kiosk.totem import Unavailable


class LazyGroup(click.Group):
    """A group whose heavier subcommands are imported only when run (or listed), so ``kiosk
    ui`` does not load the web server and ``kiosk status`` does not load Qt."""

    LAZY: ClassVar[dict[str, str]] = {
        "demo": "kiosk.cli.demo:demo",
        "printer": "kiosk.cli.hardware:printer_group",
        "scanner": "kiosk.cli.hardware:scanner_group",
        "ui": "kiosk.cli.ui_cmds:ui_cmd",
        "screenshot": "kiosk.cli.ui_cmds:screenshot_cmd",
        "say": "kiosk.cli.ui_cmds:say_cmd",
        "serve": "kiosk.cli.server_cmds:serve_cmd",
        "desk": "kiosk.cli.server_cmds:desk_group",
        "display": "kiosk.cli.display_cmds:display_group",
        "totem": "kiosk.cli.totem_cmds:totem_group",
        "tls": "kiosk.cli.tls_cmds:tls_group",
        "doctor": "kiosk.cli.doctor_cmd:doctor_cmd",
        "decommission": "kiosk.cli.decommission:decommission_cmd",
        "status": "kiosk.cli.status_cmd:status_cmd",
        "store": "kiosk.cli.store_cmds:store_group",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY, *plugins.names(plugins.COMMANDS)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            module, attr = self.LAZY[cmd_name].split(":")
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        found = super().get_command(ctx, cmd_name)
        if found is None:
            found = plugins.load(plugins.COMMANDS, cmd_name)
        return found


log = logging.getLogger(__name__)

# Long-running processes (systemd units, the demo): they log from INFO.
SERVICES = frozenset({"ui", "sync", "serve", "purge", "central", "demo"})


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="kiosk", message="%(prog)s %(version)s")
@click.option(
    "--config",
    "config_path",
    # Not click's own readability check: an unreadable file is the permission line, exit 1.
    type=click.Path(dir_okay=False, readable=False, path_type=Path),
    default=None,
    help="Configuration file (default: $KIOSK_CONFIG, else /etc/kiosk/kiosk.toml).",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Totem: the queue totem of a public office.

    \b
    Examples:
      kiosk config check
      kiosk issue A --json
      kiosk status
    """
    setup_logging(service=ctx.invoked_subcommand in SERVICES)
    if ctx.obj is None:
        ctx.obj = Context(config_path or config_mod.default_config_path())
    elif config_path is not None:
        ctx.obj.config_path = config_path
    ctx.call_on_close(ctx.obj.close)


pass_context = click.make_pass_decorator(Context)


# -- config -----------------------------------------------------------------------------------


@cli.group("config")
def config_group() -> None:
    """Check, show and change the configuration."""


@config_group.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@json_option
@pass_context
def config_check(obj: Context, path: Path | None, as_json: bool) -> None:
    """Validate a configuration file: exit 0, or exit 2 with one line per problem.

    \b
    Example:
      kiosk config check /etc/kiosk/kiosk.toml
    """
    target = path or obj.config_path
    try:
        problems = list(config_mod.load(target).notes)  # the totem runs, without these
    except config_mod.ConfigError as exc:
        problems = exc.problems
    if problems:
        if as_json:
            key = problems[0].split(":", 1)[0]
            error = {"error": "; ".join(problems), "key": key, "problems": problems}
            click.echo(json.dumps(error, ensure_ascii=False))
        else:
            for line in problems:
                click.echo(line)
        raise click.exceptions.Exit(2) from None
    emit({"ok": True, "path": str(target)}, as_json, f"{target}: ok")


@config_group.command("show")
@json_option
@pass_context
@handled
def config_show(obj: Context, as_json: bool) -> None:
    """Print the configuration in force, defaults filled in.

    \b
    Example:
      kiosk config show --json
    """
    data = effective(obj.config)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else as_toml(data))


@config_group.command("set", context_settings={"ignore_unknown_options": True})
@click.argument("assignments", nargs=-1, required=True, metavar="KEY VALUE | KEY=VALUE...")
@json_option
@pass_context
def config_set(obj: Context, assignments: tuple[str, ...], as_json: bool) -> None:
    """Set keys in the configuration file, keeping its comments and layout.

    Either one KEY VALUE, or any number of KEY=VALUE: keys that belong together (a satellite's
    role and host, a certificate and its key) are set in one command, checked together and
    written at once. The whole new configuration is validated first; on any problem the change
    brings nothing is written and the problems are printed (exit 2). A file that already lacked
    keys (a new totem) is filled in a few keys at a time: what it still lacks is said after
    each. VALUE is a TOML value (10, true, ["it", "en"]) or text. Says which services to restart
    for the change to take effect.

    \b
    Examples:
      kiosk config set printer.uri tcp://192.168.1.50:9100
      kiosk config set services[0].minutes 10
      kiosk config set kiosk.languages '["it", "en", "fr"]'
      kiosk config set kiosk.role=satellite branch.url=https://192.168.1.10:8080
      kiosk config set services[0].minutes -5     (refused: a value may start with "-")
    """
    from kiosk.config_edit import EditError, set_values

    try:
        pairs = _pairs(assignments)
        changes = set_values(obj.config_path, pairs)
    except EditError as exc:
        if as_json:
            keys = [a.split("=", 1)[0] for a in assignments]
            click.echo(json.dumps({"error": "; ".join(exc.lines), "key": keys[0], "keys": keys}))
        else:
            for line in exc.lines:
                click.echo(line, err=True)
        raise click.exceptions.Exit(2) from None
    if as_json:
        items = [{"key": c.key, "value": c.value, "changed": c.changed} for c in changes]
        restart = list(dict.fromkeys(u for c in changes for u in c.restart))
        pending = list(changes[0].pending) if any(c.changed for c in changes) else []
        data = (
            {**items[0], "restart": restart, "pending": pending}
            if len(items) == 1
            else {"changes": items, "restart": restart, "pending": pending}
        )
        emit(data, True, "")
        return
    for change in changes:
        if change.changed:
            click.echo(f"{change.key} = {change.value}  written to {obj.config_path}")
        else:
            click.echo(f"{change.key} = {change.value} (unchanged)")
    if not any(c.changed for c in changes):
        return
    for line in changes[0].pending:
        click.echo(f"still to set: {line}")
    restart = list(dict.fromkeys(u for c in changes for u in c.restart))
    if restart and not changes[0].pending:
        click.echo(f"restart: systemctl restart {' '.join(restart)}")


def _pairs(assignments: tuple[str, ...]) -> list[tuple[str, str]]:
    """``KEY VALUE`` (two words, the first without "=") or ``KEY=VALUE ...``."""
    from kiosk.config_edit import EditError

    if len(assignments) == 2 and "=" not in assignments[0]:
        return [(assignments[0], assignments[1])]
    bad = [a for a in assignments if "=" not in a or not a.split("=", 1)[0]]
    if bad:
        raise EditError([f'"{bad[0][:60]}": write KEY VALUE, or KEY=VALUE for each key'])
    return [(a.split("=", 1)[0], a.split("=", 1)[1]) for a in assignments]


def effective(c: config_mod.Config) -> dict[str, Any]:
    """The configuration as TOML-shaped data, every key of :mod:`kiosk.config_keys` with its
    value in force (defaults filled in; None: not set)."""

    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    a = c.access
    return {
        "kiosk": {
            "id": c.kiosk_id, "branch": c.branch, "branch_name": c.branch_name,
            "timezone": c.timezone.key, "languages": list(c.languages),
            "data_dir": str(c.data_dir),
            "witness_dir": str(c.witness_dir or witness_dir_of(c.database)), "role": c.role,
        },
        "printer": {"uri": c.printer_uri, "on_fault": c.on_fault, "width": c.paper_width},
        "scanner": {"uri": c.scanner_uri},
        "central": {
            "url": c.central_url, "token_file": str(c.central_token_file),
            "ca_file": text(c.central_ca_file),
        },
        "server": {
            "listen": c.server_listen, "tls_cert_file": text(c.server_tls_cert_file),
            "tls_key_file": text(c.server_tls_key_file), "phone_listen": c.server_phone_listen,
        },
        "branch": {
            "url": c.host_url, "token_file": text(c.host_token_file),
            "ca_file": text(c.host_ca_file),
        },
        "ticket": {"status_url": c.status_url, "key_file": str(c.ticket_key_file)},
        "queue": {
            "no_show_tolerance_min": c.no_show_tolerance_min,
            "appointment_early_min": c.appointment_early_min,
            "appointment_grace_min": c.appointment_grace_min,
            "wait_floor_min": c.wait_floor_min,
        },
        "privacy": {"controller": c.privacy_controller, "dpo": c.privacy_dpo},
        "speech": {
            "voice": a.voice, "output": a.output, "volume": a.volume, "rate": a.rate,
            "on": a.speech,
        },
        "keypad": {"uri": a.keypad_uri},
        "ui": {
            "idle_s": a.idle_s, "reach": a.reach, "screen_bottom_mm": a.screen_bottom_mm,
            "screen_height_mm": a.screen_height_mm,
        },
        "display": {"url": c.display_url},
        "branding": {"primary": c.branding.primary, "logo": text(c.branding.logo)},
        "services": [
            {
                "code": s.code,
                "name": dict(s.name),
                "hours": {day: [str(iv) for iv in ivs] for day, ivs in s.hours.days.items()},
                "minutes": s.minutes,
                "desks": s.desks,
                "daily_cap": s.daily_cap,
                "icon": s.icon,
                "description": dict(s.description) or None,
            }
            for s in c.services
        ],
    }  # fmt: skip


def as_toml(data: dict[str, Any]) -> str:
    """``data`` as TOML, a key that is not set as a comment saying so."""
    import tomlkit

    def table(values: dict[str, Any]) -> Any:
        out = tomlkit.table()
        for key, value in values.items():
            if value is None:
                out.add(tomlkit.comment(f"{key}: not set"))
            else:
                out.add(key, value)
        return out

    doc = tomlkit.document()
    for section, values in data.items():
        if isinstance(values, list):
            doc.add(tomlkit.nl())
            doc.add(section, tomlkit.aot())
            for item in values:
                doc[section].append(table(item))
        else:
            doc.add(section, table(values))
    return tomlkit.dumps(doc)


# -- issue and scan ---------------------------------------------------------------------------


@cli.command("issue")
@click.argument("service")
@json_option
@pass_context
@handled
def issue_cmd(obj: Context, service: str, as_json: bool) -> None:
    """Issue a walk-in ticket for SERVICE exactly as the totem does.

    \b
    Example:
      kiosk issue A --json
      {"ahead": 3, "payload": "42010581000042703175546630", "printed": true, "service": "A",
       "ticket": "A042", "wait_min": 12}
    """
    totem = obj.totem()
    if obj.config.service(service) is None:
        codes = ", ".join(s.code for s in obj.config.services)
        raise Fail(f'service: "{service}" is not a configured service ({codes})', 2)
    try:
        issued = totem.issue_walkin(service)
    except Unavailable as exc:
        raise Fail(str(exc), 1) from None
    human = (
        f"{issued.ticket.code}  ahead {issued.ahead}  wait ~{issued.wait_min} min"
        f"  {'printed' if issued.printed else 'not printed'}"
    )
    emit(issued.as_json(), as_json, human)


@cli.command("scan")
@click.argument("text")
@json_option
@pass_context
@handled
def scan_cmd(obj: Context, text: str, as_json: bool) -> None:
    """Handle a scanned code (a ticket or a booking QR) exactly as the totem does.

    The result is reentry, checkin, too_early, too_late or rejected; the scanned text itself
    is never logged.

    \b
    Example:
      kiosk scan 42010581000042703175546630 --json
      {"reason": "served", "result": "reentry", "ticket": "A057", ...}
    """
    outcome = obj.totem().scan(text)
    human = outcome.result.value
    if outcome.issued:
        human += f" {outcome.issued.ticket.code}"
    if outcome.come_back_at:
        human += f" (come back after {outcome.come_back_at})"
    if outcome.reason:
        human += f" ({outcome.reason})"
    emit(outcome.as_json(), as_json, human)


# -- retention ------------------------------------------------------------------------------


@cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; change nothing.")
@json_option
@pass_context
@handled
def purge_cmd(obj: Context, dry_run: bool, as_json: bool) -> None:
    """Delete earlier days' tickets, calls and appointments and scrub them from disk.

    Run by kiosk-purge.timer shortly after midnight and at boot. Events the central server
    has not acknowledged yet are kept until the sync agent delivers them.

    \b
    Example:
      kiosk purge --dry-run
    """
    now = obj.clock()
    today = now.astimezone(obj.config.timezone).date().isoformat()
    if obj.config.role == "satellite":  # nothing of the citizens' is kept here
        emit({"satellite": True}, as_json, "purge: nothing to delete: a satellite keeps no queue")
        return
    if dry_run:
        obj.reading()  # it only counts: it never makes the database
    store: Store = obj.store()
    if not dry_run:
        last = clocks.Reading.parse(shared.get(store, shared.LAST_EVENT_CLOCKS))
        why = clocks.distrust(last, clocks.read(), clocks.kernel_synchronised())
        if why:
            log.error("purge: nothing deleted: %s", why)
            raise Fail(
                f"purge: nothing deleted: {why}, so it may not be {today} yet; the timer tries"
                " again (`kiosk doctor` checks the clock)",
                1,
            )
        # Earlier days' last hourly figures leave with the outbox before their tickets go,
        # even when the sync agent was not running at closing time.
        ServiceReports(obj.config, store, obj.clock).due(force=True)
    report = retention.plan(store, today, now) if dry_run else retention.purge(store, today, now)
    verb = "would delete" if dry_run else "deleted"
    human = (
        f"{verb} {report.tickets} tickets, {report.calls} calls, {report.appointments}"
        f" appointments and {report.day_notes} notes of the days before {today},"
        f" and {report.parked_events} refused events parked over 30 days;"
        f" kept {report.unsent_events_kept} events not yet sent"
    )
    if not dry_run:
        human += "; WAL truncated"
    emit({"dry_run": dry_run, "before": today, **report.as_dict()}, as_json, human)
