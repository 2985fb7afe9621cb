"""`store members`: which database login is which account user, on a shared store.

Only the store's owner may change the list; the store refuses anyone else (exit 5).
A local SQLite or JSON store has no members: its file's owner is trusted.
"""

from __future__ import annotations

from acctctl.errors import NotFoundError, UsageError
from acctctl.hints import command
from acctctl.i18n import _
from acctctl.service.context import Context
from acctctl.store.base import Member, SharedStore

_MAX_LOGIN = 63  # PostgreSQL's NAMEDATALEN - 1


def _shared(ctx: Context) -> SharedStore:
    store = ctx.store
    if not isinstance(store, SharedStore):
        raise UsageError(
            _(
                "{where} is a local store: it has no members, and its file's owner may act as "
                "any user (--as). Members are for a shared PostgreSQL store."
            ).format(where=store.where())
        )
    return store


def _login(login: str) -> str:
    value = login.strip()
    if not value or len(value) > _MAX_LOGIN or not value.isprintable():
        raise UsageError(
            _("{login!r} is not a PostgreSQL login name (1 to 63 printable characters).").format(
                login=login[:70]
            )
        )
    return value


def list_members(ctx: Context) -> list[Member]:
    return _shared(ctx).members()


def add_member(ctx: Context, login: str, email: str) -> None:
    if not email.strip():
        raise UsageError(_("Name the account user the login acts as: an e-mail address."))
    _shared(ctx).add_member(_login(login), email.strip())


def remove_member(ctx: Context, login: str) -> None:
    if not _shared(ctx).remove_member(_login(login)):
        raise NotFoundError(
            _("{login} is not a member of this store.").format(login=login.strip()),
            hint=_("`{command}` shows them.").format(command=command("store", "members", "list")),
        )
