"""The SQLite store's writes of one ``BEGIN IMMEDIATE`` transaction, on its reads.

A change and its history record are written together; the next ``ord`` and change
number come from the tables themselves, inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime

from acctctl.domain import Change, ChangeStatus, EventKind
from acctctl.history import GENESIS, record
from acctctl.store import invariants
from acctctl.store.recorded import RecordedWrites, dated_before
from acctctl.store.savepoints import savepoint
from acctctl.store.sqlite_rows import SqliteReader
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


class SqliteWriter(SqliteReader, RecordedWrites):
    """The writes of one ``BEGIN IMMEDIATE`` transaction."""

    def _record(self, event: EventKind, change: Change, at: datetime, by: str | None) -> None:
        """The next history record: chained to the last one and dated no earlier than it
        (``check_time``), the last one read once."""
        last = self._last_event()
        if last is not None and at < (latest := datetime.fromisoformat(last[1])):
            raise dated_before(latest, at)
        made = record(GENESIS if last is None else str(last[2]), event, change, at, by)
        self._db.execute(HISTORY.insert, HISTORY.params(made, 1 if last is None else last[0] + 1))

    def savepoint(self) -> AbstractContextManager[None]:
        return savepoint(self._db.execute, "one_change")

    def batched(self, *, pipelined: bool = True) -> AbstractContextManager[None]:
        return nullcontext()  # no round trips to save: the database is in this process

    def recorded(self, change: Change) -> Change:
        return change

    def next_change_id(self) -> str:
        self._db.execute("UPDATE change_sequence SET last = last + 1 WHERE name = 'change'")
        row = self._one("SELECT last FROM change_sequence WHERE name = 'change'")
        assert row is not None
        return invariants.format_change_id(int(row[0]))

    def add_change(self, change: Change) -> None:
        invariants.check_new_change(self, change)
        self._record("submitted", change, change.submitted_at, change.by)
        # ord comes from the table (_INSERT_CHANGE): the one stored value left is holder.
        self._db.execute(_INSERT_CHANGE, CHANGES.params(change, change.holder))
        self._db.executemany(CHANGE_FROM.insert, CHANGE_FROM.rows(change.id, change.from_))
        self._db.execute(
            "UPDATE change_sequence SET last = max(last, ?) WHERE name = 'change'",
            (invariants.change_number(change.id),),
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
