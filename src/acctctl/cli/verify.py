"""`acctctl partner verify --from NEWER.csv`: did the portal make the recorded changes?"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from acctctl.cli import export_input
from acctctl.cli.app import state
from acctctl.errors import ExportFileError, NotFoundError, RejectedError, UsageError
from acctctl.hints import command
from acctctl.i18n import N_, _, format_number, ngettext
from acctctl.output import err, inert, print_json_array, table
from acctctl.tables import Column

if TYPE_CHECKING:
    from acctctl.service.verify import Verification

OUTCOME_LABELS = {
    "confirmed": N_("confirmed"),
    "not-yet-visible": N_("not yet visible"),
    "different": N_("different"),
}


def _seen(v: Verification) -> str:
    return "—" if v.seen is None else _seen_plain(v)


def _seen_plain(v: Verification) -> str:
    """Piped: empty when the export lacks the contract (no dash to parse)."""
    return "" if v.seen is None else ", ".join(name for _csn, name in v.seen)


def verification_columns() -> list[Column[Verification]]:
    return [
        Column("Change", _("Change"), lambda v: v.change.id, lambda v: v.change.id, whole=True),
        Column(
            "Contract",
            _("Contract"),
            lambda v: v.change.holder,
            lambda v: v.change.holder,
            whole=True,
        ),
        Column(
            "New partner",
            _("New partner"),
            lambda v: f"{v.names.get(v.change.to, v.change.to)} ({v.change.to})",
            lambda v: v.change.to,
            keep=50,
        ),
        Column("Export shows", _("Export shows"), _seen, _seen_plain, keep=40),
        Column(
            "Result",
            _("Result"),
            lambda v: _(OUTCOME_LABELS[v.outcome]),
            lambda v: v.outcome,
            whole=True,
        ),
    ]


# Registered into `partner` by cli/partner.py (this module stays out of the group's file).
commands = typer.Typer()


@commands.command("verify")
def verify(
    ctx: typer.Context,
    from_: str | None = export_input.newer_export_option(),
    date_format: str | None = export_input.date_format_option(),
    json_: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """Compare the changes recorded in the store with the resellers of a newer export:
    confirmed, not yet visible, or different. Exit 0 only when all are confirmed."""
    from acctctl.service.verify import verify as verify_changes

    if from_ is None:
        raise UsageError(
            _("Pass --from FILE: the Subscriptions export downloaded after the change.")
        )
    export = export_input.read(from_, date_format)
    if not export.columns & {"reseller_name", "reseller_csn"}:
        # Without them every contract would read as "no partner": say what is missing.
        raise ExportFileError(
            _(
                "{file} has no reseller column (reseller_name or reseller_csn): nothing "
                "to compare the changes with."
            ).format(file=export.source),
            hint=_("Download the Subscriptions export again, with its reseller columns."),
        )
    found = verify_changes(state(ctx).context(), export)
    if not found:
        raise NotFoundError(
            _("No partner change is recorded in the store: nothing to verify."),
            hint=_("`{command}` lists the recorded changes.").format(
                command=command("partner", "history")
            ),
        )
    if json_:
        print_json_array(v.to_json() for v in found)
    else:
        table(verification_columns(), found, title=_("Partner changes in the portal"))
        for v in found:
            if v.outcome != "confirmed":
                err(_("{heading}: {detail}").format(heading=v.change.id, detail=inert(v.message)))
    different = sum(v.outcome == "different" for v in found)
    waiting = sum(v.outcome == "not-yet-visible" for v in found)
    if different:
        raise RejectedError(
            ngettext(
                "{count} change differs from the portal.",
                "{count} changes differ from the portal.",
                different,
            ).format(count=format_number(different))
        )
    if waiting:
        raise NotFoundError(
            ngettext(
                "{count} change is not yet visible in the export.",
                "{count} changes are not yet visible in the export.",
                waiting,
            ).format(count=format_number(waiting)),
            hint=_("The portal can take at least one hour: download a newer export later."),
        )
