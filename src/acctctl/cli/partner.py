"""`acctctl partner lookup|change|history|cancel`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

import typer

from acctctl.cli.app import prompts_allowed, state
from acctctl.cli.completion import complete_partner, complete_subscription
from acctctl.cli.id_lines import id_lines
from acctctl.cli.interruption import BulkRun
from acctctl.errors import AcctctlError, CancelledError, StoreError, UsageError
from acctctl.i18n import N_, _
from acctctl.ids import parse_csn, parse_id
from acctctl.local_time import moment
from acctctl.output import (
    card,
    err,
    inert,
    is_terminal,
    out,
    print_json,
    print_json_array,
    print_json_line,
    table,
)
from acctctl.presentation import change_columns, partner_fields

if TYPE_CHECKING:
    from acctctl.domain import Partner
    from acctctl.service import ChangeResult, Context

app = typer.Typer(no_args_is_help=True)


@app.command("lookup")
def lookup(
    ctx: typer.Context,
    csn: str = typer.Argument(
        ..., metavar="CSN", help="The partner's account number.", autocompletion=complete_partner
    ),
    json_: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Steps 5–6 on their own: find a partner by account number (CSN)."""
    from dataclasses import asdict

    from acctctl import service

    partner = service.lookup_partner(state(ctx).context(), parse_csn(csn))
    if json_:
        print_json(asdict(partner))
    else:
        card(_("Partner {csn}").format(csn=partner.csn), partner_fields(partner))


def _ids_from(args: list[str]) -> Iterator[str]:
    """Arguments, or `-` for one id per line on stdin (read lazily, so results stream)."""
    for arg in args:
        if arg == "-":
            if is_terminal(sys.stdin):
                raise UsageError(_("`-` reads ids from standard input, but it is a terminal."))
            yield from id_lines()
        else:
            yield arg


def _iso(moment: datetime) -> str:
    from acctctl.service.context import _iso

    return _iso(moment)


def _step(number: int, detail: str, quiet: bool) -> None:
    if quiet:
        return
    from acctctl.steps import step

    err(_("{heading}: {detail}").format(heading=step(number).heading(), detail=inert(detail)))


