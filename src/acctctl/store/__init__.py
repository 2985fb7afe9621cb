"""Where the account lives: ``open_store`` picks the back end from the target's form.

A path ending ``.json`` is a JSON-file store, ``postgresql://…`` a shared
PostgreSQL database, anything else an SQLite file (SPEC §7). Back ends are
imported only when chosen, so a command pays for one of them at most.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from acctctl.errors import StoreError, UsageError
from acctctl.i18n import _

if TYPE_CHECKING:
    from acctctl.store.base import Store

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_PASSWORD_PARAMETER = re.compile(r"(^|&)(password=)[^&]*", re.IGNORECASE)


def is_postgres(target: str) -> bool:
    return target.lower().startswith(_POSTGRES_SCHEMES)


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
        store: Store = module.PostgresStore(target)
        return store
    path = Path(target).expanduser().absolute()
    if path.suffix.lower() == ".json":
        from acctctl.store.jsonfile import JsonFileStore

        return JsonFileStore(path)
    from acctctl.store.sqlite import SqliteStore

    return SqliteStore(path)


def default_store_path() -> Path:
    """``$ACCTCTL_HOME/data/account.db`` if set (tests isolate with it), else the
    platform's user data directory."""
    home = os.environ.get("ACCTCTL_HOME")
    if home:
        return Path(home).expanduser() / "data" / "account.db"
    import platformdirs

    return platformdirs.user_data_path("acctctl") / "account.db"


def redact(target: str) -> str:
    """``target`` safe to print: a URL's password (in the userinfo or as a
    ``password=`` parameter) becomes ``***``; a path is returned as it is."""
    if "://" not in target:
        return target
    parts = urlsplit(target)
    netloc = parts.netloc
    userinfo, at, host = netloc.rpartition("@")
    if at and ":" in userinfo:
        netloc = f"{userinfo.split(':', 1)[0]}:***@{host}"
    query = _PASSWORD_PARAMETER.sub(r"\1\2***", parts.query)
    return urlunsplit(parts._replace(netloc=netloc, query=query))
