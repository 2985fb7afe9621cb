"""The wizard's screens, one function per documented step (SPEC §1, §5).

Each screen starts with its heading from ``acctctl.steps``, draws on standard output
(the wizard only runs when it is a terminal) and asks through a ``Prompter``. The
screens only collect values and show what the service decides; every decision is
the service's, with the same functions the scripted path calls.
"""

from __future__ import annotations

import dataclasses

from acctctl import service
from acctctl.domain import Partner
from acctctl.errors import NotAllowedError, NotFoundError
from acctctl.hints import command
from acctctl.i18n import _
from acctctl.ids import parse_csn, typed_csn
from acctctl.local_time import local_time, moment
from acctctl.output import card, err
from acctctl.presentation import partner_fields, reason_label, reason_labels, render_detail
from acctctl.service import ChangeResult, Context, SubscriptionView
from acctctl.tables import glue
from acctctl.wizard.prompts import Option, Prompter, cancelled
from acctctl.wizard.render import (
    delay,
    describe,
    heading,
    moved_table,
    only_auto_renew,
    partners_text,
    say,
    short_date,
    show_reasons,
    subscription_choices,
    subscriptions_table,
    user_label,
)

TYPE_ANOTHER = ""


def csn_problem(text: str) -> str | None:
    if typed_csn(text) is not None:
        return None
    return _("A partner's account number (CSN) is exactly 10 digits.")


# --- 1. the new partner's account number ---------------------------------------------------


def get_csn(ctx: Context, prompter: Prompter, given: str | None) -> str:
    heading(1)
    if given is not None:
        say(_("Account number from the command line: {csn}").format(csn=given))
        return given
    options: list[Option[str]] = []
    for notice in service.notices(ctx):
        name = notice.partner.name if notice.partner else _("a partner unknown to this account")
        options.append(
            Option(
                _("From the email of {day}: {name}, {csn}").format(
                    day=short_date(notice.notice.received), name=name, csn=notice.notice.partner
                ),
                notice.notice.partner,
            )
        )
    if options:
        say(_("You may already have received an email naming the new partner."))
    else:
        say(_("Ask the new partner for their account number (CSN)."))
    options.append(Option(_("Type another account number"), TYPE_ANOTHER))
    chosen = prompter.select(_("New partner's account number:"), options)
    if chosen != TYPE_ANOTHER:
        return chosen
    typed = prompter.text(_("Account number (CSN):"), validate=csn_problem)
    return parse_csn(typed)


# --- 2. sign in: Billing and Orders › Subscriptions and Contracts ---------------------------


def sign_in(ctx: Context, prompter: Prompter) -> Context:
    heading(2)
    users = service.account_users(ctx)
    if ctx.actor is None:
        options = [Option(user_label(u), u.email) for u in users]
        email = prompter.select(_("Who is signing in?"), options)
        ctx = dataclasses.replace(ctx, actor=email)
    user = next((u for u in users if u.email == ctx.actor), None)
    if user is None:
        raise NotAllowedError(
            _(
                "{email} is not a user of this account: act as one of its users (--as EMAIL)."
            ).format(email=ctx.actor)
        )
    say(_("Signed in as {user}").format(user=user_label(user)))
    subscriptions_table(list(service.list_subscriptions(ctx)))
    return ctx


# --- 3. select a subscription --------------------------------------------------------------


def toward(view: SubscriptionView, csn: str) -> SubscriptionView:
    """The view as it stands for a change to ``csn``: a change already pending to that very
    partner does not block (asking for it again is "unchanged", SPEC §3)."""
    if view.pending is None or view.pending.to != csn:
        return view
    kept = tuple(r for r in view.reasons if r.code != "change-pending")
    return dataclasses.replace(view, reasons=kept)


