"""Use cases: the only place that decides.

The wizard and the scripted path call the same functions with the same values;
the CLI only parses and renders. Every rule check that leads to a write happens
inside the store's write transaction, so two processes cannot both change one
contract.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

from acctctl.domain import (
    AccountDocument,
    Change,
    Contract,
    Notice,
    Partner,
    Subscription,
    Terms,
    User,
)
from acctctl.errors import (
    NotAllowedError,
    NotFoundError,
    RejectedError,
    StoreExistsError,
    UsageError,
)
from acctctl.i18n import N_, _
from acctctl.rules import Facts, Reason, days_left, eligibility, is_unchanged, may_manage
from acctctl.store.base import Store, StoreReader, StoreWriter

DEFAULT_PROPAGATION = timedelta(minutes=60)

SUPPORT_LEVELS = {
    "standard": N_("Standard support: web and email, business hours"),
    "premium": N_("Premium support: 24×7 phone and remote assistance, faster response"),
    "enterprise": N_("Enterprise support: a named customer success manager"),
}
# A change's status as shown to people (`_(change.status)`); JSON keeps the codes.
CHANGE_STATUS_LABELS = {
    "pending": N_("pending"),
    "applied": N_("applied"),
    "cancelled": N_("cancelled"),
}


@dataclass(frozen=True, slots=True)
class Context:
    """Who acts, on which store, at what time."""

    store: Store
    now: datetime
    actor: str | None = None
    propagation: timedelta = DEFAULT_PROPAGATION

    @property
    def today(self) -> date:
        return self.now.date()


def _iso(moment: datetime) -> str:
    return moment.isoformat()


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    """A subscription as the account shows it now: effective partners, pending change
    (not yet in effect), days left and the rules that block a change."""

    subscription: Subscription
    terms: Terms
    days_left: int
    pending: Change | None
    partner_names: dict[str, str]
    reasons: tuple[Reason, ...]

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def holder(self) -> str:
        return self.terms.contract or self.subscription.id

    def name(self, csn: str) -> str:
        return self.partner_names.get(csn, csn)

    def to_json(self) -> dict[str, Any]:
        sub = self.subscription
        pending = None
        if self.pending is not None:
            pending = {
                "id": self.pending.id,
                "to": {"csn": self.pending.to, "name": self.name(self.pending.to)},
                "effective_at": _iso(self.pending.effective_at),
            }
        return {
            "id": sub.id,
            "product": sub.product,
            "seats": sub.seats,
            "plan": sub.plan,
            "contract": sub.contract,
            "manager": self.terms.manager,
            "term_end": self.terms.term_end.isoformat(),
            "days_left": self.days_left,
            "auto_renew": self.terms.auto_renew,
            "agreement": self.terms.agreement,
            "partners": [{"csn": c, "name": self.name(c)} for c in self.terms.partners],
            "pending_change": pending,
            "eligible": self.eligible,
            "reasons": [r.to_json() for r in self.reasons],
        }


@dataclass(frozen=True, slots=True)
class SubscriptionDetail:
    view: SubscriptionView
    siblings: list[Subscription]
    support_level: str
    multiple_partners: bool

    def to_json(self) -> dict[str, Any]:
        data = self.view.to_json()
        data["support_level"] = self.support_level
        data["contract_subscriptions"] = [
            {"id": s.id, "product": s.product, "seats": s.seats, "plan": s.plan}
            for s in self.siblings
        ]
        return data


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


# --- time: pending changes take effect at effective_at -------------------------------


def in_effect(change: Change, now: datetime) -> bool:
    return change.status == "pending" and change.effective_at <= now


def as_of(change: Change, now: datetime) -> Change:
    """A change's status as seen at ``now``: pending changes past ``effective_at`` are applied."""
    return replace(change, status="applied") if in_effect(change, now) else change


def _effective(terms: Terms, pending: Change | None, now: datetime) -> tuple[Terms, Change | None]:
    if pending is not None and in_effect(pending, now):
        return replace(terms, partners=(pending.to,)), None
    return terms, pending


