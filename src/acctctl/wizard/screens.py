"""The wizard's screens: what each documented step shows at a terminal (SPEC §1, §5).

This is the ``Display`` the flow runner (``acctctl.flow``) gets at a terminal; it only
draws, on standard output, with the shared renderers. Which step comes next, what is
asked and what is decided are the runner's and the service's.
"""

from __future__ import annotations

from collections.abc import Sequence

from acctctl.domain import Partner, User
from acctctl.errors import AcctctlError
from acctctl.hints import command, confirming
from acctctl.i18n import _, format_number, ngettext
from acctctl.local_time import local_time, moment
from acctctl.output import card, err, inert
from acctctl.presentation import partner_fields, reason_label, reason_labels, render_detail
from acctctl.rules import Reason
from acctctl.service import (
    ChangePlan,
    ChangeResult,
    Context,
    SubscriptionDetail,
    SubscriptionView,
    list_subscriptions,
)
from acctctl.service.views import NoticeView
from acctctl.steps import Step, shown_within
from acctctl.terminal_text import glue
from acctctl.wizard.render import (
    PRODUCT_WIDTH,
    delay,
    describe,
    heading,
    moved_table,
    partners_text,
    say,
    short_date,
    show_reasons,
    subscription_choices,
    subscriptions_table,
    user_label,
)


