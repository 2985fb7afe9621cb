"""The Actions menu, and what a row of the subscription list offers: the runner's (flow/runner.py)
part that acts on one subscription before the partner is chosen (turn automatic renewal
off, withdraw a pending change, read the details)."""

from __future__ import annotations

import dataclasses

from acctctl import service
from acctctl.flow.answers import (
    AUTO_RENEW_OFF,
    CANCEL,
    CANCEL_PENDING,
    DETAILS,
    OTHER,
    UPDATE,
    Move,
    Values,
)
from acctctl.flow.display import Display
from acctctl.flow.prompter import YES, Option, Prompter, cancelled
from acctctl.i18n import _
from acctctl.service import ChangeResult, Context, SubscriptionView
from acctctl.steps import Step, after, before, step


def toward(view: SubscriptionView, csn: str) -> SubscriptionView:
    """The view as it stands for a change to ``csn``: a change already pending to that very
    partner does not block (asking for it again is "unchanged", SPEC §3)."""
    if view.pending is None or view.pending.to != csn:
        return view
    kept = tuple(r for r in view.reasons if r.code != "change-pending")
    return dataclasses.replace(view, reasons=kept)


def remedies(view: SubscriptionView) -> tuple[str, ...]:
    """What the administrator can do here about what blocks ``view`` (empty: nothing)."""
    if not view.reasons or any(r.code not in service.REMEDIES for r in view.reasons):
        return ()
    return tuple(service.REMEDIES[r.code] for r in view.reasons)


def openable(view: SubscriptionView) -> bool:
    """A listed row that leads somewhere: eligible, or blocked only by what the Actions
    menu can undo (automatic renewal, a pending change)."""
    return view.eligible or bool(remedies(view))


def rejected(view: SubscriptionView) -> ChangeResult:
    return ChangeResult(
        subscription=view.subscription.id,
        status="rejected",
        contract=view.subscription.contract,
        reasons=list(view.reasons),
        exit_code=view.reasons[0].exit_code,
    )


class ActionsMenu:
    """The walk's Actions step; the Runner is one (it holds these)."""

    ctx: Context
    prompter: Prompter
    display: Display
    written: list[str]

    def _action(self, at: Step, target: str | None, values: Values) -> Move:
        view = values["view"]
        assert isinstance(view, SubscriptionView)
        self.display.actions(at, view)
        if not self.prompter.interactive:
            return after(at)  # a script chooses Update; the rules decide at the review
        while True:
            fixes = remedies(view)
            options: list[Option[str]] = []
            if view.pending is not None:
                options.append(Option(_("View details"), DETAILS))
                options.append(Option(_("Cancel the pending change"), CANCEL_PENDING))
                default = DETAILS
            else:
                blocked = self.display.reasons(view.reasons) or None
                options.append(Option(_("Update reseller information"), UPDATE, blocked))
                if "turn-auto-renew-off" in fixes:
                    options.append(Option(_("Turn off automatic renewal"), AUTO_RENEW_OFF))
                options.append(Option(_("View details"), DETAILS))
                default = UPDATE if view.eligible else DETAILS
                if "turn-auto-renew-off" in fixes:
                    default = AUTO_RENEW_OFF
            if target is None:
                options.append(Option(_("Choose another subscription"), OTHER))
            options.append(Option(_("Cancel"), CANCEL))
            action = self.prompter.select(_("Actions:"), options, default=default, flag=YES)
            if action == UPDATE:
                values["ask"] = False
                return after(at)
            if action == OTHER:
                return before(at)
            if action == CANCEL:
                raise cancelled()
            if action == DETAILS:
                self.display.details(service.show_subscription(self.ctx, view.subscription.id))
            elif action == AUTO_RENEW_OFF:
                view = self._auto_renew_off(view, str(values["csn"]))
            elif action == CANCEL_PENDING:
                view = self._withdraw(view, str(values["csn"]))
            values["view"] = view

    def _auto_renew_off(self, view: SubscriptionView, csn: str) -> SubscriptionView:
        holder = view.holder
        if not self.prompter.confirm(
            _(
                "Turn automatic renewal OFF for {holder}? This is written now, "
                "whatever you decide later."
            ).format(holder=holder),
            default=True,
            flag=YES,
        ):
            return view
        fresh, changed = service.set_auto_renew(self.ctx, view.subscription.id, False)
        if changed:
            self.written.append(
                _("automatic renewal turned off for {holder}").format(holder=holder)
            )
        self.display.note(_("Automatic renewal is now off for {holder}.").format(holder=holder))
        fresh = toward(fresh, csn)
        self.display.actions(step("action"), fresh)
        return fresh

    def _withdraw(self, view: SubscriptionView, csn: str) -> SubscriptionView:
        pending = view.pending
        assert pending is not None
        if not self.prompter.confirm(
            _("Withdraw change {id} ({holder} → {to})?").format(
                id=pending.id, holder=pending.holder, to=view.name(pending.to)
            ),
            default=False,
            flag=YES,
        ):
            return view
        service.cancel_change(self.ctx, pending.id)
        self.written.append(_("change {id} cancelled").format(id=pending.id))
        self.display.note(
            _("Change {id} is cancelled; the contract keeps its partners.").format(id=pending.id)
        )
        fresh = toward(service.show_subscription(self.ctx, view.subscription.id).view, csn)
        self.display.actions(step("action"), fresh)
        return fresh
