"""The store contract over an account document held in memory.

``DocumentView`` is the reader and writer of the JSON-file store (and a handy
store for tests): dict indexes make every lookup O(1), and the orders promised by
``StoreReader`` are computed once. The rules every back end's writer keeps the
same way live in ``store/invariants.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import replace
from datetime import datetime
from typing import Any

from acctctl.candidates import Candidates
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
from acctctl.history import chain_of, head, record
from acctctl.store.invariants import (
    change_number,
    change_order,
    check_new_change,
    check_status_change,
    format_change_id,
    issued_change_number,
    no_change,
    no_contract,
    no_partner,
    no_subscription,
    own_terms_only,
    partner_list,
)
from acctctl.store.listing_rows import ListingRow, rows_of
from acctctl.store.recorded import RecordedWrites, check_time


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

    def candidate_contracts(self, candidates: Candidates) -> Iterator[Contract]:
        pending = self.pending_changes()
        for contract in self.contracts():
            if candidates.admits(Terms.of_contract(contract), pending.get(contract.number)):
                yield contract

    def subscription_contracts(self) -> Iterator[tuple[str, str | None]]:
        for subscription in self.subscriptions():
            yield subscription.id, subscription.contract

    def listing_rows(self, candidates: Candidates | None = None) -> Iterator[ListingRow]:
        return rows_of(self.listing(candidates))

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

    def with_holders(
        self, sub_ids: Sequence[str]
    ) -> Iterator[tuple[Subscription, Contract | None, Change | None]]:
        for sub_id in sub_ids:
            sub = self.subscription(sub_id)
            if sub is not None:
                contract = self.contract(sub.contract) if sub.contract else None
                yield sub, contract, self.pending_change(sub.contract or sub.id)

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

    def batched(self, *, pipelined: bool = True) -> AbstractContextManager[None]:
        return nullcontext()  # the document is in memory: nothing to send

    def recorded(self, change: Change) -> Change:
        return change

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