class WizardScreens:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.width = PRODUCT_WIDTH
        self.shown: Partner | None = None  # the partner confirmed, named when Done

    def heading(self, at: Step) -> None:
        heading(at)

    # steps.py "csn": the new partner's account number
    def csn(self, at: Step, csn: str, given: bool, notices: Sequence[NoticeView]) -> None:
        heading(at)
        if given:
            say(_("Account number from the command line: {csn}").format(csn=csn))
        elif notices:
            say(_("You may already have received an email naming the new partner."))
        else:
            say(_("Ask the new partner for their account number (CSN)."))

    def notice(self, notice: NoticeView) -> str:
        name = notice.partner.name if notice.partner else _("a partner unknown to this account")
        return _("From the email of {day}: {name}, {csn}").format(
            day=short_date(notice.notice.received), name=name, csn=notice.notice.partner
        )

    # "user": sign in, Billing and Orders › Subscriptions and Contracts
    def signed_in(self, at: Step, user: User, ctx: Context) -> None:
        heading(at)
        say(_("Signed in as {user}").format(user=user_label(user)))
        views = list(list_subscriptions(ctx))
        self.width = min(
            PRODUCT_WIDTH, max((len(v.subscription.product) for v in views), default=0)
        )
        subscriptions_table(views)

    # "subscription": select a subscription
    def subscription(self, at: Step, view: SubscriptionView) -> None:
        heading(at)
        say(_("From the command line: {label}").format(label=describe(view)))

    def rows(self, views: Sequence[SubscriptionView]) -> list[str]:
        """The subscription list in columns that fit the terminal; a blocked row says why in
        words, and can still be opened to read the full sentences."""
        return [
            label + ("  ✗ " + why if why else "")
            for label, why in subscription_choices(views, product_width=self.width)
        ]

    # "action": the Actions menu
    def actions(self, at: Step, view: SubscriptionView) -> None:
        heading(at)
        say(_("Subscription {label}").format(label=describe(view)))
        if view.pending is not None:
            say(
                _("A change to {name} is pending (change {id}), shown from {when}.").format(
                    name=view.name(view.pending.to),
                    id=view.pending.id,
                    when=glue(local_time(view.pending.effective_at)),
                ),
                style="bold",
            )
        for reason in view.reasons:
            why = _("{heading}: {detail}").format(
                heading=reason_label(reason.code), detail=reason.message
            )
            say("  ✗ " + why, indent="  ")

    def details(self, detail: SubscriptionDetail) -> None:
        render_detail(detail, self.ctx.now)

    def note(self, text: str, *, strong: bool = False) -> None:
        say(text, style="bold" if strong else "")

    # "partner": enter the account number and Find
    def reasons(self, reasons: Sequence[Reason]) -> str:
        return reason_labels(reasons)

    def announce(self, sub_id: str, partner: Partner) -> None:
        pass  # the wizard walks each subscription's steps on screen

    def found(self, at: Step, partner: Partner) -> None:
        pass  # shown when the partner is confirmed

    # "confirmation": check the partner
    def partner(self, at: Step, partner: Partner) -> None:
        self.shown = partner
        heading(at)
        card(_("Partner {csn}").format(csn=partner.csn), partner_fields(partner))
        if not partner.active:
            say(
                _(
                    "{name} is not an active partner and cannot receive contracts: ask the "
                    "partner for the account number of an active partner."
                ).format(name=partner.name),
                style="bold",
            )

    # "submission": review and Submit
    def review(self, at: Step, plan: ChangePlan, dry_run: bool) -> None:
        heading(at)
        if plan.status == "rejected" and not plan.remedies:
            err(_("The change cannot be submitted:"))
            show_reasons(plan.reasons, plan.subscription)
            return
        if plan.status == "unchanged":
            return
        partner = plan.partner
        holder = plan.contract or _("subscription {id} (its own terms)").format(
            id=plan.subscription
        )
        card(
            _("Update reseller information"),
            [
                (_("Contract"), holder),
                (_("Partners before"), partners_text(plan.before, plan.partner_names)),
                (_("Partner after"), partners_text([partner.csn], {partner.csn: partner.name})),
                (
                    _("Takes effect"),
                    _("{when} ({delay} after Submit)").format(
                        when=glue(local_time(plan.effective_at)),
                        delay=delay(self.ctx.propagation),
                    ),
                ),
            ],
        )
        moved_table(plan.moved)
        say(
            _("The contract details {can_take} to show the change.").format(
                can_take=shown_within(self.ctx.propagation)
            )
        )
        if plan.replaces_several:
            say(
                ngettext(
                    "Warning: this contract has {count} partner ({names}). The update replaces "
                    "it with {new}.",
                    "Warning: this contract has {count} partners ({names}). The update replaces "
                    "all of them with {new}; to change only one of them, contact support.",
                    len(plan.before),
                ).format(
                    count=format_number(len(plan.before)),
                    names=", ".join(plan.name(c) for c in plan.before),
                    new=partner.name,
                ),
                style="bold",
            )
        if dry_run:
            say(_("Dry run: nothing will be written."), style="bold")

    def problem(self, subject: str, error: AcctctlError) -> None:
        err(_("acctctl: {message}").format(message=inert(error.message)))

    # "change": Done
    def result(self, at: Step, result: ChangeResult, dry_run: bool) -> None:
        if result.status == "rejected":
            err(_("The change was not submitted:"))
            show_reasons(result.reasons, result.subscription)
            return
        heading(at)
        holder = result.contract or result.subscription
        change = result.change
        partner_csn = change.to if change is not None else ""
        if self.shown is not None and self.shown.csn == partner_csn:
            partner_csn = f"{self.shown.name} ({partner_csn})"
        if result.status == "unchanged":
            if change is not None:
                say(
                    _(
                        "A change of {holder} to {csn} is already pending ({id}); nothing to do."
                    ).format(holder=holder, csn=change.to, id=change.id)
                )
            else:
                say(_("{holder} already has this partner; nothing to do.").format(holder=holder))
            return
        assert change is not None
        if result.status == "would-submit":
            say(
                _(
                    "Would submit: {holder} would move to {csn}, shown from {when}. "
                    "Dry run: nothing was written."
                ).format(holder=holder, csn=partner_csn, when=glue(local_time(change.effective_at)))
            )
            return
        card(
            _("Change {id} submitted").format(id=change.id),
            [
                (_("Change"), change.id),
                (_("Contract"), holder),
                (_("New partner"), partner_csn),
                (_("Submitted"), glue(local_time(change.submitted_at))),
                # From the submit's own time: the walk may have begun minutes before it.
                (_("Shown from"), glue(moment(change.effective_at, change.submitted_at))),
            ],
        )
        say(
            _(
                "Done. The contract details show the new partner from {when} (it {can_take})."
            ).format(
                when=glue(local_time(change.effective_at)),
                can_take=shown_within(self.ctx.propagation),
            ),
            style="bold",
        )
        # The same store and user as this run: the commands are pasted as they are.
        say(
            _("Follow it: `{command}`").format(
                command=command("partner", "history", result.subscription)
            )
        )
        say(
            _("Withdraw it: `{command}`").format(command=confirming("partner", "cancel", change.id))
        )
