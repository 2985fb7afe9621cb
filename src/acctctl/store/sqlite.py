"""The default store: one SQLite file, private to its owner (SPEC §7).

WAL journal, so readers never wait for a writer; every write in ``BEGIN IMMEDIATE``,
so two processes serialise on the write lock before either reads what it will
decide on. Nothing here creates a database implicitly: only ``replace`` (``store
init``/``import``) does. A file that is not an acctctl store, or of a newer
schema, is reported and never written to.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from acctctl.domain import AccountDocument, DocumentStream
from acctctl.errors import StoreError, StoreMissingError
from acctctl.i18n import _
from acctctl.store.files import create_private_file, ensure_private_dir, open_regular
from acctctl.store.invariants import (
    store_corrupt,
    store_exists,
    store_locked,
    store_missing,
    store_newer,
)
from acctctl.store.sqlite_rows import SqliteReader
from acctctl.store.sqlite_schema import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    clear,
    insert_document,
    migrate,
    user_version,
)

if TYPE_CHECKING:  # annotations only: the protocols cost 1 ms to build at each start
    from acctctl.store.base import StoreReader, StoreWriter

_MAGIC = b"SQLite format 3\x00"
_NEARLY_FULL = 256 * 1024  # bytes: less than a few WAL frames' worth is "full"
# Primary result codes (https://sqlite.org/rescode.html).
_LOCKED = {5, 6}  # BUSY, LOCKED
_CORRUPT = {11, 26}  # CORRUPT, NOTADB
_UNUSABLE = {3, 8, 10, 13, 14, 23}  # PERM, READONLY, IOERR, FULL, CANTOPEN, AUTH
_READONLY, _IOERR, _FULL, _CANTOPEN = 8, 10, 13, 14


class SqliteStore:
    """An account in one SQLite file; ``busy_timeout`` is how long a writer waits (seconds)."""

    def __init__(self, path: Path, busy_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._kept: sqlite3.Connection | None = None  # between the blocks of a session
        self._keeping = False
        self._read_only: set[sqlite3.Connection] = set()  # never kept: a write needs more

    def where(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        """True when the file holds something: an account, or data that is not ours."""
        try:
            if self.path.stat().st_size == 0:
                return False
            with self.read():
                return True
        except (FileNotFoundError, NotADirectoryError):
            return False
        except OSError:
            return True
        except StoreMissingError:
            return False
        except StoreError:
            return True

    @contextmanager
    def read(self) -> Iterator[StoreReader]:
        with self._errors(), self._connection(reading=True) as connection:
            connection.execute("BEGIN")  # one snapshot for the whole block
            yield SqliteReader(connection)
            connection.execute("ROLLBACK")  # ends the read transaction

    @contextmanager
    def write(self) -> Iterator[StoreWriter]:
        from acctctl.store.sqlite_writes import SqliteWriter  # a listing never writes

        with self._errors(), self._connection() as connection, self._transaction(connection):
            yield SqliteWriter(connection)

    @contextmanager
    def session(self) -> Iterator[None]:
        """Blocks in a row on one connection, opened and checked once: a bulk change of
        5,000 subscriptions would otherwise open, check and close the file 5,000 times,
        checkpointing the WAL at every close. Each block keeps its own transaction."""
        if self._keeping:
            yield
            return
        self._keeping = True
        try:
            yield
        finally:
            self._keeping = False
            self.close()

    def identity(self) -> None:
        """A local file: its owner is trusted to act as any user (``--as``)."""
        return None

    def clock(self) -> None:
        return None

    def replace(
        self, document: AccountDocument | DocumentStream, *, force: bool, sandbox: bool = False
    ) -> None:
        created = False
        with self._errors():
            try:
                ensure_private_dir(self.path.parent)
                created = create_private_file(self.path)
            except OSError as exc:
                raise StoreError(
                    _("Cannot create the store at {where}: {problem}.").format(
                        where=self.where(), problem=exc.strerror or exc
                    )
                ) from None
            self._inspect()
            connection = self._connect()
            try:
                with self._transaction(connection):
                    migrate(connection)
                    if connection.execute("SELECT 1 FROM account").fetchone() and not force:
                        raise store_exists(self.where())
                    clear(connection)
                    insert_document(connection, document, sandbox=sandbox)
            except BaseException:
                # A streamed document found wrong part way: rolled back, and a store file
                # made for it taken away again, so nothing is left written.
                connection.close()
                if created:
                    for side in ("", "-wal", "-shm", "-journal"):
                        with suppress(FileNotFoundError):
                            os.unlink(f"{self.path}{side}")
                raise
            finally:
                connection.close()

    def check(self) -> list[str]:
        try:
            with self._errors():
                connection = self._open(reading=True)
        except StoreMissingError:
            raise
        except StoreError as exc:
            return [exc.message]
        problems: list[str] = []
        try:
            for (result,) in connection.execute("PRAGMA integrity_check"):
                if result != "ok":
                    problems.append(str(result))
            for table, rowid, parent, _key in connection.execute("PRAGMA foreign_key_check"):
                problems.append(
                    _("{table} row {rowid} refers to a {parent} row that does not exist").format(
                        table=table, rowid=rowid, parent=parent
                    )
                )
        except sqlite3.Error as exc:
            problems.append(self._problem(exc).message)
        finally:
            connection.close()
        return problems

    def close(self) -> None:
        """Closes what a session kept open; outside sessions nothing stays open between blocks."""
        kept, self._kept = self._kept, None
        if kept is not None:
            kept.close()

    # --- opening -----------------------------------------------------------------------

    @contextmanager
    def _connection(self, *, reading: bool = False) -> Iterator[sqlite3.Connection]:
        """A checked connection for one block: the one a session kept, or a new one."""
        connection, self._kept = self._kept, None
        if connection is None:
            connection = self._open(reading=reading)
        try:
            yield connection
        except BaseException:
            connection.close()  # after a failure, the next block starts afresh
            raise
        if self._keeping and self._kept is None and connection not in self._read_only:
            self._kept = connection
        else:
            self._read_only.discard(connection)
            connection.close()

    def _open(self, *, reading: bool = False) -> sqlite3.Connection:
        """A connection to an existing store of the current schema that holds an account.

        For reading, a store in a folder acctctl may not write to (a read-only mount, a
        0500 folder, another user's archive) is opened as an immutable file when it has
        no write-ahead log: SQLite cannot create the shared-memory file WAL readers
        need there, and without a log the file holds every committed change."""
        if self._inspect() == 0:
            raise store_missing(self.where(), empty=True)
        try:
            connection = self._connect()
        except sqlite3.Error as exc:
            code = getattr(exc, "sqlite_errorcode", None)
            cannot_open = isinstance(code, int) and code & 0xFF in (_CANTOPEN, _READONLY)
            if not (reading and cannot_open) or self._side("-wal").exists():
                raise
            connection = self._connect(immutable=True)
            self._read_only.add(connection)
        try:
            version = user_version(connection)
            if version < SCHEMA_VERSION:
                if version == 0:
                    raise store_missing(self.where(), empty=True)
                with self._transaction(connection):
                    migrate(connection)
            if connection.execute("SELECT 1 FROM account").fetchone() is None:
                raise store_missing(self.where(), empty=True)
        except BaseException:
            connection.close()
            raise
        return connection

    def _connect(self, *, immutable: bool = False) -> sqlite3.Connection:
        """Connect to the existing, inspected file; refuse what is not ours or is too new."""
        # mode=rw never creates the file; an immutable file is only ever read.
        uri = self.path.absolute().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=rw")
        connection = sqlite3.connect(uri, uri=True, timeout=self.busy_timeout, isolation_level=None)
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            connection.execute("PRAGMA foreign_keys = ON")
            application_id = int(connection.execute("PRAGMA application_id").fetchone()[0])
            version = user_version(connection)
            if version == 0:
                if connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    raise store_corrupt(self.where(), _("it is an SQLite database of another kind"))
            elif application_id != APPLICATION_ID:
                raise store_corrupt(self.where(), _("it is an SQLite database of another kind"))
            elif version > SCHEMA_VERSION:
                raise store_newer(self.where(), str(version), str(SCHEMA_VERSION))
            if immutable:
                return connection
            if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                connection.execute("PRAGMA journal_mode = WAL")
            self._tighten_side_files()
        except BaseException:
            connection.close()
            raise
        return connection

    def _inspect(self) -> int:
        """The file's size, once its header looks like SQLite's (read only, never written)."""
        try:
            with os.fdopen(open_regular(self.path), "rb") as stream:
                size = os.fstat(stream.fileno()).st_size
                header = stream.read(100)
        except (FileNotFoundError, NotADirectoryError):
            raise store_missing(self.where()) from None
        except OSError as exc:
            raise StoreError(
                _("Cannot read the store at {where}: {problem}.").format(
                    where=self.where(), problem=exc.strerror or exc
                )
            ) from None
        if size == 0:
            return 0
        if len(header) < 100 or not header.startswith(_MAGIC):
            raise store_corrupt(self.where(), _("it is not an SQLite database"))
        page_size = int.from_bytes(header[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        pages = int.from_bytes(header[28:32], "big")
        # The page count is trusted only when its change counter is current; with a
        # non-empty WAL the file may legitimately lag behind.
        if pages and header[24:28] == header[92:96] and size < pages * page_size:
            wal = self._side("-wal")
            if not wal.exists() or wal.stat().st_size == 0:
                raise store_corrupt(self.where(), _("the file is shorter than its header says"))
        return size

    def _side(self, suffix: str) -> Path:
        return self.path.with_name(self.path.name + suffix)

    def _tighten_side_files(self) -> None:
        """SQLite gives -wal and -shm the database's mode; make sure, whatever the umask."""
        with suppress(OSError):
            allowed = stat.S_IMODE(self.path.stat().st_mode)
            for suffix in ("-wal", "-shm"):
                side = self._side(suffix)
                with suppress(FileNotFoundError):
                    mode = stat.S_IMODE(side.stat().st_mode)
                    if mode & ~allowed:
                        os.chmod(side, mode & allowed)

    @staticmethod
    @contextmanager
    def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    # --- errors ------------------------------------------------------------------------

    def _problem(self, exc: sqlite3.Error) -> StoreError:
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        text = str(exc)
        if primary in _LOCKED or (primary is None and "locked" in text):
            return store_locked(self.where())
        if primary in _CORRUPT or (primary is None and "not a database" in text):
            return store_corrupt(self.where(), text)
        if primary == _FULL or (primary == _IOERR and self._out_of_space()):
            return StoreError(
                _("Cannot write the store at {where}: no space left on the device.").format(
                    where=self.where()
                )
            )
        return StoreError(
            _("Cannot use the store at {where}: {problem}.").format(
                where=self.where(), problem=text
            )
        )

    def _out_of_space(self) -> bool:
        """Whether the store's file system is (nearly) full: SQLite reports a failed write
        of its WAL or shared-memory file as a plain I/O error, without the cause."""
        try:
            status = os.statvfs(self.path.parent)
        except OSError:
            return False
        return status.f_bavail * status.f_frsize < _NEARLY_FULL

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite's failures as store errors; a programming error stays what it is."""
        try:
            yield
        except sqlite3.Error as exc:
            code = getattr(exc, "sqlite_errorcode", None)
            primary = code & 0xFF if isinstance(code, int) else None
            if primary is not None and primary not in _LOCKED | _CORRUPT | _UNUSABLE:
                raise
            raise self._problem(exc) from exc