def _settle(writer: StoreWriter, holder: str, now: datetime) -> None:
    """Write down a pending change whose time has come, before deciding anything else."""
    pending = writer.pending_change(holder)
    if pending is None or not in_effect(pending, now):
        return
    writer.set_change_status(pending.id, "applied")
    if pending.contract is not None:
        writer.set_contract_partners(pending.contract, [pending.to])
    else:
        writer.set_subscription_partners(holder, [pending.to])


# --- reading ---------------------------------------------------------------------------


class _Account:
    """What a listing needs once: partners' names, the acting user."""

    def __init__(self, reader: StoreReader, ctx: Context) -> None:
        self.reader = reader
        self.ctx = ctx
        self.names = {p.csn: p.name for p in reader.partners()}
        self.actor_user: User | None = reader.user(ctx.actor) if ctx.actor else None
        self.today = ctx.today
        self.passing: dict[str, bool] = {}  # contract number → its subscriptions pass every rule

    def view(
        self,
        sub: Subscription,
        contract: Contract | None,
        pending: Change | None,
    ) -> SubscriptionView:
        terms, pending = _effective(Terms.of(sub, contract), pending, self.ctx.now)
        return self.view_in_effect(sub, terms, pending)

    def view_in_effect(
        self, sub: Subscription, terms: Terms, pending: Change | None
    ) -> SubscriptionView:
        """The view from ``terms`` and ``pending`` as they are in effect now (``_effective``)."""
        today = self.today
        holder = terms.contract
        if holder is not None and self.passing.get(holder):
            # Another subscription of this contract passed every rule with the same terms,
            # and no rule looks at the subscription itself (see `Facts`): so does this one.
            return SubscriptionView(
                sub, terms, days_left(terms.term_end, today), pending, self.names, ()
            )
        facts = Facts(
            today=today,
            subscription=sub.id,
            terms=terms,
            actor=self.ctx.actor,
            actor_user=self.actor_user,
            pending=pending,
            pending_partner_name=self.names.get(pending.to) if pending else None,
        )
        view = SubscriptionView(
            sub,
            terms,
            days_left(terms.term_end, today),
            pending,
            self.names,
            tuple(eligibility(facts)),
        )
        if holder is not None:
            self.passing[holder] = view.eligible
        return view


def list_subscriptions(ctx: Context, *, eligible_only: bool = False) -> Iterator[SubscriptionView]:
    """Billing and Orders › Subscriptions and Contracts, streamed in id order."""
    with ctx.store.read() as reader:
        account = _Account(reader, ctx)
        pending = reader.pending_changes()
        # A contract's subscriptions share its terms: work them out once per contract,
        # not once per subscription (20,000 contracts for 100,000 subscriptions).
        in_effect_of = {
            c.number: _effective(Terms.of_contract(c), pending.get(c.number), ctx.now)
            for c in reader.contracts()
        }
        for sub in reader.subscriptions():
            shared = in_effect_of.get(sub.contract) if sub.contract else None
            if shared is None:
                view = account.view(sub, None, pending.get(sub.contract or sub.id))
            else:
                view = account.view_in_effect(sub, *shared)
            if eligible_only and not view.eligible:
                continue
            yield view


def _find_subscription(reader: StoreReader, sub_id: str) -> tuple[Subscription, Contract | None]:
    sub = reader.subscription(sub_id)
    if sub is None:
        raise NotFoundError(
            _("No subscription {id} in this account.").format(id=sub_id),
            hint=_("`acctctl subs list` shows the account's subscriptions."),
        )
    contract = reader.contract(sub.contract) if sub.contract else None
    return sub, contract


def show_subscription(ctx: Context, sub_id: str) -> SubscriptionDetail:
    with ctx.store.read() as reader:
        sub, contract = _find_subscription(reader, sub_id)
        view = _Account(reader, ctx).view(
            sub, contract, reader.pending_change(sub.contract or sub.id)
        )
        siblings = (
            [s for s in reader.subscriptions_of_contract(contract.number) if s.id != sub.id]
            if contract
            else []
        )
    return SubscriptionDetail(
        view, siblings, _(SUPPORT_LEVELS[sub.plan]), len(view.terms.partners) > 1
    )


