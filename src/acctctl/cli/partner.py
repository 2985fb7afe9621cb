"""`acctctl partner lookup|change|history|cancel`."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import typer

from acctctl.cli.app import prompts_allowed, state
from acctctl.cli.completion import complete_partner, complete_subscription
from acctctl.cli.id_lines import id_lines
from acctctl.cli.interruption import BulkRun
from acctctl.errors import CancelledError, UsageError
from acctctl.i18n import N_, _
from acctctl.ids import parse_csn, parse_id
from acctctl.output import (
    card,
    err,
    is_terminal,
    print_json,
    print_json_array,
    table,
)
from acctctl.presentation import change_columns, partner_fields

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

    from acctctl import piped_cards, service

    partner = service.lookup_partner(state(ctx).context(), parse_csn(csn))
    if json_:
        print_json(asdict(partner))
    elif piped_cards.piped():
        piped_cards.partner(partner)
    else:
        card(_("Partner {csn}").format(csn=partner.csn), partner_fields(partner))


def _piped_change(csn: str | None, replace_all: bool, dry_run: bool) -> str:
    """The change of every eligible subscription, its ids piped in, with this run's
    options (a script's: ``--yes``)."""
    from acctctl.hints import command

    change = ["partner", "change", "-", "--csn", csn or "CSN", "--yes"]
    change += ["--replace-all"] * replace_all + ["--dry-run"] * dry_run
    return f"{command('subs', 'list', '--eligible', '--ids')} | {command(*change)}"


def _ids_from(args: list[str]) -> Iterator[str]:
    """Arguments, or `-` for one id per line on stdin (read lazily, so results stream)."""
    for arg in args:
        if arg == "-":
            if is_terminal(sys.stdin):
                raise UsageError(_("`-` reads ids from standard input, but it is a terminal."))
            yield from id_lines()
        else:
            yield arg


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
    from acctctl.flow import Request, ScriptedPrompter, run_change
    from acctctl.flow.prompter import CSN, IDS, YES

    current = state(ctx)
    if yes or json_:  # this run asks nothing: the commands it tells to run carry --yes
        from acctctl import hints

        hints.cannot_prompt()
    given = list(ids or [])
    new_csn = parse_csn(csn) if csn is not None else None
    if "-" in given and is_terminal(sys.stdin):  # refused before any step: nothing to read
        raise UsageError(
            _("`-` reads ids from standard input, but it is a terminal."),
            hint=_("Pipe the ids in: `{command}`").format(
                command=_piped_change(new_csn, replace_all, dry_run)
            ),
        )
    if prompts_allowed(yes) and "-" not in given:
        from acctctl.wizard import run_change_wizard

        request = Request(given or None, new_csn, replace_all, dry_run)
        raise typer.Exit(run_change_wizard(current.context(), request))

    prompter = ScriptedPrompter(
        {CSN: new_csn, IDS: bool(given), YES: yes or dry_run, "--replace-all": replace_all},
        required=(CSN, IDS, YES),  # checked once who acts is settled (runner: ready)
    )
    context = current.context()
    from acctctl.cli.change_lines import StepLines

    lines = StepLines(context, json_=json_, quiet=quiet_flag, dry_run=dry_run)
    ctx.with_resource(context.store.session())  # every id on one store connection
    progress = _Progress(len(given) if "-" not in given else None, enabled=not json_)
    lines.per_id = not progress.active
    lines.on_result = progress.advance
    request = (
        Request(_ids_from(given), new_csn, replace_all, dry_run)
        if "-" in given or len(given) > 1
        else Request(given, new_csn, replace_all, dry_run)
    )
    # BulkRun: a signal while a batch is decided and printed waits for it; a reader gone
    # or a signal stops the run saying what was written (cli/interruption.py).
    with BulkRun() as run:
        try:
            code = run_change(context, request, prompter, lines, guard=run)
        finally:
            progress.stop()
    raise typer.Exit(code)


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
        from acctctl.document_json import change_to_json

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
        from acctctl.document_json import change_to_json

        print_json(change_to_json(cancelled))
        return
    err(_("Change {id} is cancelled; the contract keeps its partners.").format(id=cancelled.id))


# `partner verify` lives in its own module (issue 15); registered here, so that it comes
# with its group whenever the group is imported.
from acctctl.cli.verify import commands as _verify  # noqa: E402

app.registered_commands += _verify.registered_commands
