"""The account's vocabulary, as typed values. Parsed at the edge, trusted inside."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field
from datetime import date, datetime
from typing import Literal

# Dataclasses whose methods are written out (values.py: generating them cost 4 ms of
# every start); each __init__ assigns its fields in order, as the generated one would.
from acctctl.values import Frozen, Record, record, set_field, value

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


@value
class Account(Frozen):
    """The customer account: its number (CSN) and name."""

    csn: str
    name: str

    def __init__(self, csn: str, name: str) -> None:
        set_field(self, "csn", csn)
        set_field(self, "name", name)


@value
class User(Frozen):
    """A user of the account and their role."""

    email: str
    name: str
    role: Role

    def __init__(self, email: str, name: str, role: Role) -> None:
        set_field(self, "email", email)
        set_field(self, "name", name)
        set_field(self, "role", role)


@value
class Partner(Frozen):
    """A reseller, found by its account number (CSN)."""

    csn: str
    name: str
    city: str
    country: str
    email: str
    active: bool

    def __init__(
        self,
        csn: str,
        name: str,
        city: str,
        country: str,
        email: str,
        active: bool,
    ) -> None:
        set_field(self, "csn", csn)
        set_field(self, "name", name)
        set_field(self, "city", city)
        set_field(self, "country", country)
        set_field(self, "email", email)
        set_field(self, "active", active)


@value
class Contract(Frozen):
    """A legacy-model contract: it holds the partners of all its subscriptions."""

    number: str
    manager: str
    term_end: date
    auto_renew: bool
    agreement: Agreement
    partners: tuple[str, ...]

    def __init__(
        self,
        number: str,
        manager: str,
        term_end: date,
        auto_renew: bool,
        agreement: Agreement,
        partners: tuple[str, ...],
    ) -> None:
        set_field(self, "number", number)
        set_field(self, "manager", manager)
        set_field(self, "term_end", term_end)
        set_field(self, "auto_renew", auto_renew)
        set_field(self, "agreement", agreement)
        set_field(self, "partners", partners)


@value
class Subscription(Frozen):
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

    def __init__(
        self,
        id: str,
        product: str,
        seats: int,
        plan: Plan,
        contract: str | None,
        manager: str | None = None,
        term_end: date | None = None,
        auto_renew: bool | None = None,
        partners: tuple[str, ...] = (),
    ) -> None:
        set_field(self, "id", id)
        set_field(self, "product", product)
        set_field(self, "seats", seats)
        set_field(self, "plan", plan)
        set_field(self, "contract", contract)
        set_field(self, "manager", manager)
        set_field(self, "term_end", term_end)
        set_field(self, "auto_renew", auto_renew)
        set_field(self, "partners", partners)


@value
class Notice(Frozen):
    """An email from the vendor naming a new partner."""

    received: date
    partner: str
    subject: str

    def __init__(self, received: date, partner: str, subject: str) -> None:
        set_field(self, "received", received)
        set_field(self, "partner", partner)
        set_field(self, "subject", subject)


@value
class Change(Frozen):
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

    def __init__(
        self,
        id: str,
        contract: str | None,
        subscription: str | None,
        from_: tuple[str, ...],
        to: str,
        by: str,
        submitted_at: datetime,
        effective_at: datetime,
        status: ChangeStatus,
    ) -> None:
        set_field(self, "id", id)
        set_field(self, "contract", contract)
        set_field(self, "subscription", subscription)
        set_field(self, "from_", from_)
        set_field(self, "to", to)
        set_field(self, "by", by)
        set_field(self, "submitted_at", submitted_at)
        set_field(self, "effective_at", effective_at)
        set_field(self, "status", status)

    @property
    def holder(self) -> str:
        """The contract number, or the subscription id for the new buying model."""
        return self.contract if self.contract is not None else (self.subscription or "")


@value
class HistoryEvent(Frozen):
    """One record of the account's history, a hash chain (see history.py): ``hash``
    covers this record, the change it submits, and the hash of the record before it.
    ``at`` is when the store recorded it; ``by`` who did it (None: the vendor applied it)."""

    event: EventKind
    change: str
    at: datetime
    by: str | None
    hash: str

    def __init__(
        self,
        event: EventKind,
        change: str,
        at: datetime,
        by: str | None,
        hash: str,
    ) -> None:
        set_field(self, "event", event)
        set_field(self, "change", change)
        set_field(self, "at", at)
        set_field(self, "by", by)
        set_field(self, "hash", hash)


@value
class Terms(Frozen):
    """What decides eligibility: the contract's terms, or a new-model subscription's own."""

    contract: str | None
    manager: str
    term_end: date
    auto_renew: bool
    agreement: Agreement | None
    partners: tuple[str, ...]

    def __init__(
        self,
        contract: str | None,
        manager: str,
        term_end: date,
        auto_renew: bool,
        agreement: Agreement | None,
        partners: tuple[str, ...],
    ) -> None:
        set_field(self, "contract", contract)
        set_field(self, "manager", manager)
        set_field(self, "term_end", term_end)
        set_field(self, "auto_renew", auto_renew)
        set_field(self, "agreement", agreement)
        set_field(self, "partners", partners)

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


@record
class AccountDocument(Record):
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

    def __init__(
        self,
        account: Account,
        users: list[User] | None = None,
        partners: list[Partner] | None = None,
        contracts: list[Contract] | None = None,
        subscriptions: list[Subscription] | None = None,
        notices: list[Notice] | None = None,
        changes: list[Change] | None = None,
        history: list[HistoryEvent] | None = None,
        last_change_number: int = 0,
    ) -> None:
        # None for a list: a new empty one (the fields' default_factory).
        self.account = account
        self.users = [] if users is None else users
        self.partners = [] if partners is None else partners
        self.contracts = [] if contracts is None else contracts
        self.subscriptions = [] if subscriptions is None else subscriptions
        self.notices = [] if notices is None else notices
        self.changes = [] if changes is None else changes
        self.history = [] if history is None else history
        self.last_change_number = last_change_number


@record
class DocumentStream(Record):
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

    def __init__(
        self,
        account: Account,
        users: Iterable[User],
        partners: Iterable[Partner],
        contracts: Iterable[Contract],
        subscriptions: Iterable[Subscription],
        notices: Iterable[Notice],
        changes: Iterable[Change],
        history: Iterable[HistoryEvent],
        last_change_number: int = 0,
    ) -> None:
        self.account = account
        self.users = users
        self.partners = partners
        self.contracts = contracts
        self.subscriptions = subscriptions
        self.notices = notices
        self.changes = changes
        self.history = history
        self.last_change_number = last_change_number

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
