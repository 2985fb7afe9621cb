"""The store contract over an account document held in memory.

``DocumentView`` is the reader and writer of the JSON-file store (and a handy
store for tests): dict indexes make every lookup O(1), and the orders promised by
``StoreReader`` are computed once. It also holds the few rules every back end's
writer keeps the same way (change ids, what may be set on what).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from acctctl.domain import (
    Account,
    AccountDocument,
    Change,
    ChangeStatus,
    Contract,
    DocumentStream,
    HistoryEvent,
    Notice,
    Partner,
    Subscription,
    Terms,
    User,
)
from acctctl.errors import (
    NotFoundError,
    StoreCorruptError,
    StoreExistsError,
    StoreLockedError,
    StoreMissingError,
    StoreSchemaError,
)
from acctctl.hints import command
from acctctl.history import chain_of, head, record
from acctctl.i18n import _
from acctctl.rules import Candidates
from acctctl.store.base import StoreReader
from acctctl.store.recorded import RecordedWrites, check_time

_CHANGE_ID = re.compile(r"CHG-([0-9]+)")


# --- what every back end's writer does the same way --------------------------------------


def format_change_id(number: int) -> str:
    return f"CHG-{number:06d}"


def change_number(change_id: str) -> int:
    """The sequence number of an id made by ``format_change_id``; 0 for any other id,
    and for numbers too large for a 64-bit sequence (an imported id may have 60 digits;
    it is kept as it is and such numbers are simply never issued)."""
    match = _CHANGE_ID.fullmatch(change_id)
    if match is None or len(match.group(1)) > 18:
        return 0
    return int(match.group(1))


def issued_change_number(document: AccountDocument) -> int:
    """The highest change number ``document``'s store has handed out: its own record of
    it, or its changes' ids. A replaced store goes on from the old one's (issue 14)."""
    highest = max((change_number(c.id) for c in document.changes), default=0)
    return max(document.last_change_number, highest)


def utc(moment: datetime) -> datetime:
    """Moments are kept in UTC; a naive one is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def store_missing(where: str, *, empty: bool = False) -> StoreMissingError:
    message = (
        _("The store at {where} holds no account yet.")
        if empty
        else _("There is no store at {where}.")
    )
    return StoreMissingError(
        message.format(where=where),
        hint=_("Run `{init}` or `{load}`.").format(
            init=command("store", "init", "--demo"), load=command("store", "import", "FILE")
        ),
    )


def store_corrupt(where: str, problem: str) -> StoreCorruptError:
    return StoreCorruptError(
        _("The store at {where} is unreadable: {problem}.").format(where=where, problem=problem),
        hint=_(
            "It was left as it is. Restore it from a backup, or move it away and run `{load}`."
        ).format(load=command("store", "import", "FILE")),
    )


def store_newer(where: str, found: str, known: str) -> StoreSchemaError:
    return StoreSchemaError(
        _(
            "The store at {where} was written by a newer acctctl (schema {found}; "
            "this version knows {known})."
        ).format(where=where, found=found, known=known),
        hint=_("It was left as it is. Upgrade acctctl to use it."),
    )


def store_locked(where: str) -> StoreLockedError:
    return StoreLockedError(
        _("The store at {where} is locked by another acctctl process; try again.").format(
            where=where
        )
    )


def store_exists(where: str) -> StoreExistsError:
    return StoreExistsError(
        _("A store already exists at {where}.").format(where=where),
        hint=_("Pass --force to replace it."),
    )


def no_contract(number: str) -> NotFoundError:
    return NotFoundError(
        _("No contract {number} in this account.").format(number=number), code="unknown-contract"
    )


def no_subscription(id: str) -> NotFoundError:
    return NotFoundError(
        _("No subscription {id} in this account.").format(id=id), code="unknown-subscription"
    )


def no_change(id: str) -> NotFoundError:
    return NotFoundError(_("No change {id} in this account.").format(id=id), code="unknown-change")


def no_partner(csn: str) -> NotFoundError:
    return NotFoundError(
        _("No partner {csn} in this account.").format(csn=csn), code="unknown-partner"
    )


def partner_list(partners: Iterable[str]) -> tuple[str, ...]:
    """The partners a contract or subscription is given: at least one, each once."""
    value = tuple(dict.fromkeys(partners))
    if not value:
        raise ValueError("a contract or subscription holds at least one partner")
    return value


def own_terms_only(subscription: Subscription) -> None:
    """Only a new-buying-model subscription holds its own partners and renewal."""
    if subscription.contract is not None:
        raise ValueError(
            f"subscription {subscription.id} belongs to contract {subscription.contract}, "
            "which holds its terms"
        )


