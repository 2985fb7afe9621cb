"""The SQLite store's tables: ordered migrations, and the whole document in and out.

``PRAGMA user_version`` is the number of migrations applied; a store stamped with
a number this code does not know was written by a newer acctctl and is left alone.
Each list keeps an ``ord`` column so an exported document comes back in the order
it was imported. Dates are ISO text, moments ISO 8601 UTC text with their offset
(``2026-11-26T12:00:00+00:00``), which also sorts in time order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import islice
from typing import TypeVar

from acctctl import domain
from acctctl.domain import AccountDocument, DocumentStream, HistoryEvent
from acctctl.history import chain_of, synthesize
from acctctl.store.columns import Convert, Table
from acctctl.store.invariants import change_number, utc

T = TypeVar("T")

# "actl": tells an acctctl store from any other SQLite file.
APPLICATION_ID = 0x6163746C

_V1 = (
    """CREATE TABLE account (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        csn TEXT NOT NULL,
        name TEXT NOT NULL)""",
    """CREATE TABLE users (
        email TEXT PRIMARY KEY,
        ord INTEGER NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('primary_admin', 'secondary_admin', 'user')))""",
    """CREATE TABLE partners (
        csn TEXT PRIMARY KEY,
        ord INTEGER NOT NULL,
        name TEXT NOT NULL,
        city TEXT NOT NULL,
        country TEXT NOT NULL,
        email TEXT NOT NULL,
        active INTEGER NOT NULL CHECK (active IN (0, 1)))""",
    """CREATE TABLE contracts (
        number TEXT PRIMARY KEY,
        ord INTEGER NOT NULL,
        manager TEXT NOT NULL,
        term_end TEXT NOT NULL,
        auto_renew INTEGER NOT NULL CHECK (auto_renew IN (0, 1)),
        agreement TEXT NOT NULL CHECK (agreement IN ('standard', 'eba', 'eba-token-flex')))""",
    """CREATE TABLE contract_partners (
        contract TEXT NOT NULL REFERENCES contracts (number) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        partner TEXT NOT NULL REFERENCES partners (csn),
        PRIMARY KEY (contract, position)) WITHOUT ROWID""",
    """CREATE TABLE subscriptions (
        id TEXT PRIMARY KEY,
        ord INTEGER NOT NULL,
        product TEXT NOT NULL,
        seats INTEGER NOT NULL CHECK (seats > 0),
        plan TEXT NOT NULL CHECK (plan IN ('standard', 'premium', 'enterprise')),
        contract TEXT REFERENCES contracts (number),
        manager TEXT,
        term_end TEXT,
        auto_renew INTEGER CHECK (auto_renew IN (0, 1)))""",
    "CREATE INDEX subscriptions_by_contract ON subscriptions (contract, id)",
    """CREATE TABLE subscription_partners (
        subscription TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        partner TEXT NOT NULL REFERENCES partners (csn),
        PRIMARY KEY (subscription, position)) WITHOUT ROWID""",
    """CREATE TABLE notices (
        ord INTEGER PRIMARY KEY,
        received TEXT NOT NULL,
        partner TEXT NOT NULL,
        subject TEXT NOT NULL)""",
    """CREATE TABLE changes (
        id TEXT PRIMARY KEY,
        ord INTEGER NOT NULL,
        contract TEXT,
        subscription TEXT,
        holder TEXT NOT NULL,
        to_partner TEXT NOT NULL,
        by_user TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        effective_at TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'applied', 'cancelled')))""",
    "CREATE INDEX changes_by_holder ON changes (holder, status)",
    # At most one pending change per contract (or new-model subscription), enforced.
    "CREATE UNIQUE INDEX changes_pending ON changes (holder) WHERE status = 'pending'",
    """CREATE TABLE change_from (
        change TEXT NOT NULL REFERENCES changes (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        partner TEXT NOT NULL,
        PRIMARY KEY (change, position)) WITHOUT ROWID""",
    """CREATE TABLE change_sequence (
        name TEXT PRIMARY KEY,
        last INTEGER NOT NULL)""",
    "INSERT INTO change_sequence (name, last) VALUES ('change', 0)",
)

# Every new change takes the next `ord`: without an index, finding the last one read the
# whole history at each change (a bulk change of 5,000 read 15 million rows).
_V2 = ("CREATE INDEX changes_by_ord ON changes (ord)",)

# The history as a hash chain (history.py), and what the store says about itself
# (``sandbox``). Stores of an older schema get a chain started from their changes.
_V3 = (
    """CREATE TABLE history (
        seq INTEGER PRIMARY KEY,
        event TEXT NOT NULL CHECK (event IN ('submitted', 'applied', 'cancelled')),
        change TEXT NOT NULL,
        at TEXT NOT NULL,
        by_user TEXT,
        hash TEXT NOT NULL)""",
    """CREATE TABLE store_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL)""",
)

# Append only; never edit a migration that has shipped.
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3)
SCHEMA_VERSION = len(MIGRATIONS)

# Children first, so foreign keys hold at every step.
_TABLES = (
    "history",
    "store_meta",
    "change_from",
    "changes",
    "notices",
    "subscription_partners",
    "subscriptions",
    "contract_partners",
    "contracts",
    "partners",
    "users",
    "account",
)


def day(value: date) -> str:
    return value.isoformat()


def moment(value: datetime) -> str:
    return utc(value).isoformat()


# --- each table's columns: columns.py derives the SQL and the rows' mapping ---------------

# How SQLite holds what it has no type for: dates and moments as ISO text, flags as 0/1.
_KINDS: dict[str, tuple[Convert, Convert]] = {
    "day": (date.fromisoformat, day),
    "moment": (datetime.fromisoformat, moment),
    "flag": (bool, int),
}


def _table(
    domain: type[T], name: str, columns: str, listed: str | None = None, stored: str = "ord"
) -> Table[T]:
    """A table of this back end; most keep their document order in ``ord``."""
    return Table(domain, name, columns, "?", _KINDS, listed, stored)


ACCOUNT = _table(domain.Account, "account", "csn name", stored="id")
USERS = _table(domain.User, "users", "email name role")
PARTNERS = _table(domain.Partner, "partners", "csn name city country email active:flag")
_TERMS = "manager term_end:day auto_renew:flag"
CONTRACTS = _table(domain.Contract, "contracts", f"number {_TERMS} agreement", listed="partners")
SUBSCRIPTIONS = _table(
    domain.Subscription, "subscriptions", f"id product seats plan contract {_TERMS}", "partners"
)
NOTICES = _table(domain.Notice, "notices", "received:day partner subject")
_MOVE = "to_partner=to by_user=by submitted_at:moment effective_at:moment status"
CHANGES = _table(
    domain.Change, "changes", f"id contract subscription {_MOVE}", "from_", "ord holder"
)
HISTORY = _table(
    domain.HistoryEvent, "history", "event change at:moment by_user=by hash", stored="seq"
)


class PartnerList:
    """A child table holding an ordered list of partners: ``(key, position, partner)``."""

    def __init__(self, name: str, key: str) -> None:
        self.name = name
        self.key = key
        self.insert = f"INSERT INTO {name} ({key}, position, partner) VALUES (?, ?, ?)"

    def rows(self, key: str, partners: Iterable[str]) -> Iterator[tuple[str, int, str]]:
        return ((key, n, csn) for n, csn in enumerate(partners))


CONTRACT_PARTNERS = PartnerList("contract_partners", "contract")
SUBSCRIPTION_PARTNERS = PartnerList("subscription_partners", "subscription")
CHANGE_FROM = PartnerList("change_from", "change")


def user_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(connection: sqlite3.Connection) -> None:
    """Apply the migrations still missing; the caller holds a BEGIN IMMEDIATE transaction."""
    version = user_version(connection)
    for statements in MIGRATIONS[version:]:
        for statement in statements:
            connection.execute(statement)
    if 0 < version < 3:
        _start_history(connection)
    if version < SCHEMA_VERSION:
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _start_history(connection: sqlite3.Connection) -> None:
    """A store made before the history existed: its chain starts from its changes."""
    from acctctl.store.sqlite_rows import SqliteReader

    changes = SqliteReader(connection).changes()
    insert_history(connection, synthesize(changes))


def insert_history(connection: sqlite3.Connection, history: list[HistoryEvent]) -> None:
    connection.executemany(
        HISTORY.insert, (HISTORY.params(event, n) for n, event in enumerate(history, 1))
    )


def set_sandbox(connection: sqlite3.Connection, sandbox: bool) -> None:
    connection.execute(
        "INSERT INTO store_meta (key, value) VALUES ('sandbox', ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        ("true" if sandbox else "false",),
    )


def clear(connection: sqlite3.Connection) -> None:
    for table in _TABLES:
        connection.execute(f"DELETE FROM {table}")
    # change_sequence is kept: ids go on from the replaced account's (issue 14).


def _chunks(items: Iterable[T], size: int = 1000) -> Iterator[list[T]]:
    """``items`` a thousand at a time: a streamed import holds a chunk, not the account."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_document(
    connection: sqlite3.Connection,
    document: AccountDocument | DocumentStream,
    *,
    sandbox: bool = False,
) -> None:
    """Write a whole document into empty tables (inside the caller's transaction),
    section by section and a chunk at a time: a stream that raises part way (an
    imported document found wrong) leaves the caller's transaction to roll back."""
    stream = document if isinstance(document, DocumentStream) else DocumentStream.of(document)
    run = connection.executemany
    connection.execute(ACCOUNT.insert, ACCOUNT.params(stream.account, 1))
    run(USERS.insert, (USERS.params(u, i) for i, u in enumerate(stream.users)))
    run(PARTNERS.insert, (PARTNERS.params(p, i) for i, p in enumerate(stream.partners)))
    ord_ = 0
    for contracts in _chunks(stream.contracts):
        run(CONTRACTS.insert, (CONTRACTS.params(c, i) for i, c in enumerate(contracts, ord_)))
        lists = CONTRACT_PARTNERS
        run(lists.insert, (row for c in contracts for row in lists.rows(c.number, c.partners)))
        ord_ += len(contracts)
    ord_ = 0
    for subscriptions in _chunks(stream.subscriptions):
        rows = (SUBSCRIPTIONS.params(s, i) for i, s in enumerate(subscriptions, ord_))
        run(SUBSCRIPTIONS.insert, rows)
        lists = SUBSCRIPTION_PARTNERS
        run(lists.insert, (row for s in subscriptions for row in lists.rows(s.id, s.partners)))
        ord_ += len(subscriptions)
    run(NOTICES.insert, (NOTICES.params(n, i) for i, n in enumerate(stream.notices)))
    changes = list(stream.changes)  # a few per contract at most; the chain needs them
    run(CHANGES.insert, (CHANGES.params(c, i, c.holder) for i, c in enumerate(changes)))
    run(CHANGE_FROM.insert, (row for c in changes for row in CHANGE_FROM.rows(c.id, c.from_)))
    history = list(stream.history)  # read to its end: last_change_number is known now
    issued = max([stream.last_change_number, *(change_number(c.id) for c in changes)])
    connection.execute(
        "UPDATE change_sequence SET last = max(last, ?) WHERE name = 'change'", (issued,)
    )
    insert_history(connection, chain_of(changes, history))
    set_sandbox(connection, sandbox)
