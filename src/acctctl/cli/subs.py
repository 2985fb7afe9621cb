"""`acctctl subs list|show|auto-renew`: Billing and Orders › Subscriptions and Contracts."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from acctctl.cli import export_input
from acctctl.cli.app import prompts_allowed, state
from acctctl.cli.completion import complete_subscription
from acctctl.errors import CancelledError, UsageError
from acctctl.hints import command
from acctctl.i18n import N_, _
from acctctl.ids import parse_id, shown_identity
from acctctl.output import (
    cycle_collection_paused,
    err,
    inert,
    print_ids,
    print_json,
    print_json_array_text,
    table,
)

if TYPE_CHECKING:
    from acctctl.rules import Reason
    from acctctl.service.context import Context

app = typer.Typer(no_args_is_help=True)


@app.command("list", short_help=N_("Every subscription, and whether its partner can change."))
def list_(
    ctx: typer.Context,
    eligible: bool = typer.Option(
        False, "--eligible", help="Only subscriptions whose partner can be changed now."
    ),
    json_: bool = typer.Option(False, "--json", help="Print a JSON array."),
    ids: bool = typer.Option(False, "--ids", help="Print one id per line, for pipes."),
    from_: str | None = export_input.from_option(),
    date_format: str | None = export_input.date_format_option(),
) -> None:
    """Every subscription: contract, product, seats, term end, partners, and whether the
    partner can be changed (with the reason codes; "check": a fact the export lacks)."""
    from acctctl import hints, service

    if json_:  # read by a script: the rules' commands carry --yes (hints.confirming)
        hints.cannot_prompt()
    if json_ and ids:
        raise UsageError(_("--json and --ids cannot be used together."))
    if eligible and ids and from_ is None:
        # No view per subscription: the rules decide once per candidate contract.
        context = state(ctx).context()
        found = service.eligible_ids(context)
        first_id = next(found, None)  # the store opened before anything is printed
        if first_id is None and context.actor and not service.is_user(context, context.actor):
            _warn_unknown(context.actor)
        print_ids(itertools.chain([first_id] if first_id is not None else [], found))
        return
    if from_ is None and json_:
        # The store's rows encoded as they come, a contract's shared part once
        # (service.listing, listing_json): no view object per subscription.
        from acctctl.listing_json import row_lines

        context = state(ctx).context()
        rows = service.listing_rows(context, eligible_only=eligible)
        first_row = next(rows, None)
        _warn_unknown_identity(
            context, None if first_row is None else first_row[4].reasons.of(first_row[0])
        )
        with cycle_collection_paused():
            print_json_array_text(
                row_lines(itertools.chain([first_row] if first_row else [], rows))
            )
        return
    if from_ is not None:
        from acctctl.service.export import list_from_export

        export = export_input.read(from_, date_format)
        now, actor = export_input.now_and_actor(ctx)
        views = list_from_export(export, now, actor, eligible_only=eligible)
        context = None
    else:
        context = state(ctx).context()
        now = context.now
        views = service.list_subscriptions(context, eligible_only=eligible)
    # Open the store before printing anything, so a store error is not preceded by a header.
    first = next(views, None)
    views = itertools.chain([first] if first is not None else [], views)
    if context is not None:
        _warn_unknown_identity(context, None if first is None else first.reasons)
    if json_:
        from acctctl.listing_json import subscription_lines

        print_json_array_text(subscription_lines(views))
    elif ids:
        print_ids(view.subscription.id for view in views)  # a tampered id made inert
    else:
        from acctctl import presentation  # drawing only: a JSON listing does not import it

        table(
            presentation.subscription_columns(now),
            views,
            title=_("Subscriptions and Contracts"),
            empty=_("No subscription to show.")
            if eligible or from_ is not None
            else _(
                "This store holds no subscriptions — `{load}` loads an account, `{demo}` a "
                "sample one."
            ).format(
                load=command("store", "import", "FILE"),
                demo=command("store", "init", "--demo"),
            ),
        )


def _warn_unknown(actor: str) -> None:
    err(
        _(
            "warning: {email} is not a user of this account, so no partner can be changed "
            "(unknown-user); check --as or ACCTCTL_USER."
        ).format(email=inert(shown_identity(actor)))
    )


def _warn_unknown_identity(context: Context, first: Sequence[Reason] | None) -> None:
    """An unknown identity shows as unknown-user on every subscription (``first``: the
    first one's reasons); only when nothing was listed is the store asked again."""
    from acctctl import service

    if not context.actor:
        return
    if (
        any(r.code == "unknown-user" for r in first)
        if first is not None
        else not service.is_user(context, context.actor)
    ):
        _warn_unknown(context.actor)


@app.command("show", short_help=N_("One subscription, or one contract, in full."))
def show(
    ctx: typer.Context,
    sub_id: str = typer.Argument(
        ...,
        metavar="ID",
        help="Subscription id, or a contract number.",
        autocompletion=complete_subscription,
    ),
    json_: bool = typer.Option(False, "--json", help="Print JSON."),
    from_: str | None = export_input.from_option(),
    date_format: str | None = export_input.date_format_option(),
) -> None:
    """One subscription in full: contract, its other subscriptions, partners, support
    level, pending change, and every rule that blocks a change. Given a contract number:
    the contract and all its subscriptions."""
    from acctctl import hints, presentation, service
    from acctctl.errors import NotFoundError

    if json_:  # read by a script: the rules' commands carry --yes (hints.confirming)
        hints.cannot_prompt()
    ident = parse_id(sub_id, _("subscription id"))
    if from_ is not None:
        from acctctl.service.export import show_from_export

        export = export_input.read(from_, date_format)
        now, actor = export_input.now_and_actor(ctx)
        detail = show_from_export(export, now, actor, ident)
        if json_:
            print_json(detail.to_json())
            return
        presentation.render_detail(detail, now)
        return
    context = state(ctx).context()
    try:
        detail = service.show_subscription(context, ident)
    except NotFoundError as missing:
        try:
            views = service.show_contract(context, ident)
        except NotFoundError:
            raise missing from None
        if json_:
            print_json(presentation.contract_json(views))
            return
        presentation.render_contract(views, context.now)
        return
    if json_:
        print_json(detail.to_json())
        return
    presentation.render_detail(detail, context.now)


@app.command("auto-renew", short_help=N_("Turn a contract's automatic renewal on or off."))
def auto_renew(
    ctx: typer.Context,
    sub_id: str = typer.Argument(
        ..., metavar="ID", help="Subscription id.", autocompletion=complete_subscription
    ),
    on: bool | None = typer.Option(
        None, "--on/--off", help="Turn automatic renewal on or off.", show_default=False
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do it without asking."),
    json_: bool = typer.Option(
        False, "--json", help="Print the contract's automatic renewal as JSON."
    ),
) -> None:
    """Turn automatic renewal on or off for the subscription's contract (contract manager or
    primary admin only) — usually the first step before a partner change."""
    from acctctl import service

    if on is None:
        raise UsageError(_("Say which: pass --on or --off."))
    current = state(ctx)
    sub_id = parse_id(sub_id, _("subscription id"))
    context = current.context()
    if not yes:
        if not prompts_allowed():
            raise UsageError(
                _("Pass --yes to change automatic renewal when not running interactively.")
            )
        detail = service.show_subscription(context, sub_id)
        from acctctl.wizard.prompts import confirm

        contract = detail.view.terms.contract
        if contract is None:  # the new buying model: the subscription holds its terms
            question = (
                _("Turn automatic renewal ON for subscription {id}?")
                if on
                else _("Turn automatic renewal OFF for subscription {id}?")
            ).format(id=sub_id)
        else:
            question = (
                _("Turn automatic renewal ON for {holder}?")
                if on
                else _("Turn automatic renewal OFF for {holder}?")
            ).format(holder=contract)
        if not confirm(question, default=True):
            raise CancelledError(_("Cancelled; nothing was written."))
    view, changed = service.set_auto_renew(context, sub_id, on)
    holder = view.terms.contract or sub_id
    if json_:
        print_json(
            {
                "subscription": sub_id,
                "contract": view.terms.contract,
                "auto_renew": view.terms.auto_renew,
                "changed": changed,
            }
        )
        return
    state_word = _("on") if on else _("off")
    if changed:
        err(
            _("Automatic renewal is now {state} for {holder}.").format(
                state=state_word, holder=holder
            )
        )
    else:
        err(
            _("Automatic renewal was already {state} for {holder}.").format(
                state=state_word, holder=holder
            )
        )


# `subs deadlines` lives in its own module (issue 15); registered here, so that it comes
# with its group whenever the group is imported.
from acctctl.cli.deadlines import commands as _deadlines  # noqa: E402

app.registered_commands += _deadlines.registered_commands
