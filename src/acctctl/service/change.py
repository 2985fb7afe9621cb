"""The partner change: a plan (every rule, what it would move), then a submit that checks
again and writes in one transaction.

``plan_change`` is what the review screen (step 7) and ``--dry-run`` show; ``submit``
decides again inside the store's write transaction, so what it writes is what the rules
allow at that moment, whatever happened since the plan was made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from acctctl.domain import (
    Change,
    Partner,
    Subscription,
    Terms,
)
from acctctl.errors import ExitCode, RejectedError
from acctctl.i18n import _
from acctctl.rules import Facts, Reason, eligibility, is_unchanged
from acctctl.service.context import (
    Context,
    _effective,
    _iso,
    _settle,
    at_write,
    find_user,
    require_actor,
)
from acctctl.service.views import _find_subscription
from acctctl.store.base import StoreReader, StoreWriter

ResultStatus = Literal["submitted", "would-submit", "unchanged", "rejected", "error"]
PlanStatus = Literal["would-submit", "unchanged", "rejected"]

# What the administrator can do, here, about a rule that blocks the change: the flow
# offers these; any other reason needs someone else (support, the manager, time).
REMEDIES: dict[str, str] = {
    "auto-renew": "turn-auto-renew-off",
    "change-pending": "cancel-pending-change",
    "multiple-partners": "confirm-replace-all",
}


@dataclass(slots=True)
class ChangeResult:
    """The outcome of a partner change for one subscription."""

    subscription: str
    status: ResultStatus
    contract: str | None = None
    change: Change | None = None
    reasons: list[Reason] = field(default_factory=list)
    message: str | None = None
    code: str | None = None  # of an ``error`` result
    exit_code: int = ExitCode.OK

    def to_json(self) -> dict[str, Any]:
        change = None
        if self.change is not None:
            change = {
                # A would-submit change has no id yet: the store gives it at Submit.
                "id": self.change.id or None,
                "from": list(self.change.from_),
                "to": self.change.to,
                "submitted_at": _iso(self.change.submitted_at),
                "effective_at": _iso(self.change.effective_at),
            }
        data: dict[str, Any] = {
            "subscription": self.subscription,
            "contract": self.contract,
            "status": self.status,
            "change": change,
            "reasons": [r.to_json() for r in self.reasons],
        }
        if self.code is not None:
            data["code"] = self.code
        if self.message is not None:
            data["message"] = self.message
        return data


@dataclass(frozen=True, slots=True)
class ChangePlan:
    """A partner change as it would be made now, toward ``partner``: every rule that
    blocks it, what would unblock it, the partners replaced, every subscription moved
    and when the contract details would show it. Nothing is written to make one."""

    subscription: str
    contract: str | None
    partner: Partner
    replace_all: bool
    status: PlanStatus
    reasons: tuple[Reason, ...]
    before: tuple[str, ...]
    moved: tuple[Subscription, ...]
    pending: Change | None
    partner_names: dict[str, str]
    by: str
    planned_at: datetime
    effective_at: datetime

    @property
    def eligible(self) -> bool:
        return self.status == "would-submit"

    @property
    def holder(self) -> str:
        return self.contract or self.subscription

    @property
    def remedies(self) -> tuple[str, ...]:
        """What would unblock the change, when every blocking rule has a remedy here
        (e.g. ``turn-auto-renew-off``); empty when something else blocks it."""
        if not self.reasons or any(r.code not in REMEDIES for r in self.reasons):
            return ()
        return tuple(REMEDIES[r.code] for r in self.reasons)

    @property
    def replaces_several(self) -> bool:
        return len(self.before) > 1

    @property
    def change(self) -> Change:
        """The change a submit would write (its id is given at Submit)."""
        return Change(
            id="",
            contract=self.contract,
            subscription=None if self.contract else self.subscription,
            from_=self.before,
            to=self.partner.csn,
            by=self.by,
            submitted_at=self.planned_at,
            effective_at=self.effective_at,
            status="pending",
        )

    def result(self) -> ChangeResult:
        """The plan as a result: what ``--dry-run`` reports."""
        result = ChangeResult(
            subscription=self.subscription, status=self.status, contract=self.contract
        )
        if self.status == "would-submit":
            result.change = self.change
        elif self.status == "unchanged":
            result.change = self.pending
        else:
            result.reasons = list(self.reasons)
            result.exit_code = self.reasons[0].exit_code
        return result

    def name(self, csn: str) -> str:
        return self.partner_names.get(csn, csn)


def _partner_names(reader: StoreReader, csns: Iterable[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for csn in csns:
        if csn not in names:
            found = reader.partner(csn)
            if found is not None:
                names[csn] = found.name
    return names


def _plan(
    reader: StoreReader,
    ctx: Context,
    sub_id: str,
    partner: Partner,
    replace_all: bool,
    *,
    moved: bool = True,
) -> ChangePlan:
    """The plan; without ``moved``, the subscriptions it would move are not read (a
    write decides and records without showing them: ``ChangePlan.moved`` is empty)."""
    sub, contract = _find_subscription(reader, sub_id)
    holder = contract.number if contract else sub.id
    terms, pending = _effective(Terms.of(sub, contract), reader.pending_change(holder), ctx.now)
    # The names this decision shows, looked up one by one: reading all the partners for
    # each subscription would be most of the cost of a bulk change.
    names = _partner_names(
        reader, (*terms.partners, *((pending.to,) if pending else ()), partner.csn)
    )
    actor = require_actor(ctx)
    user = find_user(reader, actor)
    facts = Facts(
        today=ctx.today,
        subscription=sub.id,
        terms=terms,
        actor=actor,
        actor_user=user,
        pending=pending,
        pending_partner_name=names.get(pending.to) if pending else None,
        new_partner=partner,
        replace_all=replace_all,
    )
    reasons = tuple(eligibility(facts))
    authorized = not any(r.exit_code == ExitCode.NOT_ALLOWED for r in reasons)
    status: PlanStatus = "rejected" if reasons else "would-submit"
    if authorized and is_unchanged(terms, pending, partner.csn):
        status = "unchanged"
    return ChangePlan(
        subscription=sub.id,
        contract=contract.number if contract else None,
        partner=partner,
        replace_all=replace_all,
        status=status,
        reasons=reasons,
        before=terms.partners,
        moved=tuple(
            (reader.subscriptions_of_contract(contract.number) if contract else [sub])
            if moved
            else ()
        ),
        pending=pending,
        partner_names=names,
        by=user.email if user is not None else actor,
        planned_at=ctx.now,
        effective_at=ctx.now + ctx.propagation,
    )


def plan_change(
    ctx: Context, sub_id: str, partner: Partner, *, replace_all: bool = False
) -> ChangePlan:
    """The change toward ``partner`` as it would be made now (nothing written)."""
    with ctx.store.read() as reader:
        return _plan(reader, ctx, sub_id, partner, replace_all)


def submit(ctx: Context, plan: ChangePlan) -> ChangeResult:
    """Check every rule again and write the change, in one transaction.

    A plan that is no longer allowed comes back rejected (or unchanged) with nothing
    written; one whose contract changed partners since it was reviewed is refused, so
    nobody submits a change they did not see."""
    with ctx.store.write() as writer:
        return _decide_and_write(
            writer, ctx, plan.subscription, plan.partner, plan.replace_all, plan.before
        )


def _decide_and_write(
    writer: StoreWriter,
    ctx: Context,
    sub_id: str,
    partner: Partner,
    replace_all: bool,
    reviewed: tuple[str, ...] | None,
) -> ChangeResult:
    """Decide and write one change inside the caller's transaction."""
    ctx = at_write(writer, ctx)
    # The decision already sees a change whose time has come as applied; it is written
    # down only with a new change, so a refused or unchanged command writes nothing.
    fresh = _plan(writer, ctx, sub_id, partner, replace_all, moved=False)
    if fresh.status != "would-submit":
        return fresh.result()
    if reviewed is not None and fresh.before != reviewed:
        raise RejectedError(
            _(
                "The partners of {holder} changed since the review ({before}): nothing "
                "was written; run the change again to review it."
            ).format(holder=fresh.holder, before=", ".join(fresh.before))
        )
    _settle(writer, fresh.holder, ctx.now)
    # The store gives the id (and, on PostgreSQL, checks everything again and dates it).
    change = writer.submit_change(fresh.change, subscription=sub_id, replace_all=replace_all)
    result = fresh.result()
    result.status = "submitted"
    result.change = change
    return result


def change_partner(
    ctx: Context,
    sub_id: str,
    partner: Partner,
    *,
    replace_all: bool = False,
    dry_run: bool = False,
) -> ChangeResult:
    """The whole change in one call: its plan with ``dry_run``, else one transaction
    that decides and writes (the bulk path: one transaction per subscription)."""
    if dry_run:
        return plan_change(ctx, sub_id, partner, replace_all=replace_all).result()
    with ctx.store.write() as writer:
        return _decide_and_write(writer, ctx, sub_id, partner, replace_all, None)


def error_result(sub_id: str, error: Exception, exit_code: int) -> ChangeResult:
    """An ``error`` result: its sentence, and its code for scripts (``malformed-id``,
    ``unknown-subscription``…; ``internal`` for what acctctl did not foresee)."""
    return ChangeResult(
        subscription=sub_id,
        status="error",
        message=str(error),
        exit_code=exit_code,
        code=getattr(error, "code", "internal"),
    )
