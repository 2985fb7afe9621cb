"""Where the account lives: ``open_store`` picks the back end from the target's form.

A path ending ``.json`` is a JSON-file store, ``postgresql://…`` a shared
PostgreSQL database, anything else an SQLite file (SPEC §7). Back ends are
imported only when chosen, so a command pays for one of them at most.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from acctctl.errors import StoreError, UsageError
from acctctl.i18n import _

if TYPE_CHECKING:
    from acctctl.store.base import Store

from acctctl.store.target import for_libpq, is_postgres
from acctctl.store.target import redact as redact

__all__ = ["default_store_path", "is_postgres", "open_store", "redact"]


def open_store(target: str) -> Store:
    """The store ``target`` names (``--store``, ``ACCTCTL_STORE``, config ``store``)."""
    if not target.strip():
        raise UsageError(_("The store is empty: give a file path or a postgresql:// URL."))
    if is_postgres(target):
        try:
            # Imported by name: the module needs psycopg, an optional dependency.
            module = importlib.import_module("acctctl.store.postgres")
        except ImportError:
            raise StoreError(
                _("PostgreSQL support needs psycopg: pip install 'acctctl[postgres]'")
            ) from None
        store: Store = module.PostgresStore(for_libpq(target), busy_timeout())
        return store
    path = Path(target).expanduser().absolute()
    _refuse_what_is_not_a_file(path)
    if path.suffix.lower() == ".json":
        from acctctl.store.jsonfile import JsonFileStore

        return JsonFileStore(path, busy_timeout())
    from acctctl.store.sqlite import SqliteStore

    return SqliteStore(path, busy_timeout())


def _refuse_what_is_not_a_file(path: Path) -> None:
    """A FIFO, device or directory named as the store is refused before any command
    looks at it (reading a FIFO waits for a writer forever; `store init` must not
    take it for a free place). The back ends check again on what they open."""
    from acctctl.store.files import NotRegularFileError, check_regular

    try:
        check_regular(path)
    except NotRegularFileError as exc:
        raise StoreError(
            _("Cannot use the store at {where}: {problem}.").format(
                where=path, problem=exc.strerror
            )
        ) from None


DEFAULT_BUSY_TIMEOUT = 10.0


def busy_timeout() -> float:
    """How long a writer waits for another one before giving up (exit 6), in seconds:
    ``ACCTCTL_BUSY_TIMEOUT``, else 10. Cron jobs that queue up may want more."""
    text = os.environ.get("ACCTCTL_BUSY_TIMEOUT", "").strip()
    if not text:
        return DEFAULT_BUSY_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 86_400:  # also refuses nan and inf
        raise UsageError(
            _("ACCTCTL_BUSY_TIMEOUT must be a number of seconds, more than 0: {value}.").format(
                value=repr(text[:40])
            )
        )
    return seconds


def default_store_path() -> Path:
    """``$ACCTCTL_HOME/data/account.db`` if set (tests isolate with it), else the
    platform's user data directory."""
    home = os.environ.get("ACCTCTL_HOME")
    if home:
        return Path(home).expanduser() / "data" / "account.db"
    from acctctl.dirs import user_data_path

    return user_data_path() / "account.db"
