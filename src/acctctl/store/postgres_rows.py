"""The PostgreSQL store's rows as domain values: the reads and writes of one transaction.

A writer decides on what it reads under the store's advisory lock (postgres.py), then
writes through the database's functions (postgres_functions.py): they lock the
holder's row (``SELECT … FOR UPDATE``), check the identity, the rules and the time
again, and write the change with its history record. A team member's login may do
nothing else, so the Python side takes no row lock of its own (that needs UPDATE
rights); the raw setters are the owner's, for tests and repairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from acctctl import domain
from acctctl.candidates import Candidates
from acctctl.errors import StoreError
from acctctl.i18n import _
from acctctl.store import postgres_schema as schema
from acctctl.store.invariants import (
    change_number,
    change_to_move,
    check_new_change,
    check_own_terms,
    format_change_id,
    no_contract,
    no_partner,
    partner_list,
    utc,
)
from acctctl.store.listing_rows import ListingRow, rows_of
from acctctl.store.postgres_batch import BatchedWrites

if TYPE_CHECKING:
    from psycopg import Connection, Cursor, Pipeline

T = TypeVar("T")
Row = tuple[Any, ...]

_BATCH = 2000
# A listing row: the subscription's columns, then its contract's.
_LISTING_COLUMNS = (
    f"SELECT {schema.SUBSCRIPTIONS.names('s')}, {schema.CONTRACTS.names('c')}"
    " FROM acctctl_subscriptions AS s"
)
_OWN = len(schema.SUBSCRIPTIONS.column_names)
_LISTING = (
    _LISTING_COLUMNS + " LEFT JOIN acctctl_contracts AS c ON c.number = s.contract"
    f" WHERE s.id > %s ORDER BY s.id LIMIT {_BATCH}"
)
# candidates.Candidates, where the rows are: only contracts' subscriptions can be eligible.
_ADMITTED = (
    " AND NOT c.auto_renew AND c.agreement <> 'eba-token-flex'"
    " AND c.term_end > %s AND (%s::text IS NULL OR c.manager = %s)"
    " AND NOT EXISTS (SELECT FROM acctctl_changes AS x"
    "  WHERE x.holder = c.number AND x.status = 'pending' AND x.effective_at > %s)"
)
_LISTING_CANDIDATES = (
    _LISTING_COLUMNS + " JOIN acctctl_contracts AS c ON c.number = s.contract"
    " WHERE s.id > %s" + _ADMITTED + f" ORDER BY s.id LIMIT {_BATCH}"
)
_CANDIDATE_CONTRACTS = (
    f"SELECT {schema.CONTRACTS.names('c')} FROM acctctl_contracts AS c WHERE c.number > %s"
    + _ADMITTED
    + f" ORDER BY c.number LIMIT {_BATCH}"
)
_SUBSCRIPTION_CONTRACTS = (
    f"SELECT id, contract FROM acctctl_subscriptions WHERE id > %s ORDER BY id LIMIT {_BATCH}"
)
_CHANGES = schema.CHANGES.select
_IN_ORDER = " ORDER BY submitted_at, id"
_user = schema.USERS.to_domain
_partner = schema.PARTNERS.to_domain
_contract = schema.CONTRACTS.to_domain
_subscription = schema.SUBSCRIPTIONS.to_domain
_notice = schema.NOTICES.to_domain
_change = schema.CHANGES.to_domain
_event = schema.HISTORY.to_domain
# Beyond this a CHG- number does not fit the bigint sequence: such ids are kept as
# they are and simply never issued.
_SEQUENCE_LIMIT = 10**18


def _admitted(candidates: Candidates) -> tuple[Any, ...]:
    """The parameters of ``_ADMITTED``."""
    return (candidates.term_end_after, candidates.manager, candidates.manager, candidates.now)


class PostgresRows(BatchedWrites):
    """The reads (and, when ``writing``, the writes) of one transaction; a bulk change's
    batch, its savepoints and its submitted changes: postgres_batch.py."""

    def __init__(self, db: Connection[Row], *, writing: bool) -> None:
        self._db = db
        self._writing = writing
        self._pipeline: Pipeline | None = None  # in ``batched``
        self._waiting: list[tuple[domain.Change, Cursor[Row]]] = []
        self._recorded: dict[str, domain.Change] = {}

    def _one(self, sql: str, *params: Any) -> Row | None:
        return self._db.execute(sql, params).fetchone()

    def _all(self, sql: str, *params: Any) -> list[Row]:
        return self._db.execute(sql, params).fetchall()

    def _stream(self, sql: str, key: str, to: Callable[[Row], T]) -> Iterator[T]:
        """``sql ORDER BY key`` in batches (keyset), so huge tables never sit in memory."""
        after = ""
        while True:
            rows = self._all(f"{sql} WHERE {key} > %s ORDER BY {key} LIMIT {_BATCH}", after)
            yield from map(to, rows)
            if len(rows) < _BATCH:
                return
            after = rows[-1][0]

    # --- reading ----------------------------------------------------------------------

    def account(self) -> domain.Account:
        row = self._one(schema.ACCOUNT.select)
        if row is None:
            raise StoreError(_("The store holds no account."))
        return schema.ACCOUNT.to_domain(row)

    def users(self) -> list[domain.User]:
        return [_user(r) for r in self._all(schema.USERS.select + " ORDER BY ord")]

    def user(self, email: str) -> domain.User | None:
        row = self._one(schema.USERS.select + " WHERE email = %s", email)
        return None if row is None else _user(row)

    def partners(self) -> list[domain.Partner]:
        return [_partner(r) for r in self._all(schema.PARTNERS.select + " ORDER BY ord")]

    def partner(self, csn: str) -> domain.Partner | None:
        row = self._one(schema.PARTNERS.select + " WHERE csn = %s", csn)
        return None if row is None else _partner(row)

    def contracts(self) -> Iterator[domain.Contract]:
        return self._stream(schema.CONTRACTS.select, "number", _contract)

    def contract(self, number: str) -> domain.Contract | None:
        row = self._one(schema.CONTRACTS.select + " WHERE number = %s", number)
        return None if row is None else _contract(row)

    def subscriptions(self) -> Iterator[domain.Subscription]:
        return self._stream(schema.SUBSCRIPTIONS.select, "id", _subscription)

    def listing(
        self, candidates: Candidates | None = None
    ) -> Iterator[tuple[domain.Subscription, domain.Contract | None]]:
        sql = _LISTING if candidates is None else _LISTING_CANDIDATES
        params = () if candidates is None else _admitted(candidates)
        after = ""
        contract: domain.Contract | None = None  # the last one, shared by its subscriptions' rows
        while True:  # keyset batches, as `_stream`: the join never sits in memory
            rows = self._all(sql, after, *params)
            for row in rows:
                subscription = _subscription(row[:_OWN])
                if row[4] is None:
                    yield subscription, None
                    continue
                if (
                    contract is None
                    or contract.number != row[4]
                    or list(contract.partners) != row[-1]
                ):
                    contract = _contract(row[_OWN:])
                yield subscription, contract
            if len(rows) < _BATCH:
                return
            after = rows[-1][0]

    def listing_rows(self, candidates: Candidates | None = None) -> Iterator[ListingRow]:
        return rows_of(self.listing(candidates))

    def candidate_contracts(self, candidates: Candidates) -> Iterator[domain.Contract]:
        return self._keyset(_CANDIDATE_CONTRACTS, _admitted(candidates), _contract)

    def subscription_contracts(self) -> Iterator[tuple[str, str | None]]:
        return self._keyset(_SUBSCRIPTION_CONTRACTS, (), lambda row: (row[0], row[1]))

    def _keyset(self, sql: str, params: tuple[Any, ...], to: Callable[[Row], T]) -> Iterator[T]:
        """``sql`` (its first parameter: the key after which to start) in batches."""
        after = ""
        while True:
            rows = self._all(sql, after, *params)
            yield from map(to, rows)
            if len(rows) < _BATCH:
                return
            after = rows[-1][0]

    def subscription(self, id: str) -> domain.Subscription | None:
        row = self._one(schema.SUBSCRIPTIONS.select + " WHERE id = %s", id)
        if row is None:
            return None
        return _subscription(row)

    def subscriptions_of_contract(self, number: str) -> list[domain.Subscription]:
        rows = self._all(schema.SUBSCRIPTIONS.select + " WHERE contract = %s ORDER BY id", number)
        return [_subscription(r) for r in rows]

    def notices(self) -> list[domain.Notice]:
        rows = self._all(schema.NOTICES.select + " ORDER BY received DESC, ord")
        return [_notice(r) for r in rows]

    def changes(self, holder: str | None = None) -> list[domain.Change]:
        if holder is None:
            rows = self._all(schema.CHANGES.select + " ORDER BY submitted_at, id")
        else:
            rows = self._all(
                schema.CHANGES.select + " WHERE holder = %s ORDER BY submitted_at, id", holder
            )
        return [_change(r) for r in rows]

    def change(self, id: str) -> domain.Change | None:
        row = self._one(schema.CHANGES.select + " WHERE id = %s", id)
        return None if row is None else _change(row)

    def pending_changes(self) -> dict[str, domain.Change]:
        rows = self._all(
            schema.CHANGES.select + " WHERE status = 'pending' ORDER BY submitted_at, id"
        )
        return {change.holder: change for change in map(_change, rows)}

    def pending_change(self, holder: str) -> domain.Change | None:
        sql = (
            schema.CHANGES.select
            + " WHERE holder = %s AND status = 'pending' ORDER BY submitted_at, id"
        )
        pending = self._all(sql, holder)
        return _change(pending[-1]) if pending else None

    def document(self) -> domain.AccountDocument:
        return self.document_stream().collect()

    def document_stream(self) -> domain.DocumentStream:
        def ordered(sql: str, to: Callable[[Row], T]) -> Iterator[T]:
            # Single-row mode: a million rows never sit in the client's memory.
            return map(to, self._db.cursor().stream(sql + " ORDER BY ord"))

        return domain.DocumentStream(
            self.account(),
            self.users(),
            self.partners(),
            ordered(schema.CONTRACTS.select, _contract),
            ordered(schema.SUBSCRIPTIONS.select, _subscription),
            ordered(schema.NOTICES.select, _notice),
            ordered(schema.CHANGES.select, _change),
            self.history(),
        )

    def history(self) -> list[domain.HistoryEvent]:
        return [_event(r) for r in self._all(schema.HISTORY.select + " ORDER BY seq")]

    def latest_event_at(self) -> datetime | None:
        row = self._one("SELECT at FROM acctctl_history ORDER BY seq DESC LIMIT 1")
        return None if row is None else utc(row[0])

    def sandbox(self) -> bool:
        row = self._one("SELECT value FROM acctctl_meta WHERE key = 'sandbox'")
        return row is not None and row[0] == "true"

    # --- writing ----------------------------------------------------------------------

    def next_change_id(self) -> str:
        # A sequence never hands one number out twice, even to concurrent writers on
        # different contracts; a rolled-back transaction leaves a gap, which is fine.
        while True:
            row = self._one("SELECT nextval('acctctl_change_number')")
            assert row is not None
            change_id = format_change_id(int(row[0]))
            if self._one("SELECT FROM acctctl_changes WHERE id = %s", change_id) is None:
                return change_id

    def add_change(self, change: domain.Change) -> None:
        check_new_change(self, change)
        self._db.execute(schema.CHANGES.insert, schema.CHANGES.params(change))
        self._record("submitted", change.id, change.submitted_at, change.by)
        number = change_number(change.id)
        if 0 < number < _SEQUENCE_LIMIT:
            self._db.execute(
                "SELECT setval('acctctl_change_number', %s) FROM acctctl_change_number"
                " WHERE last_value < %s OR NOT is_called",
                (number, number),
            )

    def set_change_status(
        self, id: str, status: domain.ChangeStatus, *, at: datetime, by: str | None = None
    ) -> None:
        change_to_move(self, id, status)
        self._db.execute("UPDATE acctctl_changes SET status = %s WHERE id = %s", (status, id))
        self._record(status, id, at, by)

    def _record(self, event: str, change: str, at: datetime, by: str | None) -> None:
        """The history record, hashed by the database (acctctl_record): the owner's raw path."""
        self._db.execute("SELECT acctctl_record(%s, %s, %s, %s)", (event, change, at, by))

    # --- the checked writes: the database's functions -----------------------------------

    def settle(self, holder: str, at: datetime) -> domain.Change | None:
        row = self._one("SELECT acctctl_settle(%s, %s)", holder, at)
        return None if row is None or row[0] is None else self.change(row[0])

    def cancel_change(self, id: str, *, by: str, at: datetime) -> domain.Change:
        self._db.execute("SELECT acctctl_cancel_change(%s, %s, %s)", (id, by, at))
        cancelled = self.change(id)
        assert cancelled is not None  # the function raised otherwise
        return cancelled

    def set_auto_renew(self, subscription: str, value: bool, *, by: str, at: datetime) -> bool:
        row = self._one(
            "SELECT acctctl_set_auto_renew(%s, %s, %s, %s)", subscription, value, by, at
        )
        return bool(row and row[0])

    def set_contract_partners(self, number: str, partners: Iterable[str]) -> None:
        if self.contract(number) is None:
            raise no_contract(number)
        value = self._known_partners(partners)
        self._db.execute(
            "UPDATE acctctl_contracts SET partners = %s WHERE number = %s", (value, number)
        )

    def set_subscription_partners(self, id: str, partners: Iterable[str]) -> None:
        check_own_terms(self, id)
        value = self._known_partners(partners)
        self._db.execute(
            "UPDATE acctctl_subscriptions SET partners = %s WHERE id = %s", (value, id)
        )

    def set_contract_auto_renew(self, number: str, value: bool) -> None:
        sql = "UPDATE acctctl_contracts SET auto_renew = %s WHERE number = %s"
        if self._db.execute(sql, (value, number)).rowcount == 0:
            raise no_contract(number)

    def set_subscription_auto_renew(self, id: str, value: bool) -> None:
        check_own_terms(self, id)
        sql = "UPDATE acctctl_subscriptions SET auto_renew = %s WHERE id = %s"
        self._db.execute(sql, (value, id))

    def _known_partners(self, partners: Iterable[str]) -> list[str]:
        value = partner_list(partners)
        rows = self._all("SELECT csn FROM acctctl_partners WHERE csn = ANY(%s)", list(value))
        known = {row[0] for row in rows}
        for csn in value:
            if csn not in known:
                raise no_partner(csn)
        return list(value)