def check_new_change(reader: StoreReader, change: Change) -> None:
    """A change keeps the document's own rules (SPEC §7), so a store never holds what
    its export could not import again. Breaking one is a programming error."""
    if reader.change(change.id) is not None:
        raise ValueError(f"change {change.id} exists already")
    if (change.contract is None) == (change.subscription is None):
        raise ValueError(f"change {change.id} must name exactly one of contract or subscription")
    if change.contract is not None:
        if reader.contract(change.contract) is None:
            raise no_contract(change.contract)
    else:
        subscription = reader.subscription(change.holder)
        if subscription is None:
            raise no_subscription(change.holder)
        own_terms_only(subscription)
    if reader.partner(change.to) is None:
        raise no_partner(change.to)
    if reader.user(change.by) is None:
        raise ValueError(f"change {change.id}: {change.by} is not a user of the account")
    if utc(change.effective_at) < utc(change.submitted_at):
        raise ValueError(f"change {change.id} takes effect before it was submitted")
    if change.status == "pending":
        check_one_pending(reader, change)


def check_one_pending(reader: StoreReader, change: Change) -> None:
    """At most one change is pending on a contract (or new-model subscription)."""
    other = reader.pending_change(change.holder)
    if other is not None and other.id != change.id:
        raise ValueError(f"{change.holder} already has pending change {other.id}")


def check_status_change(change: Change, status: ChangeStatus) -> None:
    """History is append-only: only a pending change moves, to applied or cancelled."""
    if status == "pending" or change.status != "pending":
        raise ValueError(
            f"change {change.id} is {change.status}: only a pending change becomes "
            "applied or cancelled"
        )


def change_order(change: Change) -> tuple[datetime, str]:
    return (utc(change.submitted_at), change.id)


# --- the view ----------------------------------------------------------------------------


