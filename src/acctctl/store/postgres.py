"""A shared store for a team: one PostgreSQL database (SPEC §7).

Same promises as the other back ends, kept with PostgreSQL's own tools:

* ``read()`` is one ``REPEATABLE READ, READ ONLY`` transaction: every read of the
  block sees one snapshot, and it takes no lock a writer would wait for.
* ``write()`` is one ``READ COMMITTED`` transaction, begun once the store's advisory
  lock is held (released after COMMIT or ROLLBACK), so write blocks are serialised
  across processes and machines, as the store protocol promises and as SQLite's
  ``BEGIN IMMEDIATE`` does. Inside, the writer also locks the row it decides on
  (``SELECT … FOR UPDATE`` on the contract, or the new-model subscription; see
  postgres_rows.py), and the unique index ``acctctl_one_pending_change`` makes a
  second pending change on one contract impossible: the rule check stays safe even
  for a writer that would not take the advisory lock. The store cannot re-run the
  service's decision, so there is no retry loop: two administrators racing on one
  contract are serialised, and the second one sees the first one's pending change
  (``change-pending``).
* ``lock_timeout`` bounds every wait for a lock: past it, ``StoreLockedError``.
* The schema is created by ``replace`` and migrated on first use, both under the
  same advisory lock, so two first runs cannot race. A database of a newer schema
  is refused and left untouched.

psycopg is imported on first connection, so the module costs nothing until a
``postgresql://`` store is used, and a missing driver is one clear sentence.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from datetime import datetime
from typing import TYPE_CHECKING, Any

from acctctl.domain import AccountDocument, DocumentStream
from acctctl.errors import (
    StoreCorruptError,
    StoreError,
    StoreMissingError,
)
from acctctl.history import synthesize
from acctctl.i18n import _
from acctctl.store import postgres_schema as schema
from acctctl.store import postgres_team as team
from acctctl.store.base import Identity, Member, StoreReader, StoreWriter
from acctctl.store.invariants import store_corrupt, store_exists, store_missing, store_newer, utc
from acctctl.store.postgres_errors import (
    connection_problem,
    database_errors,
    first_line,
    redact_url,
)
from acctctl.store.postgres_rows import PostgresRows

if TYPE_CHECKING:
    from psycopg import Connection

    DB = Connection[tuple[Any, ...]]

# One snapshot for every read of a block; a writer sees, after each lock it waits
# for, what the previous owner committed.
_READ = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
_WRITE = "BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE"


class PostgresStore:
    """An account in a PostgreSQL database; ``lock_timeout`` bounds lock waits (seconds)."""

    def __init__(self, url: str, lock_timeout: float = 10.0) -> None:
        self.url = url
        self.lock_timeout = lock_timeout
        self._idle: list[DB] = []
        self._pool_lock = threading.Lock()
        self._ready = False

    def where(self) -> str:
        return redact_url(self.url)

    def exists(self) -> bool:
        """True when the database holds an account, or acctctl tables it cannot use (newer
        or damaged): ``store init`` must not treat those as free."""
        try:
            with self._connection() as db, self._errors():
                version = _schema_version(db, self.where())
                if version is None:
                    return False
                if version > schema.SCHEMA_VERSION:
                    return True
                return db.execute("SELECT FROM acctctl_account").fetchone() is not None
        except StoreCorruptError:
            return True

    @contextmanager
    def read(self) -> Iterator[StoreReader]:
        with self._transaction(_READ) as db:
            yield PostgresRows(db, writing=False)

    @contextmanager
    def write(self) -> Iterator[StoreWriter]:
        with self._transaction(_WRITE, lock=True) as db:
            yield PostgresRows(db, writing=True)

    def identity(self) -> Identity | None:
        with self._connection() as db, self._errors():
            return team.identity(db)

    def clock(self) -> datetime:
        """The server's time: on PostgreSQL the store's clock decides."""
        with self._connection() as db, self._errors():
            row = db.execute("SELECT now()").fetchone()
        assert row is not None
        return utc(row[0])

    def members(self) -> list[Member]:
        with self._transaction(_READ) as db:
            return team.members(db)

    def add_member(self, login: str, email: str) -> None:
        with self._transaction(_WRITE, lock=True) as db:
            team.add_member(db, login, email)

    def remove_member(self, login: str) -> bool:
        with self._transaction(_WRITE, lock=True) as db:
            return team.remove_member(db, login)

    def replace(
        self, document: AccountDocument | DocumentStream, *, force: bool, sandbox: bool = False
    ) -> None:
        with self._transaction(_WRITE, lock=True, ready=False) as db:
            version = self._migrate(db)
            missing = _missing_tables(db)
            if missing:
                raise store_corrupt(self.where(), missing[0])
            held = version > 0 and db.execute("SELECT FROM acctctl_account").fetchone() is not None
            if held and not force:
                raise store_exists(self.where())
            db.execute(f"TRUNCATE {', '.join(schema.DATA_TABLES)} RESTART IDENTITY")
            with db.cursor() as cursor:
                schema.copy_document(cursor, document)
            db.execute(
                "INSERT INTO acctctl_meta (key, value) VALUES ('sandbox', %s)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                ("true" if sandbox else "false",),
            )
        self._ready = True

    def check(self) -> list[str]:
        try:
            with self._connection() as db, self._errors():
                from psycopg import Error

                self._ready = False  # look at everything again
                self._prepare(db)
                problems = _missing_tables(db)
                if problems:
                    return problems
                for query in schema.CHECKS:
                    try:
                        problems.extend(str(row[0]) for row in db.execute(query))
                    except Error as exc:
                        problems.append(first_line(str(exc)))
                return problems
        except StoreMissingError:
            raise
        except StoreError as exc:
            return [exc.message]

    def session(self) -> AbstractContextManager[None]:
        """Nothing more to keep: idle connections are already pooled between blocks."""
        return nullcontext()

    def close(self) -> None:
        with self._pool_lock:
            idle, self._idle = self._idle, []
        for db in idle:
            with suppress(Exception):
                db.close()

    # --- connections and transactions -------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[DB]:
        """An idle connection of the pool (nested blocks get their own), given back after."""
        with self._pool_lock:
            db = self._idle.pop() if self._idle else None
        if db is None:
            db = self._connect()
        try:
            yield db
        finally:
            from psycopg.pq import TransactionStatus

            if db.closed or db.info.transaction_status != TransactionStatus.IDLE:
                with suppress(Exception):
                    db.close()
            else:
                with self._pool_lock:
                    self._idle.append(db)

    def _connect(self) -> DB:
        try:
            import psycopg
        except ImportError:
            raise StoreError(
                _("PostgreSQL stores need the psycopg driver, which is not installed."),
                hint=_("Install it with: pip install 'acctctl[postgres]'"),
            ) from None
        from psycopg.conninfo import conninfo_to_dict

        try:
            params = conninfo_to_dict(self.url)
            extra: dict[str, Any] = {}
            if "connect_timeout" not in params:
                extra["connect_timeout"] = 10
            if "application_name" not in params:
                extra["application_name"] = "acctctl"
            db: DB = psycopg.connect(self.url, autocommit=True, **extra)
        except psycopg.Error as exc:
            raise connection_problem(exc, self.url) from None
        try:
            db.execute("SET TIME ZONE 'UTC'")
            # Every wait for a lock (rows, tables, the store's advisory lock) is bounded.
            timeout = f"{max(1, round(self.lock_timeout * 1000))}ms"
            db.execute("SELECT set_config('lock_timeout', %s, false)", (timeout,))
        except psycopg.Error as exc:
            db.close()
            raise connection_problem(exc, self.url) from None
        return db

    @contextmanager
    def _transaction(self, begin: str, *, lock: bool = False, ready: bool = True) -> Iterator[DB]:
        """One transaction: committed when the block ends normally, rolled back if it raises.
        ``lock``: hold the store's advisory lock; ``ready``: the store must exist, of our schema.
        """
        with self._connection() as db, self._errors():
            if ready:
                self._prepare(db)
            with self._store_lock(db) if lock else nullcontext(), self._atomic(db, begin):
                if ready:
                    self._same_schema(db)
                yield db

    @staticmethod
    @contextmanager
    def _store_lock(db: DB) -> Iterator[None]:
        """The store's advisory lock, taken before BEGIN: the transaction then starts after
        the previous holder committed, and sees all of it (its new tables included, which
        a lock taken inside the transaction would not guarantee)."""
        from psycopg import Error

        db.execute("SELECT pg_advisory_lock(%s)", (schema.STORE_LOCK,))
        try:
            yield
        finally:
            try:
                db.execute("SELECT pg_advisory_unlock(%s)", (schema.STORE_LOCK,))
            except Error:
                # A connection that may still hold the lock is never pooled: closing it ends
                # the session, which releases the lock. What the block raised goes on.
                db.close()

    @staticmethod
    @contextmanager
    def _atomic(db: DB, begin: str) -> Iterator[None]:
        db.execute(begin)
        try:
            yield
        except BaseException:
            with suppress(Exception):
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _prepare(self, db: DB) -> None:
        """Once per store: the schema is ours and current (migrated if older), with an account."""
        if self._ready:
            return
        version = _schema_version(db, self.where())
        if version is None:
            raise store_missing(self.where())
        if version > schema.SCHEMA_VERSION:
            raise store_newer(self.where(), str(version), str(schema.SCHEMA_VERSION))
        if version < schema.SCHEMA_VERSION:
            with self._store_lock(db), self._atomic(db, _WRITE):
                self._migrate(db)
        if db.execute("SELECT FROM acctctl_account").fetchone() is None:
            raise store_missing(self.where(), empty=True)
        self._ready = True

    def _same_schema(self, db: DB) -> None:
        """Another acctctl may have migrated the store since ``_prepare``: look again, in
        this transaction's snapshot (one query)."""
        sql = "SELECT value FROM acctctl_meta WHERE key = 'schema_version'"
        row = db.execute(sql).fetchone()
        found = str(row[0]) if row is not None else ""
        if found == str(schema.SCHEMA_VERSION):
            return
        self._ready = False
        if found.isdigit() and int(found) > schema.SCHEMA_VERSION:
            raise store_newer(self.where(), found, str(schema.SCHEMA_VERSION))
        raise store_corrupt(self.where(), _("acctctl_meta holds no valid schema_version"))

    def _migrate(self, db: DB) -> int:
        """Apply the missing migrations (the caller holds the advisory lock); the old version."""
        version = _schema_version(db, self.where()) or 0
        if version > schema.SCHEMA_VERSION:
            raise store_newer(self.where(), str(version), str(schema.SCHEMA_VERSION))
        for statements in schema.MIGRATIONS[version:]:
            for statement in statements:
                db.execute(statement)
        if version == 1:  # a store made before the history: its chain starts from its changes
            changes = PostgresRows(db, writing=False).changes()
            with db.cursor() as cursor:
                schema.copy_history(cursor, synthesize(changes))
        if version < schema.SCHEMA_VERSION:
            db.execute(
                "INSERT INTO acctctl_meta (key, value) VALUES ('schema_version', %s)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(schema.SCHEMA_VERSION),),
            )
        return version

    def _errors(self) -> AbstractContextManager[None]:
        return database_errors(self.where(), self.lock_timeout)


def _missing_tables(db: DB) -> list[str]:
    return [
        _("table {table} is missing").format(table=table)
        for table in schema.DATA_TABLES
        if db.execute("SELECT to_regclass(%s)", (table,)).fetchone() == (None,)
    ]


def _schema_version(db: DB, where: str) -> int | None:
    """None when the database holds no acctctl schema."""
    if db.execute("SELECT to_regclass('acctctl_meta')").fetchone() == (None,):
        return None
    row = db.execute("SELECT value FROM acctctl_meta WHERE key = 'schema_version'").fetchone()
    if row is None or not str(row[0]).isdigit():
        raise store_corrupt(where, _("acctctl_meta holds no valid schema_version"))
    return int(row[0])
