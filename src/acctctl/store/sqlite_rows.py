"""The SQLite store's rows as domain values: the reads of one transaction (the writes:
sqlite_writes.py).

Lists held in child tables (a contract's partners, a change's ``from``) are read
with one ``LEFT JOIN`` ordered by key and grouped on the fly, so listing 100,000
subscriptions streams from the cursor without one query per row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from acctctl import domain
from acctctl.candidates import Candidates
from acctctl.errors import StoreError
from acctctl.i18n import _
from acctctl.store import sqlite_listing
from acctctl.store.listing_rows import ListingRow, rows_of
from acctctl.store.sqlite_schema import (
    ACCOUNT,
    CHANGES,
    CONTRACTS,
    HISTORY,
    NOTICES,
    PARTNERS,
    SUBSCRIPTIONS,
    USERS,
    moment,
)

if TYPE_CHECKING:
    from acctctl.store.columns import Table

T = TypeVar("T")

_CONTRACTS = (
    f"SELECT {CONTRACTS.names('c')}, p.partner"
    " FROM contracts AS c LEFT JOIN contract_partners AS p ON p.contract = c.number"
)
_SUBSCRIPTIONS = (
    f"SELECT {SUBSCRIPTIONS.names('s')}, p.partner"
    " FROM subscriptions AS s LEFT JOIN subscription_partners AS p ON p.subscription = s.id"
)
# A listing row: the subscription's columns, then its contract's, then one partner.
_LISTING = (
    f"SELECT {SUBSCRIPTIONS.names('s')}, {CONTRACTS.names('c')}, p.partner FROM subscriptions AS s"
)
_OWN = len(SUBSCRIPTIONS.column_names)
_LISTING_ALL = (
    _LISTING + " LEFT JOIN contracts AS c ON c.number = s.contract"
    " LEFT JOIN contract_partners AS p ON p.contract = s.contract ORDER BY s.id, p.position"
)
# candidates.Candidates, where the rows are: only contracts' subscriptions can be eligible.
_ADMITTED = (
    " WHERE c.auto_renew = 0 AND c.agreement <> 'eba-token-flex' AND c.term_end > :term_end_after"
    " AND (:manager IS NULL OR c.manager = :manager)"
    " AND NOT EXISTS (SELECT 1 FROM changes AS x"
    "  WHERE x.holder = c.number AND x.status = 'pending' AND x.effective_at > :now)"
)
_LISTING_CANDIDATES = (
    _LISTING + " JOIN contracts AS c ON c.number = s.contract"
    " LEFT JOIN contract_partners AS p ON p.contract = s.contract"
    + _ADMITTED
    + " ORDER BY s.id, p.position"
)
_CANDIDATE_CONTRACTS = _CONTRACTS + _ADMITTED + " ORDER BY c.number, p.position"
_HELD_PARTNERS = (
    "SELECT subscription, partner FROM subscription_partners ORDER BY subscription, position"
)
_CHANGES = (
    f"SELECT {CHANGES.names('c')}, f.partner"
    " FROM changes AS c LEFT JOIN change_from AS f ON f.change = c.id"
)
_CHANGE_ORDER = " ORDER BY c.submitted_at, c.id, f.position"

# A row becomes a domain value through its table's ``to_domain``, read where used: it is
# compiled on first use (columns.py), which a listing never makes.

Row = tuple[Any, ...]
_HOLDERS_AT_ONCE = 500  # ids per IN list: far below SQLite's 32,766 parameters


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


def _grouped(rows: Iterable[Row]) -> Iterator[tuple[Row, tuple[str, ...]]]:
    """Rows of a LEFT JOIN ordered by key: each entity's columns once, with its list."""
    head: Row | None = None
    items: list[str] = []
    for row in rows:
        if head is None or row[0] != head[0]:
            if head is not None:
                yield head, tuple(items)
            head, items = row[:-1], []
        if row[-1] is not None:
            items.append(row[-1])
    if head is not None:
        yield head, tuple(items)


def _admitted(candidates: Candidates) -> dict[str, str | None]:
    return {
        "term_end_after": candidates.term_end_after.isoformat(),
        "manager": candidates.manager,
        "now": moment(candidates.now),
    }


