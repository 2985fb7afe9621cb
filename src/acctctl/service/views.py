"""Reading the account: Billing and Orders › Subscriptions and Contracts, one
subscription in full, a partner, the users and the vendor's notices."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from acctctl.candidates import candidates
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
    Facts,
    Reason,
    Unknown,
    days_left,
    eligibility,
)
from acctctl.service.context import Context, _effective, find_user
from acctctl.service.reading import Account, terms_json

if TYPE_CHECKING:  # annotations only: the protocols cost 1 ms to build at each start
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
        return {
            "id": sub.id,
            "product": sub.product,
            "seats": self._or_unknown("seats", sub.seats),
            "plan": self._or_unknown("plan", sub.plan),
            "contract": sub.contract,
            **terms_json(
                self.terms, self.days_left, self.pending, self.partner_names, self.missing
            ),
            "eligible": None if self.undecided else self.eligible,
            "reasons": [r.to_json() for r in self.reasons],
            "unknown": [u.fact for u in self.unknown],
        }


@dataclass(frozen=True, slots=True)
class SubscriptionDetail:
    """`subs show`: the view, the contract's other subscriptions and the support level."""

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


class _Account(Account):
    """``reading.Account``, and one subscription's view decided on its own."""

    def view(
        self,
        sub: Subscription,
        contract: Contract | None,
        pending: Change | None,
    ) -> SubscriptionView:
        """One subscription decided on its own (``subs show``; a listing decides once per
        contract: service.listing)."""
        terms, pending = _effective(Terms.of(sub, contract), pending, self.ctx.now)
        facts = Facts(
            today=self.today,
            subscription=sub.id,
            terms=terms,
            actor=self.ctx.actor,
            actor_user=self.actor_user,
            pending=pending,
            pending_partner_name=self.names.get(pending.to) if pending else None,
        )
        return SubscriptionView(
            sub,
            terms,
            days_left(terms.term_end, self.today),
            pending,
            self.names,
            tuple(eligibility(facts)),
        )


def list_subscriptions(ctx: Context, *, eligible_only: bool = False) -> Iterator[SubscriptionView]:
    """Billing and Orders › Subscriptions and Contracts, streamed in id order: what a
    contract's subscriptions share is worked out once per contract (service.listing)."""
    from acctctl.service.listing import list_subscriptions as listed

    return listed(ctx, eligible_only=eligible_only)


def eligible_ids(ctx: Context) -> Iterator[str]:
    """The ids of ``list_subscriptions(ctx, eligible_only=True)``, in id order, without a
    view per subscription (``subs list --eligible --ids``).

    The store selects the candidate contracts (``candidates.candidates``, in SQL where the
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