def select_subscription(
    ctx: Context, prompter: Prompter, csn: str, given: str | None, previous: str | None = None
) -> SubscriptionView | int:
    """The chosen subscription, or the exit code when none can change partner."""
    heading(3)
    if given is not None:
        view = toward(service.show_subscription(ctx, given).view, csn)
        say(_("From the command line: {label}").format(label=describe(view)))
        if view.eligible or only_auto_renew(view):
            return view
        show_reasons(view.reasons, view.subscription.id)
        return view.reasons[0].exit_code
    views = [toward(v, csn) for v in service.list_subscriptions(ctx)]
    options = [
        Option(label, v.subscription.id, why)
        for v, (label, why) in zip(views, subscription_choices(views), strict=True)
    ]
    if not any(o.disabled is None for o in options):
        err(_("No subscription's partner can be changed now; the table above says why."))
        return next((v.reasons[0].exit_code for v in views if v.reasons), 4)
    chosen = prompter.select(_("Select a subscription:"), options, default=previous)
    return next(v for v in views if v.subscription.id == chosen)


# --- 4. the Actions menu -------------------------------------------------------------------

UPDATE, DETAILS, AUTO_RENEW_OFF, OTHER, CANCEL = "update", "details", "auto-renew", "other", "x"


def actions(
    ctx: Context,
    prompter: Prompter,
    view: SubscriptionView,
    csn: str,
    *,
    can_choose_other: bool,
    written: list[str],
) -> tuple[str, SubscriptionView]:
    """``UPDATE`` with the (possibly refreshed) view, or ``OTHER`` to go back to step 3.
    Turning automatic renewal off is written at once; ``written`` says so."""
    heading(4)
    sub_id = view.subscription.id
    say(_("Subscription {label}").format(label=describe(view)))
    for reason in view.reasons:
        say(f"  ✗ {reason_label(reason.code)}: {reason.message}")
    while True:
        blocked = reason_labels(view.reasons) or None
        options = [Option(_("Update reseller information"), UPDATE, blocked)]
        if only_auto_renew(view):
            options.append(Option(_("Turn off automatic renewal"), AUTO_RENEW_OFF))
        options.append(Option(_("View details"), DETAILS))
        if can_choose_other:
            options.append(Option(_("Choose another subscription"), OTHER))
        options.append(Option(_("Cancel"), CANCEL))
        action = prompter.select(
            _("Actions:"), options, default=UPDATE if view.eligible else AUTO_RENEW_OFF
        )
        if action in (UPDATE, OTHER):
            return action, view
        if action == CANCEL:
            raise cancelled()
        if action == DETAILS:
            render_detail(service.show_subscription(ctx, sub_id), ctx.now)
        elif action == AUTO_RENEW_OFF:
            holder = view.terms.contract or sub_id
            if prompter.confirm(
                _(
                    "Turn automatic renewal OFF for {holder}? This is written now, "
                    "whatever you decide later."
                ).format(holder=holder),
                default=True,
            ):
                fresh, changed = service.set_auto_renew(ctx, sub_id, False)
                view = toward(fresh, csn)
                if changed:
                    written.append(
                        _("automatic renewal turned off for {holder}").format(holder=holder)
                    )
                say(_("Automatic renewal is now off for {holder}.").format(holder=holder))
                for reason in view.reasons:
                    say(f"  ✗ {reason_label(reason.code)}: {reason.message}")


# --- 5. enter the account number and Find -------------------------------------------------


def find_partner(ctx: Context, prompter: Prompter, csn: str | None, *, ask: bool) -> Partner:
    heading(5)
    while True:
        if ask or csn is None:
            csn = parse_csn(
                prompter.text(
                    _("New partner's account number (CSN), then Enter to Find:"),
                    default=csn or "",
                    validate=csn_problem,
                )
            )
        else:
            say(_("Account number: {csn}").format(csn=csn))
        try:
            return service.lookup_partner(ctx, csn)
        except NotFoundError as error:
            say(error.message + (" " + error.hint if error.hint else ""), style="bold")
            ask = True


# --- 6. check the partner ------------------------------------------------------------------


def check_partner(prompter: Prompter, partner: Partner) -> bool:
    """True to go on (Next), False to go back to step 5."""
    heading(6)
    card(_("Partner {csn}").format(csn=partner.csn), partner_fields(partner))
    if not partner.active:
        say(
            _(
                "{name} is not an active partner and cannot receive contracts: ask the "
                "partner for the account number of an active partner."
            ).format(name=partner.name),
            style="bold",
        )
        again = prompter.select(
            _("What now?"),
            [Option(_("Enter another account number"), True), Option(_("Cancel"), False)],
        )
        if not again:
            raise cancelled()
        return False
    return prompter.confirm(_("Is this the right partner?"), default=True)


