"""The partner change: every rule checked and the change written in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from acctctl.domain import (
    Change,
    Partner,
    Subscription,
    Terms,
)
from acctctl.rules import Facts, Reason, eligibility, is_unchanged
from acctctl.service.context import (
    Context,
    _effective,
    _iso,
    _settle,
    find_user,
    require_actor,
)
from acctctl.service.views import _find_subscription
from acctctl.store.base import StoreReader

ResultStatus = Literal["submitted", "would-submit", "unchanged", "rejected", "error"]


@dataclass(slots=True)
class ChangeResult:
    """The outcome of a partner change for one subscription."""

    subscription: str
    status: ResultStatus
    contract: str | None = None
    change: Change | None = None
    reasons: list[Reason] = field(default_factory=list)
    message: str | None = None
    exit_code: int = 0
    before: tuple[str, ...] = ()
    moved: list[Subscription] = field(default_factory=list)
    partner_names: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        change = None
        if self.change is not None:
            change = {
                "id": self.change.id,
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
        if self.message is not None:
            data["message"] = self.message
        return data


def _partner_names(reader: StoreReader, csns: Iterable[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for csn in csns:
        if csn not in names:
            found = reader.partner(csn)
            if found is not None:
                names[csn] = found.name
    return names


def _decide(
    reader: StoreReader,
    ctx: Context,
    sub_id: str,
    partner: Partner,
    replace_all: bool,
) -> tuple[ChangeResult, Facts]:
    """The outcome, and the facts it was decided on (terms and pending change in effect
    now, the acting user)."""
    sub, contract = _find_subscription(reader, sub_id)
    holder = contract.number if contract else sub.id
    terms, pending = _effective(Terms.of(sub, contract), reader.pending_change(holder), ctx.now)
    # The names this decision shows, looked up one by one: reading all the partners for
    # each subscription would be most of the cost of a bulk change.
    names = _partner_names(
        reader, (*terms.partners, *((pending.to,) if pending else ()), partner.csn)
    )
    result = ChangeResult(
        subscription=sub.id,
        status="would-submit",
        contract=contract.number if contract else None,
        before=terms.partners,
        moved=reader.subscriptions_of_contract(contract.number) if contract else [sub],
        partner_names=names,
    )
    facts = Facts(
        today=ctx.today,
        subscription=sub.id,
        terms=terms,
        actor=ctx.actor,
        actor_user=find_user(reader, ctx.actor),
        pending=pending,
        pending_partner_name=names.get(pending.to) if pending else None,
        new_partner=partner,
        replace_all=replace_all,
    )
    reasons = eligibility(facts)
    authorization_failed = any(r.exit_code == 5 for r in reasons)
    if not authorization_failed and is_unchanged(terms, pending, partner.csn):
        result.status = "unchanged"
        result.change = pending
    elif reasons:
        result.status = "rejected"
        result.reasons = reasons
        result.exit_code = reasons[0].exit_code
    return result, facts


def change_partner(
    ctx: Context,
    sub_id: str,
    partner: Partner,
    *,
    replace_all: bool = False,
    dry_run: bool = False,
) -> ChangeResult:
    """Check every rule and, unless ``dry_run``, submit — in one transaction."""
    actor = require_actor(ctx)
    if dry_run:
        with ctx.store.read() as reader:
            return _decide(reader, ctx, sub_id, partner, replace_all)[0]
    with ctx.store.write() as writer:
        # The decision already sees a change whose time has come as applied; it is written
        # down only with a new change, so a refused or unchanged command writes nothing.
        result, facts = _decide(writer, ctx, sub_id, partner, replace_all)
        if result.status != "would-submit":
            return result
        _settle(writer, result.contract or sub_id, ctx.now)
        user = facts.actor_user  # known: an unknown identity is rejected (unknown-user)
        change = Change(
            id=writer.next_change_id(),
            contract=result.contract,
            subscription=None if result.contract else sub_id,
            from_=facts.terms.partners,
            to=partner.csn,
            by=user.email if user is not None else actor,
            submitted_at=ctx.now,
            effective_at=ctx.now + ctx.propagation,
            status="pending",
        )
        writer.add_change(change)
    result.status = "submitted"
    result.change = change
    return result


def preview_change(
    ctx: Context, sub_id: str, partner: Partner, *, replace_all: bool = False
) -> ChangeResult:
    """What a change would do, for the wizard's review screen (nothing written)."""
    with ctx.store.read() as reader:
        return _decide(reader, ctx, sub_id, partner, replace_all)[0]


def error_result(sub_id: str, error: Exception, exit_code: int) -> ChangeResult:
    return ChangeResult(
        subscription=sub_id, status="error", message=str(error), exit_code=exit_code
    )
