"""The recorded writes of the local stores (SQLite, JSON file): the service has decided,
the store writes the change and its history record in the same transaction.

On these stores the file's owner is trusted, so the writes are built on the raw
setters. The PostgreSQL store implements the same four methods with its own
database functions, which check the identity, the rules and the time again
(postgres_functions.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from acctctl.domain import Change, ChangeStatus, Contract, Subscription
from acctctl.errors import StoreError
from acctctl.i18n import _

# memory.py's DocumentView is one of these writers (and invariants.py is read by it), so
# the error factories are imported where they are used, not here.


class _Dated(Protocol):
    def latest_event_at(self) -> datetime | None: ...


class _Raw(Protocol):
    def pending_change(self, holder: str) -> Change | None: ...

    def change(self, id: str) -> Change | None: ...

    def subscription(self, id: str) -> Subscription | None: ...

    def contract(self, number: str) -> Contract | None: ...

    def next_change_id(self) -> str: ...

    def add_change(self, change: Change) -> None: ...

    def set_change_status(
        self, id: str, status: ChangeStatus, *, at: datetime, by: str | None = None
    ) -> None: ...

    def set_contract_partners(self, number: str, partners: Iterable[str]) -> None: ...

    def set_subscription_partners(self, id: str, partners: Iterable[str]) -> None: ...

    def set_contract_auto_renew(self, number: str, value: bool) -> None: ...

    def set_subscription_auto_renew(self, id: str, value: bool) -> None: ...

    def latest_event_at(self) -> datetime | None: ...


def dated_before(latest: datetime, at: datetime) -> StoreError:
    """A write dated before the store's latest recorded event: clocks are not wound back."""
    return StoreError(
        _(
            "The store's latest recorded event is dated {latest}, after this write's time "
            "({at}): a write cannot be dated before it, so nothing was written."
        ).format(latest=latest.isoformat(), at=at.isoformat()),
        hint=_("Check this machine's clock (and ACCTCTL_NOW, if set)."),
    )


def check_time(reader: _Dated, at: datetime) -> None:
    latest = reader.latest_event_at()
    if latest is not None and at < latest:
        raise dated_before(latest, at)


class RecordedWrites:
    """``settle``, ``submit_change``, ``cancel_change`` and ``set_auto_renew`` over the raw
    setters of a local store's writer."""

    def settle(self: _Raw, holder: str, at: datetime) -> Change | None:
        """Write down the holder's pending change if its time has come (at ``at``)."""
        pending = self.pending_change(holder)
        if pending is None or pending.effective_at > at:
            return None
        self.set_change_status(pending.id, "applied", at=at)
        if pending.contract is not None:
            self.set_contract_partners(pending.contract, [pending.to])
        else:
            self.set_subscription_partners(holder, [pending.to])
        return replace(pending, status="applied")

    def submit_change(
        self: _Raw, change: Change, *, subscription: str, replace_all: bool
    ) -> Change:
        """Record ``change`` (its id is given here) as submitted; returns it as recorded."""
        check_time(self, change.submitted_at)
        RecordedWrites.settle(self, change.holder, change.submitted_at)
        made = replace(change, id=self.next_change_id(), status="pending")
        self.add_change(made)
        return made

    def cancel_change(self: _Raw, id: str, *, by: str, at: datetime) -> Change:
        from acctctl.store.invariants import no_change

        change = self.change(id)
        if change is None:
            raise no_change(id)
        self.set_change_status(id, "cancelled", at=at, by=by)
        return replace(change, status="cancelled")

    def set_auto_renew(
        self: _Raw, subscription: str, value: bool, *, by: str, at: datetime
    ) -> bool:
        """Whether anything changed."""
        from acctctl.store.invariants import no_subscription

        check_time(self, at)
        found = self.subscription(subscription)
        if found is None:
            raise no_subscription(subscription)
        if found.contract is not None:
            contract = self.contract(found.contract)
            if contract is None or contract.auto_renew == value:
                return False
            self.set_contract_auto_renew(contract.number, value)
            return True
        if found.auto_renew == value:
            return False
        self.set_subscription_auto_renew(found.id, value)
        return True