@app.command("change", short_help=N_("Move contracts to another partner: the eight steps."))
def change(
    ctx: typer.Context,
    ids: list[str] = typer.Argument(
        None,
        metavar="ID",
        help="Subscription ids, or - to read them from standard input, one per line.",
        autocompletion=complete_subscription,
        show_default=False,
    ),
    csn: str | None = typer.Option(
        None,
        "--csn",
        metavar="CSN",
        help="The new partner's account number.",
        autocompletion=complete_partner,
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Run the eight steps without prompts."),
    replace_all: bool = typer.Option(
        False,
        "--replace-all",
        help="Confirm that every current partner of the contract is replaced.",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Run every check; write nothing."),
    json_: bool = typer.Option(
        False, "--json", help="Print JSON Lines, one result per subscription."
    ),
    quiet_flag: bool = typer.Option(
        False, "--quiet", "-q", help="No Step N/8 progress lines on standard error."
    ),
) -> None:
    """Move subscriptions' contracts to another partner: the eight documented steps.

    At a terminal, without --yes: the interactive wizard. Otherwise the same steps
    without prompts; every missing value is an error naming its flag.
    """
    from acctctl import service

    current = state(ctx)
    given = list(ids or [])
    if prompts_allowed(yes) and "-" not in given:
        from acctctl.wizard import run_change_wizard

        exit_code = run_change_wizard(
            current.context(),
            ids=given,
            csn=parse_csn(csn) if csn is not None else None,
            replace_all=replace_all,
            dry_run=dry_run,
        )
        raise typer.Exit(exit_code)

    if csn is None:
        raise UsageError(_("Missing the new partner's account number: pass --csn CSN."))
    new_csn = parse_csn(csn)
    if not given:
        raise UsageError(
            _("Missing the subscriptions: pass their IDs, or - to read them from stdin.")
        )
    if not yes and not dry_run:
        raise UsageError(
            _(
                "Pass --yes to submit without prompts (or --dry-run to only check), when not "
                "running interactively."
            )
        )
    context = current.context()
    quiet = json_ or quiet_flag
    actor = service.sign_in(context).email
    _step(1, _("new partner's account number {csn}").format(csn=new_csn), quiet)
    _step(2, _("signed in as {email}").format(email=actor), quiet)
    partner = service.lookup_partner(context, new_csn)
    ctx.with_resource(context.store.session())  # every id on one store connection
    first_failure = 0
    progress = _Progress(len(given) if "-" not in given else None, enabled=not quiet)
    # BulkRun: a signal while a batch is decided and printed waits for it; a reader gone
    # or a signal stops the run saying what was written (cli/interruption.py).
    with BulkRun() as run:
        try:
            # Group commit: each batch of ids is one transaction (each id in its savepoint);
            # its results are printed once it is committed (service.bulk).
            for raw_batch in service.batches(_ids_from(given)):
                with run.working():
                    first_failure = _batch(
                        raw_batch, run, context, partner, progress, first_failure,
                        replace_all=replace_all, dry_run=dry_run, json_=json_, quiet=quiet,
                    )  # fmt: skip
        finally:
            progress.stop()
    raise typer.Exit(first_failure)


def _batch(
    raw_batch: list[str],
    run: BulkRun,
    context: Context,
    partner: Partner,
    progress: _Progress,
    first_failure: int,
    *,
    replace_all: bool,
    dry_run: bool,
    json_: bool,
    quiet: bool,
) -> int:
    """One batch of ids: decided in one transaction, then each result printed; returns
    the run's first failure so far."""
    from acctctl import service

    entries: list[str | ChangeResult] = []
    for raw in raw_batch:
        try:
            sub_id = parse_id(raw, _("subscription id"))
        except AcctctlError as error:
            entries.append(service.error_result(raw[:80], error, error.exit_code))
            continue
        entries.append(sub_id)
    # Each id's steps in order, 3 to 8: the batch's first id gets 3-6 before the
    # transaction (which may wait for another writer), the others with their result.
    announce = not progress.active
    first = next((i for i, e in enumerate(entries) if isinstance(e, str)), -1)
    if first >= 0 and announce:
        _steps_before(str(entries[first]), partner, quiet)
    decided = _decide(
        context,
        [e for e in entries if isinstance(e, str)],
        partner,
        replace_all=replace_all,
        dry_run=dry_run,
    )
    for result in decided:  # committed: counted before any is printed
        if result.status == "submitted" and result.change is not None:
            run.written(result.change.id)
    results = iter(decided)
    for index, entry in enumerate(entries):
        if isinstance(entry, str):
            if announce and index != first:
                _steps_before(entry, partner, quiet)
            result = next(results)
        else:
            result = entry
        if result.exit_code and not first_failure:
            first_failure = result.exit_code
        _emit(result, json_, quiet=quiet or progress.active, now=context.now)
        progress.advance()
    return first_failure


def _steps_before(sub_id: str, partner: Partner, quiet: bool) -> None:
    """Steps 3 to 6 of one id (the flags stand for the screens)."""
    _step(3, _("subscription {id}").format(id=sub_id), quiet)
    _step(4, _("Update reseller information"), quiet)
    _step(5, _("found {name} ({csn})").format(name=partner.name, csn=partner.csn), quiet)
    _step(6, _("partner confirmed by --yes"), quiet)


def _decide(
    context: Context, sub_ids: list[str], partner: Partner, *, replace_all: bool, dry_run: bool
) -> list[ChangeResult]:
    from acctctl import service

    if not sub_ids:
        return []
    if not dry_run:
        return service.change_batch(context, sub_ids, partner, replace_all=replace_all)
    results = []
    for sub_id in sub_ids:
        try:
            results.append(
                service.change_partner(
                    context, sub_id, partner, replace_all=replace_all, dry_run=True
                )
            )
        except AcctctlError as error:
            if isinstance(error, StoreError):
                raise
            results.append(service.error_result(sub_id, error, error.exit_code))
    return results


class _Progress:
    """A Rich progress bar on stderr for long runs at a terminal (replaces per-id step lines)."""

    THRESHOLD = 20

    def __init__(self, total: int | None, *, enabled: bool) -> None:
        self.active = bool(
            enabled and total and total >= self.THRESHOLD and is_terminal(sys.stderr)
        )
        self._bar = None
        if self.active:
            from rich.progress import Progress

            from acctctl.output import console

            self._bar = Progress(console=console(sys.stderr), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(_("Changing partner"), total=total)

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _emit(result: object, json_: bool, *, quiet: bool, now: datetime) -> None:
    from acctctl.service import ChangeResult

    assert isinstance(result, ChangeResult)
    if json_:
        print_json_line(result.to_json())
        return
    if result.status == "submitted":
        change = result.change
        assert change is not None
        _step(7, _("submitted change {id}").format(id=change.id), quiet)
        _step(
            8,
            _(
                "change {id}: the contract details show the new partner from {when} "
                "(at least one hour)."
            ).format(id=change.id, when=moment(change.effective_at, now)),
            quiet,
        )
        # The result line is for scripts: the same in every language and zone (SPEC §8).
        out(f"{result.subscription}\t{result.status}\t{change.id}\t{_iso(change.effective_at)}")
    elif result.status == "would-submit":
        _step(7, _("every check passed; --dry-run: nothing submitted"), quiet)
        out(f"{result.subscription}\t{result.status}")
    elif result.status == "unchanged":
        detail = result.change.id if result.change is not None else ""
        _step(7, _("nothing to submit: the contract already has or awaits this partner"), quiet)
        out(f"{result.subscription}\t{result.status}\t{detail}")
    elif result.status == "rejected":
        codes = ",".join(r.code for r in result.reasons)
        _step(7, _("not submitted: {codes}").format(codes=codes), quiet)
        out(f"{result.subscription}\t{result.status}\t{codes}")
        for reason in result.reasons:
            err(f"  {result.subscription}: {reason.code}: {inert(reason.message)}")
    else:
        out(f"{inert(result.subscription)}\t{result.status}\t{result.code or 'internal'}")
        err(_("acctctl: {message}").format(message=inert(result.message or "")))


@app.command("history", short_help=N_("The partner changes, with who and when."))
def history(
    ctx: typer.Context,
    ident: str | None = typer.Argument(
        None,
        metavar="[ID]",
        help="A subscription id or contract number.",
        autocompletion=complete_subscription,
    ),
    json_: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """The partner changes: pending, applied, cancelled, with who and when."""
    from acctctl import service

    context = state(ctx).context()
    changes = service.history(context, parse_id(ident, _("id")) if ident is not None else None)
    if json_:
        from acctctl.document import change_to_json

        print_json_array(change_to_json(c) for c in changes)
        return
    table(
        change_columns(service.partner_names(context), context.now),
        changes,
        title=_("Partner changes"),
        empty=_("No changes yet."),
    )


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    change_id: str = typer.Argument(..., metavar="CHANGE_ID", help="The pending change's id."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Cancel without asking."),
    json_: bool = typer.Option(False, "--json", help="Print the cancelled change as JSON."),
) -> None:
    """Withdraw a change that is still pending."""
    from acctctl import service

    change_id = parse_id(change_id, _("change id"))
    context = state(ctx).context()
    if not yes:
        if not prompts_allowed():
            raise UsageError(_("Pass --yes to cancel a change when not running interactively."))
        found = service.get_change(context, change_id)
        from acctctl.wizard.prompts import confirm

        if not confirm(
            _("Withdraw change {id} ({holder} → {to})?").format(
                id=found.id, holder=found.holder, to=found.to
            ),
            default=False,
        ):
            raise CancelledError(_("Cancelled; nothing was written."))
    cancelled = service.cancel_change(context, change_id)
    if json_:
        from acctctl.document import change_to_json

        print_json(change_to_json(cancelled))
        return
    err(_("Change {id} is cancelled; the contract keeps its partners.").format(id=cancelled.id))


# `partner verify` lives in its own module (issue 15); registered here, so that it comes
# with its group whenever the group is imported.
from acctctl.cli.verify import commands as _verify  # noqa: E402

app.registered_commands += _verify.registered_commands
