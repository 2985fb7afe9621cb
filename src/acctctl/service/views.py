"""Reading the account: Billing and Orders › Subscriptions and Contracts, one
subscription in full, a partner, the users and the vendor's notices."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from acctctl.domain import (
    Change,
    Contract,
    Notice,
    Partner,
    Subscription,
    Terms,
    User,
)
from acctctl.errors import (
    NotFoundError,
)
from acctctl.hints import command
from acctctl.i18n import N_, _
from acctctl.ids import is_csn
from acctctl.rules import (
    NAMING_THE_SUBSCRIPTION,
    Facts,
    Reason,
    Unknown,
    candidates,
    days_left,
    eligibility,
)
from acctctl.service.context import Context, _effective, _iso, find_user
from acctctl.store.base import StoreReader

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
class SubscriptionView:
    """A subscription as the account shows it now: effective partners, pending change
    (not yet in effect), days left and the rules that block a change.

    From the vendor's export (service.export), ``unknown`` holds the rules that could not
    be decided and ``missing`` the facts the file does not give (``seats``, ``plan``,
    ``auto-renew``, ``contract-manager``, ``token-flex``): they show as unknown, never as
    a guessed value. Partners whose CSN the file does not give are keyed by their name.
    """

    subscription: Subscription
    terms: Terms
    days_left: int
    pending: Change | None
    partner_names: dict[str, str]
    reasons: tuple[Reason, ...]
    unknown: tuple[Unknown, ...] = ()
    missing: frozenset[str] = frozenset()

    @property
    def eligible(self) -> bool:
        """Known to be changeable now: no rule blocks, none is undecided."""
        return not self.reasons and not self.unknown

    @property
    def undecided(self) -> bool:
        """No known rule blocks, but one depends on a fact the source lacks: "check"."""
        return not self.reasons and bool(self.unknown)

    @property
    def holder(self) -> str:
        return self.terms.contract or self.subscription.id

    def name(self, csn: str) -> str:
        return self.partner_names.get(csn, csn)

    def partner_label(self, key: str) -> str:
        """ "Name (CSN)", or the name and where to find the CSN the export lacks."""
        if is_csn(key):
            return f"{self.name(key)} ({key})"
        return _("{name} (account number unknown — check it in the portal)").format(
            name=self.name(key)
        )

    def _or_unknown(self, fact: str, value: object) -> object:
        return None if fact in self.missing else value

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
            "seats": self._or_unknown("seats", sub.seats),
            "plan": self._or_unknown("plan", sub.plan),
            "contract": sub.contract,
            "manager": self._or_unknown("contract-manager", self.terms.manager),
            "term_end": self.terms.term_end.isoformat(),
            "days_left": self.days_left,
            "auto_renew": self._or_unknown("auto-renew", self.terms.auto_renew),
            "agreement": self.terms.agreement,
            "partners": [
                {"csn": c if is_csn(c) else None, "name": self.name(c)} for c in self.terms.partners
            ],
            "pending_change": pending,
            "eligible": None if self.undecided else self.eligible,
            "reasons": [r.to_json() for r in self.reasons],
            "unknown": [u.fact for u in self.unknown],
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


class _Account:
    """What a listing needs once: partners' names, the acting user."""

    def __init__(self, reader: StoreReader, ctx: Context) -> None:
        self.reader = reader
        self.ctx = ctx
        self.names = {p.csn: p.name for p in reader.partners()}
        self.actor_user: User | None = find_user(reader, ctx.actor)
        self.today = ctx.today
        # contract number → the reasons of its subscriptions, when they do not name the
        # subscription (rules.NAMING_THE_SUBSCRIPTION): () when they pass every rule.
        # Bounded (emptied when full) so a listing's memory does not grow with the account;
        # a contract's subscriptions usually have neighbouring ids, so it is nearly always
        # found.
        self.reasons_of: dict[str, tuple[Reason, ...]] = {}

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
        if holder is not None:
            shared = self.reasons_of.get(holder)
            if shared is not None:
                # Another subscription of this contract had these reasons with the same
                # terms; no rule looks at the subscription itself (see `Facts`), and these
                # messages do not name it: so has this one.
                return SubscriptionView(
                    sub, terms, days_left(terms.term_end, today), pending, self.names, shared
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
        if holder is not None and not any(r.code in NAMING_THE_SUBSCRIPTION for r in view.reasons):
            if len(self.reasons_of) >= _REMEMBERED:
                self.reasons_of.clear()
            self.reasons_of[holder] = view.reasons
        return view


_REMEMBERED = 4096
"""Contracts a listing remembers at once (their terms in effect, whether they pass)."""


def list_subscriptions(ctx: Context, *, eligible_only: bool = False) -> Iterator[SubscriptionView]:
    """Billing and Orders › Subscriptions and Contracts, streamed in id order.

    The store streams each subscription with its contract; what a contract's
    subscriptions share (its terms and pending change in effect now, whether they pass
    the rules) is worked out once per contract, in a bounded memory. With
    ``eligible_only`` the store selects the candidates (``rules.candidates``) and the
    rules decide on each of them, as on every other subscription."""
    with ctx.store.read() as reader:
        account = _Account(reader, ctx)
        selection = None
        if eligible_only:
            selection = candidates(ctx.today, ctx.now, ctx.actor, account.actor_user)
            if selection is None:
                return
        pending = reader.pending_changes()
        # Contract → (the Contract read, its terms and pending change in effect now).
        shared: dict[str, tuple[Contract, Terms, Change | None]] = {}
        for sub, contract in reader.listing(selection):
            if contract is None:
                view = account.view(sub, None, pending.get(sub.id))
            else:
                known = shared.get(contract.number)
                if known is None or known[0] is not contract:
                    if len(shared) >= _REMEMBERED:
                        shared.clear()
                    terms, in_effect = _effective(
                        Terms.of_contract(contract), pending.get(contract.number), ctx.now
                    )
                    known = shared[contract.number] = (contract, terms, in_effect)
                view = account.view_in_effect(sub, known[1], known[2])
            if eligible_only and not view.eligible:
                continue
            yield view


def eligible_ids(ctx: Context) -> Iterator[str]:
    """The ids of ``list_subscriptions(ctx, eligible_only=True)``, in id order, without a
    view per subscription (``subs list --eligible --ids``).

    The store selects the candidate contracts (``rules.candidates``, in SQL where the
    rows are) and the rules decide on each of them, once: which rules fail never
    depends on the subscription (``rules.Facts``), so a contract's subscriptions are all
    eligible or none is. The subscriptions are then streamed as (id, contract) pairs and
    kept when their contract passed. New-buying-model subscriptions are never eligible
    (``new-buying-model``), nor candidates."""
    with ctx.store.read() as reader:
        account = _Account(reader, ctx)
        selection = candidates(ctx.today, ctx.now, ctx.actor, account.actor_user)
        if selection is None:
            return
        pending = reader.pending_changes()
        passing: set[str] = set()
        for contract in reader.candidate_contracts(selection):
            terms, in_effect = _effective(
                Terms.of_contract(contract), pending.get(contract.number), ctx.now
            )
            facts = Facts(
                today=ctx.today,
                subscription=contract.number,  # named in messages only, none is kept
                terms=terms,
                actor=ctx.actor,
                actor_user=account.actor_user,
                pending=in_effect,
                pending_partner_name=account.names.get(in_effect.to) if in_effect else None,
            )
            if not eligibility(facts):
                passing.add(contract.number)
        for sub_id, number in reader.subscription_contracts():
            if number in passing:
                yield sub_id


def _find_subscription(reader: StoreReader, sub_id: str) -> tuple[Subscription, Contract | None]:
    sub = reader.subscription(sub_id)
    if sub is None:
        raise NotFoundError(
            _("No subscription {id} in this account.").format(id=sub_id),
            hint=_("`{command}` shows the account's subscriptions.").format(
                command=command("subs", "list")
            ),
            code="unknown-subscription",
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


def show_contract(ctx: Context, number: str) -> list[SubscriptionView]:
    """Every subscription of a contract, as the listing shows them (`subs show NUMBER`)."""
    with ctx.store.read() as reader:
        contract = reader.contract(number)
        if contract is None:
            raise NotFoundError(
                _("No subscription or contract {id} in this account.").format(id=number),
                hint=_("`{command}` shows the account's subscriptions.").format(
                    command=command("subs", "list")
                ),
                code="unknown-subscription",
            )
        account = _Account(reader, ctx)
        pending = reader.pending_change(number)
        return [
            account.view(sub, contract, pending) for sub in reader.subscriptions_of_contract(number)
        ]


def lookup_partner(ctx: Context, csn: str) -> Partner:
    """Steps 5–6: find the partner by its account number."""
    with ctx.store.read() as reader:
        partner = reader.partner(csn)
    if partner is None:
        raise NotFoundError(
            _("No partner with account number {csn}.").format(csn=csn),
            hint=_("Check the number with the new partner."),
            code="unknown-partner",
        )
    return partner


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A vendor email naming a new partner, with the partner it names (if known)."""

    notice: Notice
    partner: Partner | None


def partner_names(ctx: Context) -> dict[str, str]:
    """Every partner's name by CSN, to show names beside the CSNs of a history."""
    with ctx.store.read() as reader:
        return {p.csn: p.name for p in reader.partners()}


def account_users(ctx: Context) -> list[User]:
    with ctx.store.read() as reader:
        return reader.users()


def notices(ctx: Context) -> list[NoticeView]:
    """The vendor's emails naming a new partner, newest first (offered at step 1)."""
    with ctx.store.read() as reader:
        return [NoticeView(n, reader.partner(n.partner)) for n in reader.notices()]


def is_user(ctx: Context, email: str) -> bool:
    with ctx.store.read() as reader:
        return find_user(reader, email) is not None
