"""The account's vocabulary, as typed values. Parsed at the edge, trusted inside."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Role = Literal["primary_admin", "secondary_admin", "user"]
ROLES: tuple[Role, ...] = ("primary_admin", "secondary_admin", "user")

Plan = Literal["standard", "premium", "enterprise"]
PLANS: tuple[Plan, ...] = ("standard", "premium", "enterprise")

Agreement = Literal["standard", "eba", "eba-token-flex"]
AGREEMENTS: tuple[Agreement, ...] = ("standard", "eba", "eba-token-flex")

ChangeStatus = Literal["pending", "applied", "cancelled"]
CHANGE_STATUSES: tuple[ChangeStatus, ...] = ("pending", "applied", "cancelled")

# What happens to a change, in the order it happens: submitted (pending), then applied
# or cancelled. The history records these; a change's status follows from them.
EventKind = Literal["submitted", "applied", "cancelled"]
EVENT_KINDS: tuple[EventKind, ...] = ("submitted", "applied", "cancelled")

FORMAT = "acctctl/1"


@dataclass(frozen=True, slots=True)
class Account:
    """The customer account: its number (CSN) and name."""

    csn: str
    name: str


@dataclass(frozen=True, slots=True)
class User:
    """A user of the account and their role."""

    email: str
    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class Partner:
    """A reseller, found by its account number (CSN)."""

    csn: str
    name: str
    city: str
    country: str
    email: str
    active: bool


@dataclass(frozen=True, slots=True)
class Contract:
    """A legacy-model contract: it holds the partners of all its subscriptions."""

    number: str
    manager: str
    term_end: date
    auto_renew: bool
    agreement: Agreement
    partners: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Subscription:
    """Either belongs to a contract (legacy), or carries its own terms (new buying model)."""

    id: str
    product: str
    seats: int
    plan: Plan
    contract: str | None
    manager: str | None = None
    term_end: date | None = None
    auto_renew: bool | None = None
    partners: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Notice:
    """An email from the vendor naming a new partner."""

    received: date
    partner: str
    subject: str


@dataclass(frozen=True, slots=True)
class Change:
    """A submitted partner change on a contract (or a new-model subscription)."""

    id: str
    contract: str | None
    subscription: str | None
    from_: tuple[str, ...]
    to: str
    by: str
    submitted_at: datetime
    effective_at: datetime
    status: ChangeStatus

    @property
    def holder(self) -> str:
        """The contract number, or the subscription id for the new buying model."""
        return self.contract if self.contract is not None else (self.subscription or "")


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One record of the account's history, a hash chain (see history.py): ``hash``
    covers this record, the change it submits, and the hash of the record before it.
    ``at`` is when the store recorded it; ``by`` who did it (None: the vendor applied it)."""

    event: EventKind
    change: str
    at: datetime
    by: str | None
    hash: str


@dataclass(frozen=True, slots=True)
class Terms:
    """What decides eligibility: the contract's terms, or a new-model subscription's own."""

    contract: str | None
    manager: str
    term_end: date
    auto_renew: bool
    agreement: Agreement | None
    partners: tuple[str, ...]

    @staticmethod
    def of_contract(contract: Contract) -> Terms:
        return Terms(
            contract.number,
            contract.manager,
            contract.term_end,
            contract.auto_renew,
            contract.agreement,
            contract.partners,
        )

    @staticmethod
    def of(subscription: Subscription, contract: Contract | None) -> Terms:
        if contract is not None:
            return Terms.of_contract(contract)
        if subscription.term_end is None:
            raise ValueError(f"subscription {subscription.id} has neither contract nor terms")
        return Terms(
            None,
            subscription.manager or "",
            subscription.term_end,
            bool(subscription.auto_renew),
            None,
            subscription.partners,
        )


@dataclass(slots=True)
class AccountDocument:
    """The whole account, as imported and exported (SPEC §7)."""

    account: Account
    users: list[User] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    # The hash chain over ``changes`` (empty: not given, as in documents written before
    # it existed; the store then starts one). Not part of equality: two documents with
    # the same account are the same account, whatever their chain was recomputed as.
    history: list[HistoryEvent] = field(default_factory=list, compare=False)
    # The highest CHG- number the store has handed out, when above those of `changes`:
    # after `store import --force` (or a replaced account) numbering goes on from it,
    # so a saved change id never comes to name another contract's change.
    last_change_number: int = 0


@dataclass(slots=True)
class DocumentStream:
    """The whole account as sections read one after another (``store export`` and
    ``store import`` of a million subscriptions): each iterable is read once, in this
    order, so a section may come from a cursor or a file while the previous one is
    written. Reading a section may raise (an imported document found wrong further on)."""

    account: Account
    users: Iterable[User]
    partners: Iterable[Partner]
    contracts: Iterable[Contract]
    subscriptions: Iterable[Subscription]
    notices: Iterable[Notice]
    changes: Iterable[Change]
    history: Iterable[HistoryEvent]
    # ``AccountDocument.last_change_number``; an import knows it only once ``history``
    # has been read to its end, so read it after the sections.
    last_change_number: int = 0

    def collect(self) -> AccountDocument:
        """Every section read, in order, into one document (the JSON-file store)."""
        document = AccountDocument(
            self.account,
            list(self.users),
            list(self.partners),
            list(self.contracts),
            list(self.subscriptions),
            list(self.notices),
            list(self.changes),
            list(self.history),
        )
        document.last_change_number = self.last_change_number
        return document

    @staticmethod
    def of(document: AccountDocument) -> DocumentStream:
        return DocumentStream(
            document.account,
            document.users,
            document.partners,
            document.contracts,
            document.subscriptions,
            document.notices,
            document.changes,
            document.history,
            document.last_change_number,
        )
