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

import re
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from datetime import datetime
from typing import TYPE_CHECKING, Any

from acctctl.domain import AccountDocument, DocumentStream
from acctctl.errors import (
    AcctctlError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreMissingError,
)
from acctctl.history import synthesize
from acctctl.i18n import _
from acctctl.store import postgres_schema as schema
from acctctl.store import postgres_team as team
from acctctl.store.base import Identity, Member, StoreReader, StoreWriter
from acctctl.store.invariants import store_corrupt, store_exists, store_missing, store_newer, utc
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
                        problems.append(_first_line(str(exc)))
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

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """The database's failures as store errors; a programming error stays what it is."""
        from psycopg import DatabaseError, OperationalError, errors

        try:
            yield
        except (errors.LockNotAvailable, errors.DeadlockDetected):
            raise StoreLockedError(
                _(
                    "The store at {where} is locked by another acctctl process "
                    "(waited {seconds:g} s); nothing was written."
                ).format(where=self.where(), seconds=self.lock_timeout),
                hint=_("Another administrator is changing the account: try again in a moment."),
            ) from None
        except errors.UniqueViolation as exc:
            if exc.diag.constraint_name != schema.ONE_PENDING_INDEX:
                raise
            raise StoreLockedError(
                _(
                    "Another change to the same contract was submitted at the same moment "
                    "in {where}; nothing was written."
                ).format(where=self.where()),
                hint=_("Run the command again: it will see the other change."),
            ) from None
        except (errors.UndefinedTable, errors.UndefinedColumn, errors.UndefinedObject) as exc:
            raise store_corrupt(self.where(), _first_line(str(exc))) from None
        except errors.InsufficientPrivilege as exc:
            raise StoreError(
                _("PostgreSQL refused access to the store at {where}: {problem}.").format(
                    where=self.where(), problem=_first_line(str(exc))
                ),
                hint=_("Ask the database owner to grant your role access (see docs/team.md)."),
            ) from None
        except OperationalError as exc:
            message = (
                _("Lost the connection to PostgreSQL at {where}: {problem}.")
                if exc.sqlstate is None or exc.sqlstate.startswith("08")
                else _("PostgreSQL could not complete the command on {where}: {problem}.")
            )
            raise StoreError(
                message.format(where=self.where(), problem=_first_line(str(exc)))
            ) from None
        except DatabaseError as exc:
            refused = team.function_error(exc)
            if refused is None:
                raise
            raise refused from None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0].rstrip(".") if text.strip() else text


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


# --- what may be printed ------------------------------------------------------------------


def redact_url(url: str) -> str:
    """``url`` safe to print: every password-like part is ``***`` (``store.target``)."""
    from acctctl.store.target import redact

    return redact(url)


def _secrets(url: str) -> set[str]:
    """What of ``url`` could be (part of) a password, to make sure none of it is printed."""
    from acctctl.store.target import secret_parts

    found = secret_parts(url)
    with suppress(Exception):
        from psycopg.conninfo import conninfo_to_dict

        password = str(conninfo_to_dict(url).get("password") or "")
        if len(password) >= 3:
            found.add(password)
    return found


def _detail(text: str) -> str:
    """libpq's reason, without its 'connection to server at … failed:' preamble."""
    line = _first_line(text)
    line = line.rsplit(" failed: ", 1)[-1].removeprefix("connection is bad: ")
    return line.removeprefix("FATAL:").strip().rstrip(".")


def conninfo_user(url: str) -> str:
    """The login a URL names (or libpq's default: the PGUSER, else the system user)."""
    import getpass
    import os

    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    try:
        user = conninfo_to_dict(url).get("user")
    except ProgrammingError:  # unparsable: libpq would have said so before refusing the login
        user = None
    return str(user or os.environ.get("PGUSER") or getpass.getuser())


def connection_problem(exc: Exception, url: str) -> AcctctlError:
    """One sentence for a failed connection, naming the redacted URL, never the password."""
    where = redact_url(url)
    text = str(exc)
    if any(secret in text for secret in _secrets(url)):
        text = ""  # libpq echoed part of the URL: say less rather than leak
    low = text.lower()
    pgpass = _(
        "Check the user and the password: keep the password in ~/.pgpass "
        "(or the file PGPASSFILE names), not in the URL."
    )
    if "password authentication failed" in low or "authentication failed" in low:
        return StoreError(
            _("PostgreSQL refused the login to {where}: wrong user or password.").format(
                where=where
            ),
            hint=pgpass,
        )
    if "no password supplied" in low:
        return StoreError(
            _("PostgreSQL at {where} asks for a password and none was given.").format(where=where),
            hint=pgpass,
        )
    if "permission denied for database" in low:
        from acctctl.errors import NotAllowedError

        login = conninfo_user(url)
        return NotAllowedError(
            _("The PostgreSQL login {login} may not connect to {where}.").format(
                login=login, where=where
            ),
            hint=_("Ask the store's owner to run: acctctl store members add {login} EMAIL").format(
                login=login
            ),
        )
    missing = re.search(r'(database|role) "([^"]*)" does not exist', text)
    if missing is not None:
        what = missing.group(1)
        message = (
            _("The database {name} does not exist on the PostgreSQL server of {where}.")
            if what == "database"
            else _("The role {name} does not exist on the PostgreSQL server of {where}.")
        )
        return StoreError(
            message.format(name=missing.group(2), where=where),
            hint=_("Create it first: see “For a team” in docs/team.md."),
        )
    unreachable = (
        "connection refused",
        "could not connect",
        "timeout expired",
        "failed to resolve host",
        "could not translate host name",
        "no route to host",
        "network is unreachable",
        "no such file or directory",
    )
    if any(sign in low for sign in unreachable):
        return StoreError(
            _("Cannot reach the PostgreSQL server of {where}: {reason}.").format(
                where=where, reason=_detail(text)
            ),
            hint=_("Check that the server is running and accepts connections on that host."),
        )
    from psycopg import ProgrammingError

    if isinstance(exc, ProgrammingError) or "for connection option" in low:
        reason = _detail(text) if text else _("it cannot be parsed")
        return StoreError(
            _("{where} is not a valid PostgreSQL URL: {reason}.").format(
                where=where, reason=reason
            ),
            hint=_("Write it as postgresql://USER@HOST:PORT/DATABASE."),
        )
    reason = _detail(text) if text else _("the server refused the connection")
    return StoreError(
        _("Cannot connect to PostgreSQL at {where}: {reason}.").format(where=where, reason=reason)
    )