class DocumentView(RecordedWrites):
    """StoreReader and StoreWriter over ``document``, which writes change in place.

    ``modified`` says whether anything was written, so the JSON store can skip
    rewriting the file after a transaction that only read.
    """

    def __init__(self, document: AccountDocument, *, sandbox: bool = False) -> None:
        document.history = chain_of(document.changes, document.history)
        self._document = document
        self._sandbox = sandbox
        self._users = {user.email: user for user in document.users}
        self._partners = {partner.csn: partner for partner in document.partners}
        self._contracts = {c.number: i for i, c in enumerate(document.contracts)}
        self._subscriptions = {s.id: i for i, s in enumerate(document.subscriptions)}
        self._changes = {c.id: i for i, c in enumerate(document.changes)}
        self._subscription_order: list[int] | None = None
        self._by_contract: dict[str, list[int]] | None = None
        self._last_change = issued_change_number(document)
        self.modified = False
        self._undo: list[Callable[[], None]] | None = None  # inside a savepoint

    # --- reading ---------------------------------------------------------------------

    def account(self) -> Account:
        return self._document.account

    def users(self) -> list[User]:
        return list(self._document.users)

    def user(self, email: str) -> User | None:
        return self._users.get(email)

    def partners(self) -> list[Partner]:
        return list(self._document.partners)

    def partner(self, csn: str) -> Partner | None:
        return self._partners.get(csn)

    def contracts(self) -> Iterator[Contract]:
        contracts = self._document.contracts
        for number in sorted(self._contracts):
            yield contracts[self._contracts[number]]

    def contract(self, number: str) -> Contract | None:
        index = self._contracts.get(number)
        return None if index is None else self._document.contracts[index]

    def subscriptions(self) -> Iterator[Subscription]:
        subscriptions = self._document.subscriptions
        if self._subscription_order is None:
            self._subscription_order = [
                self._subscriptions[id] for id in sorted(self._subscriptions)
            ]
        for index in self._subscription_order:
            yield subscriptions[index]

    def listing(
        self, candidates: Candidates | None = None
    ) -> Iterator[tuple[Subscription, Contract | None]]:
        pending = self.pending_changes() if candidates is not None else {}
        for subscription in self.subscriptions():
            contract = (
                None if subscription.contract is None else self.contract(subscription.contract)
            )
            if candidates is not None and (
                contract is None
                or not candidates.admits(Terms.of_contract(contract), pending.get(contract.number))
            ):
                continue
            yield subscription, contract

    def subscription(self, id: str) -> Subscription | None:
        index = self._subscriptions.get(id)
        return None if index is None else self._document.subscriptions[index]

    def subscriptions_of_contract(self, number: str) -> list[Subscription]:
        subscriptions = self._document.subscriptions
        if self._by_contract is None:
            by_contract: dict[str, list[int]] = {}
            for index, subscription in enumerate(subscriptions):
                if subscription.contract is not None:
                    by_contract.setdefault(subscription.contract, []).append(index)
            for indexes in by_contract.values():
                indexes.sort(key=lambda i: subscriptions[i].id)
            self._by_contract = by_contract
        return [subscriptions[i] for i in self._by_contract.get(number, ())]

    def notices(self) -> list[Notice]:
        # sorted() is stable with reverse=True: notices of one day keep the document's order.
        return sorted(self._document.notices, key=lambda notice: notice.received, reverse=True)

    def changes(self, holder: str | None = None) -> list[Change]:
        changes = self._document.changes
        if holder is not None:
            changes = [change for change in changes if change.holder == holder]
        return sorted(changes, key=change_order)

    def change(self, id: str) -> Change | None:
        index = self._changes.get(id)
        return None if index is None else self._document.changes[index]

    def pending_changes(self) -> dict[str, Change]:
        return {c.holder: c for c in self.changes() if c.status == "pending"}

    def pending_change(self, holder: str) -> Change | None:
        pending = [c for c in self.changes(holder) if c.status == "pending"]
        return pending[-1] if pending else None

    def document(self) -> AccountDocument:
        document = self._document
        return AccountDocument(
            account=document.account,
            users=list(document.users),
            partners=list(document.partners),
            contracts=list(document.contracts),
            subscriptions=list(document.subscriptions),
            notices=list(document.notices),
            changes=list(document.changes),
            history=list(document.history),
        )

    def stored_document(self) -> AccountDocument:
        """What a JSON store writes back: the account and, when its ids do not say it,
        the last change number handed out (SQLite and PostgreSQL keep that in their
        sequence; the file is the JSON store's only place). Exports leave it out."""
        highest = max(map(change_number, self._changes), default=0)
        last = self._last_change if self._last_change > highest else 0
        return replace(self.document(), last_change_number=last)

    def document_stream(self) -> DocumentStream:
        return DocumentStream.of(self.document())

    def history(self) -> list[HistoryEvent]:
        return list(self._document.history)

    def latest_event_at(self) -> datetime | None:
        history = self._document.history
        return history[-1].at if history else None

    def sandbox(self) -> bool:
        return self._sandbox

    def _record(self, event: HistoryEvent) -> None:
        check_time(self, event.at)
        history = self._document.history
        history.append(event)
        if self._undo is not None:

            def undo() -> None:
                history.pop()

            self._undo.append(undo)

    # --- writing ---------------------------------------------------------------------

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """What the block writes is undone if it raises; the rest of the transaction stays."""
        outer, self._undo = self._undo, []
        last, modified = self._last_change, self.modified
        try:
            yield
        except BaseException:
            for undo in reversed(self._undo):
                undo()
            self._last_change, self.modified = last, modified
            self._undo = outer
            raise
        if outer is not None:
            outer.extend(self._undo)
        self._undo = outer

    def _replacing(self, items: list[Any], index: int) -> None:
        if self._undo is not None:
            old = items[index]
            self._undo.append(lambda: items.__setitem__(index, old))

    def next_change_id(self) -> str:
        self._last_change += 1
        return format_change_id(self._last_change)

    def add_change(self, change: Change) -> None:
        check_new_change(self, change)
        history = self._document.history
        self._record(record(head(history), "submitted", change, change.submitted_at, change.by))
        self._changes[change.id] = len(self._document.changes)
        self._document.changes.append(change)
        if self._undo is not None:
            changes, index = self._document.changes, self._changes

            def undo() -> None:
                changes.pop()
                del index[change.id]

            self._undo.append(undo)
        self._last_change = max(self._last_change, change_number(change.id))
        self.modified = True

    def set_change_status(
        self, id: str, status: ChangeStatus, *, at: datetime, by: str | None = None
    ) -> None:
        index = self._changes.get(id)
        if index is None:
            raise no_change(id)
        changes = self._document.changes
        check_status_change(changes[index], status)
        assert status != "pending"  # for the type checker: refused just above
        self._record(record(head(self._document.history), status, changes[index], at, by))
        self._replacing(changes, index)
        changes[index] = replace(changes[index], status=status)
        self.modified = True

    def set_contract_partners(self, number: str, partners: Iterable[str]) -> None:
        index = self._contract_index(number)
        value = self._known_partners(partners)
        contracts = self._document.contracts
        self._replacing(contracts, index)
        contracts[index] = replace(contracts[index], partners=value)
        self.modified = True

    def set_subscription_partners(self, id: str, partners: Iterable[str]) -> None:
        index = self._own_terms_index(id)
        value = self._known_partners(partners)
        subscriptions = self._document.subscriptions
        self._replacing(subscriptions, index)
        subscriptions[index] = replace(subscriptions[index], partners=value)
        self.modified = True

    def set_contract_auto_renew(self, number: str, value: bool) -> None:
        index = self._contract_index(number)
        contracts = self._document.contracts
        self._replacing(contracts, index)
        contracts[index] = replace(contracts[index], auto_renew=value)
        self.modified = True

    def set_subscription_auto_renew(self, id: str, value: bool) -> None:
        index = self._own_terms_index(id)
        subscriptions = self._document.subscriptions
        self._replacing(subscriptions, index)
        subscriptions[index] = replace(subscriptions[index], auto_renew=value)
        self.modified = True

    def _contract_index(self, number: str) -> int:
        index = self._contracts.get(number)
        if index is None:
            raise no_contract(number)
        return index

    def _own_terms_index(self, id: str) -> int:
        index = self._subscriptions.get(id)
        if index is None:
            raise no_subscription(id)
        own_terms_only(self._document.subscriptions[index])
        return index

    def _known_partners(self, partners: Iterable[str]) -> tuple[str, ...]:
        value = partner_list(partners)
        for csn in value:
            if csn not in self._partners:
                raise no_partner(csn)
        return value