def lookup_partner(ctx: Context, csn: str) -> Partner:
    """Steps 5–6: find the partner by its account number."""
    with ctx.store.read() as reader:
        partner = reader.partner(csn)
    if partner is None:
        raise NotFoundError(
            _("No partner with account number {csn}.").format(csn=csn),
            hint=_("Check the number with the new partner."),
        )
    return partner


# --- the partner change ----------------------------------------------------------------


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
) -> tuple[ChangeResult, Terms, Change | None]:
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
        actor_user=reader.user(ctx.actor) if ctx.actor else None,
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
    return result, terms, pending


def one_session(ctx: Context) -> AbstractContextManager[None]:
    """Use cases in a row — a bulk change — on one store connection, where the back end
    keeps one (``SqliteStore.session``). Each still runs in its own transaction."""
    session = getattr(ctx.store, "session", None)
    if session is None:
        return nullcontext()
    kept: AbstractContextManager[None] = session()
    return kept


def require_actor(ctx: Context) -> str:
    if not ctx.actor:
        raise UsageError(
            _(
                "Who is acting? Pass --as EMAIL (or set ACCTCTL_USER, or "
                "`acctctl config set user`)."
            ),
        )
    return ctx.actor


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
        result, terms, _pending = _decide(writer, ctx, sub_id, partner, replace_all)
        if result.status != "would-submit":
            return result
        _settle(writer, result.contract or sub_id, ctx.now)
        change = Change(
            id=writer.next_change_id(),
            contract=result.contract,
            subscription=None if result.contract else sub_id,
            from_=terms.partners,
            to=partner.csn,
            by=actor,
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


# --- around the change ----------------------------------------------------------------


def history(ctx: Context, ident: str | None = None) -> list[Change]:
    """Changes of the whole account, or of one subscription's contract, or one contract."""
    with ctx.store.read() as reader:
        holder = None
        if ident is not None:
            sub = reader.subscription(ident)
            if sub is not None:
                holder = sub.contract or sub.id
            elif reader.contract(ident) is not None:
                holder = ident
            else:
                raise NotFoundError(
                    _("No subscription or contract {id} in this account.").format(id=ident)
                )
        changes = reader.changes(holder)
    return [as_of(c, ctx.now) for c in changes]


def _authorize(reader: StoreReader, ctx: Context, terms: Terms) -> User:
    actor = require_actor(ctx)
    user = reader.user(actor)
    if user is None:
        raise NotAllowedError(
            _(
                "{email} is not a user of this account: act as one of its users (--as EMAIL)."
            ).format(email=actor)
        )
    if not may_manage(terms, user):
        raise NotAllowedError(
            _(
                "Only the contract manager ({manager}) or the account's primary admin may do this."
            ).format(manager=terms.manager)
        )
    return user


def get_change(ctx: Context, change_id: str) -> Change:
    with ctx.store.read() as reader:
        change = reader.change(change_id)
    if change is None:
        raise NotFoundError(_("No change {id} in this account.").format(id=change_id))
    return as_of(change, ctx.now)


def cancel_change(ctx: Context, change_id: str) -> Change:
    """Withdraw a change that is still pending."""
    with ctx.store.write() as writer:
        change = writer.change(change_id)
        if change is None:
            raise NotFoundError(_("No change {id} in this account.").format(id=change_id))
        terms = _holder_terms(writer, change.holder)
        _authorize(writer, ctx, terms)
        _settle(writer, change.holder, ctx.now)
        current = writer.change(change_id)
        assert current is not None
        if current.status != "pending":
            raise RejectedError(
                _("Change {id} is {status}: only a pending change can be cancelled.").format(
                    id=change_id, status=_(current.status)
                )
            )
        writer.set_change_status(change_id, "cancelled")
    return replace(current, status="cancelled")


def _holder_terms(reader: StoreReader, holder: str) -> Terms:
    contract = reader.contract(holder)
    if contract is not None:
        return Terms.of_contract(contract)
    sub = reader.subscription(holder)
    if sub is None:
        raise NotFoundError(_("No subscription or contract {id}.").format(id=holder))
    return Terms.of(sub, None)


def set_auto_renew(ctx: Context, sub_id: str, on: bool) -> tuple[SubscriptionView, bool]:
    """Turn automatic renewal on or off for the subscription's contract.
    Returns the new view and whether anything changed."""
    with ctx.store.write() as writer:
        sub, contract = _find_subscription(writer, sub_id)
        terms = Terms.of(sub, contract)
        _authorize(writer, ctx, terms)
        changed = terms.auto_renew != on
        if changed:
            if contract is not None:
                writer.set_contract_auto_renew(contract.number, on)
            else:
                writer.set_subscription_auto_renew(sub.id, on)
    return show_subscription(ctx, sub_id).view, changed


# --- integrity ------------------------------------------------------------------------


def check_invariants(ctx: Context) -> list[str]:
    """The domain promises a healthy store keeps (on top of the back end's own checks)."""
    problems: list[str] = []
    with ctx.store.read() as reader:
        partners = {p.csn for p in reader.partners()}
        contracts = {c.number: c for c in reader.contracts()}
        subs = {s.id: s for s in reader.subscriptions()}
        users = {u.email for u in reader.users()}
        for number, contract in contracts.items():
            if not contract.partners:
                problems.append(_("contract {n} has no partner").format(n=number))
        for sub in subs.values():
            if sub.contract is not None and sub.contract not in contracts:
                problems.append(
                    _("subscription {id} names unknown contract {n}").format(
                        id=sub.id, n=sub.contract
                    )
                )
            if sub.contract is None and not sub.partners:
                problems.append(_("subscription {id} has no partner").format(id=sub.id))
            problems.extend(
                _("contract {n} names unknown partner {csn}").format(n=number, csn=csn)
                for csn in contract.partners
                if csn not in partners
            )
        pending_seen: set[str] = set()
        last_applied: dict[str, Change] = {}
        for change in reader.changes():
            holder = change.holder
            if change.contract is not None and change.contract not in contracts:
                problems.append(
                    _("change {id} names unknown contract {n}").format(id=change.id, n=holder)
                )
            if change.subscription is not None and change.subscription not in subs:
                problems.append(
                    _("change {id} names unknown subscription {n}").format(id=change.id, n=holder)
                )
            if change.to not in partners:
                problems.append(
                    _("change {id} names unknown partner {csn}").format(id=change.id, csn=change.to)
                )
            if change.by not in users:
                problems.append(
                    _("change {id} names unknown user {email}").format(
                        id=change.id, email=change.by
                    )
                )
            if change.status == "pending":
                if holder in pending_seen:
                    problems.append(
                        _("{holder} has more than one pending change").format(holder=holder)
                    )
                pending_seen.add(holder)
            if change.status == "applied":
                last_applied[holder] = change
        for holder, change in last_applied.items():
            held = contracts[holder].partners if holder in contracts else None
            if held is None and holder in subs:
                held = subs[holder].partners
            if held is not None and held != (change.to,):
                problems.append(
                    _("{holder}'s partners do not match its last applied change {id}").format(
                        holder=holder, id=change.id
                    )
                )
    return problems


# --- the store as a whole --------------------------------------------------------------


def replace_store(ctx: Context, document: AccountDocument, *, force: bool) -> None:
    """`store init` / `store import`: replacing an existing account takes its primary admin."""
    store = ctx.store
    if store.exists():
        if not force:
            raise StoreExistsError(
                _("A store already exists at {where}.").format(where=store.where()),
                hint=_("Pass --force to replace it (as the account's primary admin)."),
            )
        actor = require_actor(ctx)
        with store.read() as reader:
            user = reader.user(actor)
        if user is None or user.role != "primary_admin":
            raise NotAllowedError(
                _(
                    "Only the account's primary admin may replace the whole store; {email} is not."
                ).format(email=actor)
            )
    store.replace(document, force=force)


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A vendor email naming a new partner, with the partner it names (if known)."""

    notice: Notice
    partner: Partner | None


def account_users(ctx: Context) -> list[User]:
    with ctx.store.read() as reader:
        return reader.users()


def notices(ctx: Context) -> list[NoticeView]:
    """The vendor's emails naming a new partner, newest first (offered at step 1)."""
    with ctx.store.read() as reader:
        return [NoticeView(n, reader.partner(n.partner)) for n in reader.notices()]