class SqliteReader:
    """Every read of one ``read()``/``write()`` block, inside one SQLite transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def _one(self, sql: str, *params: Any) -> Row | None:
        row: Row | None = self._db.execute(sql, params).fetchone()
        return row

    def account(self) -> domain.Account:
        row = self._one(ACCOUNT.select)
        if row is None:
            raise StoreError(_("The store holds no account."))
        return ACCOUNT.to_domain(row)

    def users(self) -> list[domain.User]:
        return [USERS.to_domain(r) for r in self._db.execute(USERS.select + " ORDER BY ord")]

    def user(self, email: str) -> domain.User | None:
        row = self._one(USERS.select + " WHERE email = ?", email)
        return None if row is None else USERS.to_domain(row)

    def partners(self) -> list[domain.Partner]:
        return [
            PARTNERS.to_domain(row) for row in self._db.execute(PARTNERS.select + " ORDER BY ord")
        ]

    def partner(self, csn: str) -> domain.Partner | None:
        row = self._one(PARTNERS.select + " WHERE csn = ?", csn)
        return None if row is None else PARTNERS.to_domain(row)

    def contracts(self) -> Iterator[domain.Contract]:
        rows = self._db.execute(_CONTRACTS + " ORDER BY c.number, p.position")
        contract = CONTRACTS.to_domain
        for head, partners in _grouped(rows):
            yield contract(head, partners)

    def contract(self, number: str) -> domain.Contract | None:
        rows = self._db.execute(_CONTRACTS + " WHERE c.number = ? ORDER BY p.position", (number,))
        return next((CONTRACTS.to_domain(h, p) for h, p in _grouped(rows)), None)

    def subscriptions(self) -> Iterator[domain.Subscription]:
        # Iterates the cursors: 100,000 subscriptions never sit in memory at once. Only
        # new-buying-model subscriptions hold partners, so they are read by a second
        # cursor walked alongside in the same id order (a merge join), instead of a LEFT
        # JOIN that every row would pay for in grouping (a fifth of the listing's time).
        rows = self._db.execute(SUBSCRIPTIONS.select + " ORDER BY id")
        own = self._db.execute(_HELD_PARTNERS)
        held = next(own, None)
        subscription = SUBSCRIPTIONS.to_domain
        for row in rows:
            id_ = row[0]
            # Ids are ASCII (ids.is_id), so SQLite's and Python's orders agree.
            while held is not None and held[0] < id_:  # a partner row of no subscription
                held = next(own, None)
            partners: tuple[str, ...] = ()
            if held is not None and held[0] == id_:
                collected = []
                while held is not None and held[0] == id_:
                    collected.append(held[1])
                    held = next(own, None)
                partners = tuple(collected)
            yield subscription(row, partners)

    def listing(
        self, candidates: Candidates | None = None
    ) -> Iterator[tuple[domain.Subscription, domain.Contract | None]]:
        own: Iterator[Row] = iter(())
        if candidates is None:
            rows = self._db.execute(_LISTING_ALL)
            # New-buying-model subscriptions' own partners, walked alongside in id order.
            own = self._db.execute(_HELD_PARTNERS)
        else:
            rows = self._db.execute(_LISTING_CANDIDATES, _admitted(candidates))
        held = next(own, None)
        contract: domain.Contract | None = None  # the last one, shared by its subscriptions' rows
        to_subscription, to_contract = SUBSCRIPTIONS.to_domain, CONTRACTS.to_domain
        for head, partners in _grouped(rows):
            number = head[4]
            if number is None:
                id_ = head[0]
                while held is not None and held[0] < id_:  # ids are ASCII: same order
                    held = next(own, None)
                collected = []
                while held is not None and held[0] == id_:
                    collected.append(held[1])
                    held = next(own, None)
                yield to_subscription(head[:_OWN], tuple(collected)), None
                continue
            if contract is None or contract.number != number or contract.partners != partners:
                contract = to_contract(head[_OWN:], partners)
            yield to_subscription(head[:_OWN], ()), contract

    def candidate_contracts(self, candidates: Candidates) -> Iterator[domain.Contract]:
        rows = self._db.execute(_CANDIDATE_CONTRACTS, _admitted(candidates))
        contract = CONTRACTS.to_domain
        for head, partners in _grouped(rows):
            yield contract(head, partners)

    def subscription_contracts(self) -> Iterator[tuple[str, str | None]]:
        # Two columns of every row, no join: cheaper than selecting the candidates'
        # subscriptions in SQL (a contract looked up per row), and the caller tests each
        # against the set of contracts the rules allowed.
        rows: Iterator[tuple[str, str | None]] = iter(
            self._db.execute("SELECT id, contract FROM subscriptions ORDER BY id")
        )
        return rows

    def listing_rows(self, candidates: Candidates | None = None) -> Iterator[ListingRow]:
        if candidates is None:
            return sqlite_listing.listing_rows(self._db)
        return rows_of(self.listing(candidates))

    def subscription(self, id: str) -> domain.Subscription | None:
        rows = self._db.execute(_SUBSCRIPTIONS + " WHERE s.id = ? ORDER BY p.position", (id,))
        return next((SUBSCRIPTIONS.to_domain(h, p) for h, p in _grouped(rows)), None)

    def subscriptions_of_contract(self, number: str) -> list[domain.Subscription]:
        sql = _SUBSCRIPTIONS + " WHERE s.contract = ? ORDER BY s.id, p.position"
        return [
            SUBSCRIPTIONS.to_domain(h, p) for h, p in _grouped(self._db.execute(sql, (number,)))
        ]

    def _with_partners(
        self, select: str, table: Table[T], key: str, keys: Sequence[str]
    ) -> dict[str, T]:
        """The rows whose ``key`` is one of ``keys``, each with its partner list (one
        statement: ``select`` joins the list, grouped by key)."""
        rows = self._db.execute(
            select + f" WHERE {key} IN ({_marks(keys)}) ORDER BY {key}, p.position", keys
        )
        return {head[0]: table.to_domain(head, partners) for head, partners in _grouped(rows)}

    def with_holders(
        self, sub_ids: Sequence[str]
    ) -> Iterator[tuple[domain.Subscription, domain.Contract | None, domain.Change | None]]:
        # Three statements per 500 ids, not three per id (a bulk batch reads them all).
        for start in range(0, len(sub_ids), _HOLDERS_AT_ONCE):
            chunk = list(dict.fromkeys(sub_ids[start : start + _HOLDERS_AT_ONCE]))
            subs = self._with_partners(_SUBSCRIPTIONS, SUBSCRIPTIONS, "s.id", chunk)
            numbers = sorted({sub.contract for sub in subs.values() if sub.contract})
            contracts = self._with_partners(_CONTRACTS, CONTRACTS, "c.number", numbers)
            holders = sorted({sub.contract or sub.id for sub in subs.values()})
            pending: dict[str, domain.Change] = {}
            rows = self._db.execute(
                _CHANGES
                + f" WHERE c.holder IN ({_marks(holders)}) AND c.status = 'pending'"
                + _CHANGE_ORDER,
                holders,
            )
            for head, before in _grouped(rows):
                change = CHANGES.to_domain(head, before)
                pending[change.holder] = change  # the last, as pending_change gives
            for sub_id in sub_ids[start : start + _HOLDERS_AT_ONCE]:
                sub = subs.get(sub_id)
                if sub is not None:
                    contract = contracts.get(sub.contract) if sub.contract else None
                    yield sub, contract, pending.get(sub.contract or sub.id)

    def notices(self) -> list[domain.Notice]:
        sql = NOTICES.select + " ORDER BY received DESC, ord"
        return [NOTICES.to_domain(row) for row in self._db.execute(sql)]

    def changes(self, holder: str | None = None) -> list[domain.Change]:
        if holder is None:
            rows = self._db.execute(_CHANGES + _CHANGE_ORDER)
        else:
            rows = self._db.execute(_CHANGES + " WHERE c.holder = ?" + _CHANGE_ORDER, (holder,))
        return [CHANGES.to_domain(head, before) for head, before in _grouped(rows)]

    def change(self, id: str) -> domain.Change | None:
        rows = self._db.execute(_CHANGES + " WHERE c.id = ? ORDER BY f.position", (id,))
        return next((CHANGES.to_domain(h, b) for h, b in _grouped(rows)), None)

    def pending_changes(self) -> dict[str, domain.Change]:
        rows = self._db.execute(_CHANGES + " WHERE c.status = 'pending'" + _CHANGE_ORDER)
        return {
            change.holder: change for change in (CHANGES.to_domain(h, b) for h, b in _grouped(rows))
        }

    def pending_change(self, holder: str) -> domain.Change | None:
        sql = _CHANGES + " WHERE c.holder = ? AND c.status = 'pending'" + _CHANGE_ORDER
        pending = [CHANGES.to_domain(h, b) for h, b in _grouped(self._db.execute(sql, (holder,)))]
        return pending[-1] if pending else None

    def document(self) -> domain.AccountDocument:
        return self.document_stream().collect()

    def document_stream(self) -> domain.DocumentStream:
        db = self._db
        return domain.DocumentStream(
            self.account(),
            self.users(),
            self.partners(),
            (
                CONTRACTS.to_domain(h, p)
                for h, p in _grouped(db.execute(_CONTRACTS + " ORDER BY c.ord, p.position"))
            ),
            (
                SUBSCRIPTIONS.to_domain(h, p)
                for h, p in _grouped(db.execute(_SUBSCRIPTIONS + " ORDER BY s.ord, p.position"))
            ),
            (NOTICES.to_domain(row) for row in db.execute(NOTICES.select + " ORDER BY ord")),
            (
                CHANGES.to_domain(h, b)
                for h, b in _grouped(db.execute(_CHANGES + " ORDER BY c.ord, f.position"))
            ),
            self.history(),
        )

    def history(self) -> list[domain.HistoryEvent]:
        return [
            HISTORY.to_domain(row) for row in self._db.execute(HISTORY.select + " ORDER BY seq")
        ]

    def _last_event(self) -> Row | None:
        return self._one("SELECT seq, at, hash FROM history ORDER BY seq DESC LIMIT 1")

    def latest_event_at(self) -> datetime | None:
        last = self._last_event()
        return None if last is None else datetime.fromisoformat(last[1])

    def sandbox(self) -> bool:
        row = self._one("SELECT value FROM store_meta WHERE key = 'sandbox'")
        return row is not None and row[0] == "true"
