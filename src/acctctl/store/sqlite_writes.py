"""The SQLite store's writes of one ``BEGIN IMMEDIATE`` transaction, on its reads.

A change and its history record are written together; the next ``ord`` and change
number come from the tables themselves, inside the same transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import replace
from datetime import datetime
from typing import Any

from acctctl.domain import Change, ChangeStatus, EventKind
from acctctl.history import GENESIS, record
from acctctl.store import invariants
from acctctl.store.recorded import RecordedWrites, check_time, dated_before
from acctctl.store.savepoints import savepoint
from acctctl.store.sqlite_rows import Row, SqliteReader
from acctctl.store.sqlite_schema import (
    CHANGE_FROM,
    CHANGES,
    CONTRACT_PARTNERS,
    HISTORY,
    SUBSCRIPTION_PARTNERS,
    PartnerList,
)

# ord is the next one, taken from the table in the same statement.
_INSERT_CHANGE = CHANGES.insert_with(ord="(SELECT coalesce(max(ord) + 1, 0) FROM changes)")
_NEXT_CHANGE_NUMBER = (
    "UPDATE change_sequence SET last = last + 1 WHERE name = 'change' RETURNING last"
)
# What the rules of a new change look up (invariants.NewChangeFacts), in one statement:
# a bulk batch checks each change in the transaction that writes it, without a read per
# fact (issue 16). At most one change is pending per holder (changes_pending).
_NEW_CHANGE_FACTS = """SELECT
    EXISTS (SELECT 1 FROM changes WHERE id = :id),
    EXISTS (SELECT 1 FROM contracts WHERE number = :contract),
    (SELECT coalesce(contract, '') FROM subscriptions WHERE id = :subscription),
    EXISTS (SELECT 1 FROM partners WHERE csn = :partner),
    EXISTS (SELECT 1 FROM users WHERE email = :user),
    (SELECT id FROM changes WHERE holder = :holder AND status = 'pending'
        ORDER BY submitted_at DESC, id DESC LIMIT 1)"""
_UNREAD: Any = object()


class SqliteWriter(SqliteReader, RecordedWrites):
    """The writes of one ``BEGIN IMMEDIATE`` transaction.

    The transaction holds the write lock: only this writer changes the store until it
    ends. So the last history record is read once and then known (each record written
    is the new last one), and the change id this writer issued is known to be above the
    sequence's others; a savepoint rolled back forgets both."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        super().__init__(connection)
        self._last: Row | None = _UNREAD
        self._issued: str | None = None

    def _last_event(self) -> Row | None:
        if self._last is _UNREAD:
            self._last = super()._last_event()
        return self._last

    def _record(self, event: EventKind, change: Change, at: datetime, by: str | None) -> None:
        """The next history record: chained to the last one and dated no earlier than it
        (``check_time``)."""
        last = self._last_event()
        if last is not None and at < (latest := datetime.fromisoformat(last[1])):
            raise dated_before(latest, at)
        made = record(GENESIS if last is None else str(last[2]), event, change, at, by)
        params = HISTORY.params(made, 1 if last is None else last[0] + 1)
        self._db.execute(HISTORY.insert, params)
        # (event, change, at, by_user, hash, seq): the row _last_event would read now.
        self._last = (params[5], params[2], params[4])

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        try:
            with savepoint(self._db.execute, "one_change"):
                yield
        except BaseException:
            self._last = _UNREAD  # what the block wrote is undone: read it again
            self._issued = None
            raise

    def batched(self, *, pipelined: bool = True) -> AbstractContextManager[None]:
        return nullcontext()  # no round trips to save: the database is in this process

    def recorded(self, change: Change) -> Change:
        return change

    def next_change_id(self) -> str:
        row = self._one(_NEXT_CHANGE_NUMBER)
        assert row is not None
        self._issued = invariants.format_change_id(int(row[0]))
        return self._issued

    def submit_change(self, change: Change, *, subscription: str, replace_all: bool) -> Change:
        """``RecordedWrites.submit_change`` with the holder's pending change read once, by
        the rules' query: settled first if its time has come (then none is pending)."""
        check_time(self, change.submitted_at)
        made = replace(change, id=self.next_change_id(), status="pending")
        facts = self._new_change_facts(made)
        if facts.pending is not None and self.settle(made.holder, made.submitted_at):
            facts.pending = None
        self._add_change(made, facts)
        return made

    def add_change(self, change: Change) -> None:
        self._add_change(change, self._new_change_facts(change))

    def _add_change(self, change: Change, facts: invariants.NewChangeFacts) -> None:
        """Write ``change``, its rules checked on ``facts`` read in this transaction."""
        invariants.check_new_change_facts(change, facts)
        self._record("submitted", change, change.submitted_at, change.by)
        # ord comes from the table (_INSERT_CHANGE): the one stored value left is holder.
        self._db.execute(_INSERT_CHANGE, CHANGES.params(change, change.holder))
        self._db.executemany(CHANGE_FROM.insert, CHANGE_FROM.rows(change.id, change.from_))
        if change.id != self._issued:  # an id given from elsewhere (an import, a test)
            self._db.execute(
                "UPDATE change_sequence SET last = max(last, ?) WHERE name = 'change'",
                (invariants.change_number(change.id),),
            )
        self._issued = None

    def _new_change_facts(self, change: Change) -> invariants.NewChangeFacts:
        row = self._db.execute(
            _NEW_CHANGE_FACTS,
            {
                "id": change.id,
                "contract": change.contract,
                "subscription": change.subscription if change.contract is None else None,
                "partner": change.to,
                "user": change.by,
                "holder": change.holder,
            },
        ).fetchone()
        assert row is not None
        return invariants.NewChangeFacts(
            id_taken=bool(row[0]),
            contract_found=bool(row[1]),
            subscription_contract=row[2],
            partner_found=bool(row[3]),
            user_found=bool(row[4]),
            pending=row[5],
        )

    def set_change_status(
        self, id: str, status: ChangeStatus, *, at: datetime, by: str | None = None
    ) -> None:
        change = invariants.change_to_move(self, id, status)
        assert status != "pending"  # for the type checker: refused just above
        self._record(status, change, at, by)
        self._db.execute("UPDATE changes SET status = ? WHERE id = ?", (status, id))

    def set_contract_partners(self, number: str, partners: Iterable[str]) -> None:
        if self._one("SELECT 1 FROM contracts WHERE number = ?", number) is None:
            raise invariants.no_contract(number)
        self._replace_partners(CONTRACT_PARTNERS, number, partners)

    def set_subscription_partners(self, id: str, partners: Iterable[str]) -> None:
        invariants.check_own_terms(self, id)
        self._replace_partners(SUBSCRIPTION_PARTNERS, id, partners)

    def set_contract_auto_renew(self, number: str, value: bool) -> None:
        sql = "UPDATE contracts SET auto_renew = ? WHERE number = ?"
        if self._db.execute(sql, (int(value), number)).rowcount == 0:
            raise invariants.no_contract(number)

    def set_subscription_auto_renew(self, id: str, value: bool) -> None:
        invariants.check_own_terms(self, id)
        self._db.execute("UPDATE subscriptions SET auto_renew = ? WHERE id = ?", (int(value), id))

    def _replace_partners(self, table: PartnerList, key: str, partners: Iterable[str]) -> None:
        value = invariants.partner_list(partners)
        for csn in value:
            if self._one("SELECT 1 FROM partners WHERE csn = ?", csn) is None:
                raise invariants.no_partner(csn)
        self._db.execute(f"DELETE FROM {table.name} WHERE {table.key} = ?", (key,))
        self._db.executemany(table.insert, table.rows(key, value))
