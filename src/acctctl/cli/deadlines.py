"""`acctctl subs deadlines`: until when each contract's partner can change (SPEC §8)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from acctctl.cli import export_input
from acctctl.cli.app import state
from acctctl.i18n import _, format_date, format_number, ngettext
from acctctl.output import err, inert, print_json_array, table

if TYPE_CHECKING:
    from acctctl.service.deadlines import Deadline
    from acctctl.tables import Column

ALARM_DAYS_BEFORE = 14


# Registered into `subs` by cli/subs.py (this module stays out of the group's file).
commands = typer.Typer()


@commands.command("deadlines")
def deadlines(
    ctx: typer.Context,
    from_: str | None = export_input.from_option(),
    date_format: str | None = export_input.date_format_option(),
    json_: bool = typer.Option(False, "--json", help="Print a JSON array."),
    ics: str | None = typer.Option(
        None,
        "--ics",
        metavar="FILE",
        help="Also write the open deadlines as all-day events to this iCalendar file.",
        show_default=False,
    ),
) -> None:
    """Per contract, the last day its partner can still be changed (the day before its
    last 90 days), the days left, and what must happen first; most urgent first."""
    from acctctl.service.deadlines import deadlines as contract_deadlines

    if from_ is not None:
        from acctctl.service.export import list_from_export

        export = export_input.read(from_, date_format)
        now, actor = export_input.now_and_actor(ctx)
        views: Any = list_from_export(export, now, actor)
    else:
        from acctctl import service

        context = state(ctx).context()
        now = context.now
        views = service.list_subscriptions(context)
    found = contract_deadlines(views, now.date())
    if ics is not None:
        _write_calendar(Path(ics), found, now)
    if json_:
        print_json_array(d.to_json() for d in found)
        return
    table(
        deadline_columns(),
        found,
        title=_("Deadlines to change partner"),
        empty=_("No contract to show."),
    )


def _days(deadline: Deadline) -> str:
    if deadline.locked:
        return ""
    if deadline.days_left == 0:
        return _("today")
    return ngettext("{n} day", "{n} days", deadline.days_left).format(
        n=format_number(deadline.days_left)
    )


def _before_that(deadline: Deadline) -> str:
    if deadline.locked:
        return _("too late: change the partner at renewal")
    return "; ".join(step.message for step in deadline.first)


def deadline_columns() -> list[Column[Deadline]]:
    """Human: sentences and the language's dates; piped: ISO dates and codes (SPEC §8)."""
    from acctctl.presentation import date_column  # drawing only, not at registration
    from acctctl.tables import Column

    return [
        Column("Contract", _("Contract"), lambda d: d.contract, lambda d: d.contract, whole=True),
        Column(
            "Products",
            _("Products"),
            lambda d: ", ".join(d.products),
            lambda d: ", ".join(d.products),
            keep=30,
        ),
        date_column("Term end", _("Term end"), lambda d: d.term_end, keep=40),
        date_column("Last day", _("Last day"), lambda d: d.last_day),
        Column("Days left", _("Days left"), _days, lambda d: str(d.days_left), keep=70),
        date_column("Locked since", _("Locked since"), lambda d: d.locked_since, keep=60),
        Column(
            "Before that",
            _("Before that"),
            _before_that,
            lambda d: ",".join(step.code for step in d.first),
            keep=80,
        ),
    ]


def _write_calendar(path: Path, found: list[Any], now: Any) -> None:
    from acctctl.ics import calendar
    from acctctl.store.files import write_atomically

    events = [_event(d) for d in found if not d.locked]
    if not events:
        err(_("No open deadline: {file} was not written.").format(file=inert(path)))
        return
    text = calendar(events, stamp=now, name=_("Deadlines to change partner"))
    write_atomically(path, text.encode("utf-8"))
    err(
        ngettext(
            "Wrote {count} deadline to {file}.", "Wrote {count} deadlines to {file}.", len(events)
        ).format(count=format_number(len(events)), file=inert(path))
    )


def _event(deadline: Any) -> Any:
    from acctctl.ics import AllDayEvent

    lines = [
        _("Contract {contract}: {products}.").format(
            contract=deadline.contract, products=", ".join(deadline.products)
        ),
        _(
            "Term end: {date}. After this day the contract is in its last 90 days and its "
            "partner can no longer be changed."
        ).format(date=format_date(deadline.term_end)),
    ]
    if deadline.first:
        lines.append(
            _("Before that: {steps}.").format(
                steps="; ".join(step.message for step in deadline.first)
            )
        )
    lines.append(
        _(
            "In the portal: Billing and Orders › Subscriptions and Contracts › the contract › "
            "Actions › Update reseller information."
        )
    )
    return AllDayEvent(
        uid=f"partner-deadline-{deadline.contract}@acctctl",
        day=deadline.last_day,
        summary=_("Last day to change the partner of contract {contract}").format(
            contract=deadline.contract
        ),
        description="\n".join(lines),
        alarm_days_before=ALARM_DAYS_BEFORE,
    )