# --- 7. review and Submit ------------------------------------------------------------------


def review(
    ctx: Context,
    prompter: Prompter,
    sub_id: str,
    partner: Partner,
    *,
    replace_all: bool,
    dry_run: bool,
) -> ChangeResult:
    """The submitted (or would-submit, unchanged, rejected) result; No at Submit cancels."""
    heading(7)
    preview = service.plan_change(ctx, sub_id, partner, replace_all=True)
    if preview.status in ("rejected", "unchanged"):
        return preview.result()
    names = preview.partner_names
    holder = preview.contract or _("subscription {id} (its own terms)").format(id=sub_id)
    card(
        _("Update reseller information"),
        [
            (_("Contract"), holder),
            (_("Partners before"), partners_text(preview.before, names)),
            (_("Partner after"), partners_text([partner.csn], {partner.csn: partner.name})),
            (
                _("Takes effect"),
                _("{when} ({delay} after Submit)").format(
                    when=glue(local_time(ctx.now + ctx.propagation)),
                    delay=delay(ctx.propagation),
                ),
            ),
        ],
    )
    moved_table(preview.moved)
    say(_("The contract details can take at least one hour to show the change."))
    if len(preview.before) > 1:
        say(
            _(
                "Warning: this contract has {count} partners ({names}). The update replaces "
                "all of them with {new}; to change only one of them, contact support."
            ).format(
                count=len(preview.before),
                names=", ".join(names.get(c, c) for c in preview.before),
                new=partner.name,
            ),
            style="bold",
        )
        if not replace_all:
            replace_all = prompter.confirm(
                _("Replace all {count} partners with {new}?").format(
                    count=len(preview.before), new=partner.name
                ),
                default=False,
            )
            if not replace_all:
                raise cancelled()
    if dry_run:
        say(_("Dry run: nothing will be written."), style="bold")
    if not prompter.confirm(_("Submit?"), default=True):
        raise cancelled()
    return service.change_partner(ctx, sub_id, partner, replace_all=replace_all, dry_run=dry_run)


# --- 8. Done -------------------------------------------------------------------------------


def done(ctx: Context, result: ChangeResult, partner: Partner) -> int:
    """The confirmation; returns the exit code of the result."""
    if result.status == "rejected":
        err(_("The change was not submitted:"))
        show_reasons(result.reasons, result.subscription)
        return result.exit_code
    heading(8)
    holder = result.contract or result.subscription
    change = result.change
    if result.status == "unchanged":
        if change is not None:
            say(
                _(
                    "A change of {holder} to {name} is already pending ({id}); nothing to do."
                ).format(holder=holder, name=partner.name, id=change.id)
            )
        else:
            say(
                _("{name} is already the partner of {holder}; nothing to do.").format(
                    name=partner.name, holder=holder
                )
            )
        return 0
    if result.status == "would-submit":
        say(
            _(
                "Would submit: {holder} would move to {name} ({csn}), shown from {when}. "
                "Dry run: nothing was written."
            ).format(
                holder=holder,
                name=partner.name,
                csn=partner.csn,
                when=glue(local_time(ctx.now + ctx.propagation)),
            )
        )
        return 0
    assert change is not None
    card(
        _("Change {id} submitted").format(id=change.id),
        [
            (_("Change"), change.id),
            (_("Contract"), holder),
            (_("New partner"), f"{partner.name} ({partner.csn})"),
            (_("Submitted"), glue(local_time(change.submitted_at))),
            (_("Shown from"), glue(moment(change.effective_at, ctx.now))),
        ],
    )
    say(
        _(
            "Done. The contract details show {name} from {when} (it can take at least one hour)."
        ).format(name=partner.name, when=glue(local_time(change.effective_at))),
        style="bold",
    )
    # The same store and user as this run: the commands are pasted as they are.
    say(
        _("Follow it: `{command}`").format(
            command=command("partner", "history", result.subscription)
        )
    )
    say(_("Withdraw it: `{command}`").format(command=command("partner", "cancel", change.id)))
    return 0
