"""`acctctl subs deadlines`: until when each contract's partner can change (SPEC §8)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from acctctl.cli import export_input
from acctctl.cli.app import guarded, state
from acctctl.i18n import N_, _, format_date, format_number, ngettext
from acctctl.output import err, inert, is_terminal, print_json_array, table

DEADLINE_HEADERS = (
    N_("Contract"),
    N_("Products"),
    N_("Term end"),
    N_("Last day"),
    N_("Days left"),
    N_("Locked since"),
    N_("Before that"),
)
ALARM_DAYS_BEFORE = 14


@guarded
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
    terminal = is_terminal(sys.stdout)
    table(
        [_(h) for h in DEADLINE_HEADERS],
        (_row(d, terminal) for d in found),
        title=_("Deadlines to change partner"),
    )


def _row(deadline: Any, terminal: bool) -> list[str]:
    since = deadline.locked_since
    if terminal:
        before = "; ".join(step.message for step in deadline.first)
        if since is not None:
            before = _("too late: change the partner at renewal")
    else:  # the pipe contract: codes, whatever the language
        before = ", ".join(step.code for step in deadline.first)
    return [
        deadline.contract,
        ", ".join(deadline.products),
        format_date(deadline.term_end),
        format_date(deadline.last_day),
        "" if since is not None and terminal else format_number(deadline.days_left),
        format_date(since) if since is not None else "",
        before,
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
        ).format(count=len(events), file=inert(path))
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
