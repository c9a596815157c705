"""``kiosk store reset``: the way back after a lost or replaced database (docs/technician.md)."""

from __future__ import annotations

import logging

import click

from kiosk.cli.context import Context, Fail, emit, handled, json_option
from kiosk.store import StorageError, recovery

log = logging.getLogger(__name__)


@click.group("store")
def store_group() -> None:
    """The totem's database."""


def _refused_by_central(obj: Context) -> bool:
    """Whether the sync agent noted a 409 seq_went_back in the database in place."""
    from kiosk.store import state

    try:
        obj.reading()
        return state.get(obj.store(), "sync.seq_went_back") is not None
    except (StorageError, Fail):
        return False
    finally:
        obj.close()


@store_group.command("reset")
@click.option("--yes", is_flag=True, help="Confirm: start a new database continuing the day.")
@click.option(
    "--from-central",
    "from_central",
    is_flag=True,
    help="Also continue after the central service's marks (its highest seq and today's last"
    " numbers of this kiosk): when both markers are gone, or the central refuses a seq gone back.",
)
@json_option
@click.pass_obj
@handled
def store_reset(obj: Context, yes: bool, from_central: bool, as_json: bool) -> None:
    """Start a new database after the day's was lost (deleted, emptied, replaced or damaged
    and moved aside): numbers and event seq continue after the marker's, so the day never
    gets a second A001. Whatever stands in its place is moved aside, never deleted.

    Stop the kiosk units first; start them again after.

    With --from-central the numbers and seq also continue after the central service's (the
    third witness): for a totem whose data folder and witness folder were both lost.

    \b
    Examples:
      systemctl stop kiosk-ui kiosk-serve kiosk-sync && kiosk store reset --yes
      kiosk store reset --yes --from-central
    """
    obj.host_only()
    if not yes:
        raise Fail("store reset: add --yes to confirm (it starts a new database)", 2)
    database, config = obj.config.database, obj.config
    central = None
    if from_central:
        from kiosk.marks import MarksUnavailable
        from kiosk.marks import from_central as central_marks

        try:
            central = central_marks(config, obj.clock())
        except MarksUnavailable as exc:
            raise Fail(f"store reset: the central service: {exc}; nothing was changed", 1) from None
    try:
        done = recovery.reset(database, obj.clock(), config.witness_dir, central)
    except StorageError as exc:
        if exc.kind == "in_order" and central is None and _refused_by_central(obj):
            raise Fail(
                f"store reset: {exc}, but the central service refused this database's events"
                " (its seq went back): add --from-central",
                1,
            ) from None
        if exc.kind in ("in_order", "unknown"):
            raise Fail(f"store reset: {exc}", 1) from None
        raise
    numbers = ", ".join(f"{s} {n:03d}" for s, n in sorted(done.continued.numbers.items()))
    log.warning(
        "store: the day %s continues (last numbers %s, seq %d)",
        done.continued.day or "(no ticket yet)",
        numbers or "none",
        done.continued.seq,
    )
    what = "database kept (its markers written again)" if done.kept else "new database"
    human = [
        f"{what} {database}: the day {done.continued.day or '(none)'} continues after"
        f" {numbers or 'no numbers yet'}; events continue after seq {done.continued.seq}"
    ]
    if central is not None and not central.numbers:
        human.append(
            "note: the central service holds no ticket of today from this kiosk: tickets issued"
            " today and never sent are not counted, so numbers may repeat theirs"
        )
    human += [f"moved aside (keep it for the central operator): {p}" for p in done.moved_aside]
    emit(
        {
            "database": str(database),
            "day": done.continued.day,
            "numbers": done.continued.numbers,
            "seq": done.continued.seq,
            "moved_aside": [str(p) for p in done.moved_aside],
        },
        as_json,
        "\n".join(human),
    )
