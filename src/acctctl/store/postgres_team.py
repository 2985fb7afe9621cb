"""A team on one PostgreSQL store: who is connected, the members, and the sentences for
what the database's functions refuse.

The store's *owner* is the role that owns its tables (the login that created it with
``store init`` or ``store import``), or a superuser: it may act as any account user
(``--as``) and manage the members. A *member* is any other login mapped to one account
user (``acctctl_members``); it acts as that user only, and may read the tables and run
acctctl's functions (postgres_functions.py), nothing else.

psycopg is imported only where a connection is used.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from acctctl.errors import (
    AcctctlError,
    NotAllowedError,
    NotFoundError,
    RejectedError,
    StoreError,
    UsageError,
)
from acctctl.hints import command
from acctctl.i18n import _
from acctctl.store.base import Identity, Member
from acctctl.store.postgres_functions import MEMBER_FUNCTIONS

if TYPE_CHECKING:
    from psycopg import Connection

    DB = Connection[tuple[Any, ...]]


# --- sentences (the Python side and the database's functions say the same) ---------------


def not_a_member(login: str) -> NotAllowedError:
    return NotAllowedError(
        _(
            "The PostgreSQL login {login} is not a member of this store, so it acts as no "
            "account user."
        ).format(login=login),
        hint=_("Ask the store's owner to run: acctctl store members add {login} EMAIL").format(
            login=login
        ),
    )


def not_yourself(login: str, email: str, asked: str) -> NotAllowedError:
    return NotAllowedError(
        _(
            "You are signed in to PostgreSQL as {login}, who is {email} in this account: "
            "you cannot act as {asked}."
        ).format(login=login, email=email, asked=asked),
        hint=_("Drop --as (and ACCTCTL_USER, config user): the login says who you are."),
    )


def owner_only(login: str, what: str) -> NotAllowedError:
    return NotAllowedError(
        _("Only the store's owner may {what}; the PostgreSQL login {login} is a member.").format(
            what=what, login=login
        )
    )


def function_error(exc: Any) -> AcctctlError | None:
    """The error acctctl's database functions raised (SQLSTATE ACT01–ACT05), as ours."""
    state = getattr(exc, "sqlstate", None) or ""
    if not state.startswith("ACT"):
        return None
    detail = exc.diag.message_detail or ""
    if state == "ACT01":
        return StoreError(
            _(
                "A write cannot be dated before the store's latest recorded event ({latest}); "
                "nothing was written."
            ).format(latest=detail),
            hint=_("Check this machine's clock (and ACCTCTL_NOW, if set)."),
        )
    if state == "ACT05":
        facts = json.loads(detail) if detail.startswith("{") else {}
        login = str(facts.get("login", "?"))
        if "asked" in facts:
            return not_yourself(login, str(facts.get("email")), str(facts["asked"]))
        return not_a_member(login)
    if state == "ACT04":
        missing = {
            "subscription": _("No such subscription in this account."),
            "partner": _("No such partner in this account."),
            "change": _("No such change in this account."),
        }
        return NotFoundError(missing.get(detail, _("Not found in this account.")))
    if state == "ACT03":
        return _refused(detail.split(",") if detail else [])
    return UsageError(
        _("The store refused the call: {problem}.").format(problem=exc.diag.message_primary)
    )


def _refused(codes: list[str]) -> AcctctlError:
    from acctctl.rules import EXIT_CODES, Reason

    if codes == ["unchanged"]:
        return RejectedError(_("Nothing to change: the store found that change made already."))
    if codes == ["not-pending"]:
        return RejectedError(_("Only a pending change can be cancelled."))
    if codes and all(EXIT_CODES.get(code) == 5 for code in codes):
        return NotAllowedError(
            _(
                "The store's own check refused it ({codes}): only the contract manager or "
                "the account's primary admin may do this."
            ).format(codes=", ".join(codes))
        )
    sentence = _(
        "The store's own check of the rules refused it ({codes}); nothing was written."
    ).format(codes=", ".join(codes))
    reasons = [Reason(code, sentence) for code in codes if code in EXIT_CODES]
    return RejectedError(sentence, reasons)


# --- who is connected, and the members --------------------------------------------------


def identity(db: DB) -> Identity | None:
    """None while the database holds no store of this schema yet (whoever creates it
    owns it)."""
    if db.execute("SELECT to_regprocedure('acctctl_whoami()')").fetchone() == (None,):
        return None
    usable = "SELECT has_function_privilege('acctctl_whoami()', 'EXECUTE'), session_user"
    allowed = db.execute(usable).fetchone()
    assert allowed is not None
    if not allowed[0]:  # a store whose owner took even that back: a stranger
        return Identity(str(allowed[1]), None, False)
    row = db.execute("SELECT login, email, owner FROM acctctl_whoami()").fetchone()
    assert row is not None
    return Identity(row[0], row[1], bool(row[2]))


def members(db: DB) -> list[Member]:
    rows = db.execute("SELECT login, email FROM acctctl_members ORDER BY login").fetchall()
    return [Member(login, email) for login, email in rows]


def _must_own(db: DB, what: str) -> None:
    found = identity(db)
    if found is not None and not found.owner:
        raise owner_only(found.login, what)


def add_member(db: DB, login: str, email: str) -> None:
    """Map ``login`` to ``email`` (an account user) and grant exactly what acctctl needs:
    connect, read every acctctl table, run the member functions."""
    from psycopg import sql

    from acctctl.store.postgres_schema import READABLE_TABLES

    _must_own(db, _("add members"))
    if db.execute("SELECT FROM pg_roles WHERE rolname = %s", (login,)).fetchone() is None:
        raise NotFoundError(
            _("There is no PostgreSQL login {login} on this server.").format(login=login),
            hint=_(
                "Create it first, as an administrator: CREATE ROLE {login} LOGIN PASSWORD '…'"
            ).format(login=login),
        )
    user = db.execute(
        "SELECT email FROM acctctl_users WHERE email = %s OR lower(email) = lower(%s)"
        " ORDER BY email = %s DESC, ord LIMIT 1",
        (email, email, email),
    ).fetchone()
    if user is None:
        raise NotFoundError(
            _("{email} is not a user of this account.").format(email=email),
            hint=_("`{command}` lists the account's users.").format(
                command=command("store", "export")
            ),
        )
    owner = db.execute(
        "SELECT pg_has_role(%s, relowner, 'MEMBER') OR (SELECT rolsuper FROM pg_roles"
        " WHERE rolname = %s) FROM pg_class WHERE oid = 'acctctl_meta'::regclass",
        (login, login),
    ).fetchone()
    db.execute(
        "INSERT INTO acctctl_members (login, email) VALUES (%s, %s)"
        " ON CONFLICT (login) DO UPDATE SET email = excluded.email",
        (login, user[0]),
    )
    if owner is not None and owner[0]:
        return  # the owner (or a superuser) needs no grant: it may do everything anyway
    role = sql.Identifier(login)
    schema = db.execute("SELECT current_schema()").fetchone()
    assert schema is not None
    database = db.execute("SELECT current_database()").fetchone()
    assert database is not None
    if db.execute(
        "SELECT has_database_privilege(current_user, current_database(),"
        " 'CONNECT WITH GRANT OPTION')"
    ).fetchone() == (True,):
        db.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database[0]), role)
        )
    db.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema[0]), role))
    tables = sql.SQL(", ").join(sql.Identifier(t) for t in READABLE_TABLES)
    db.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(tables, role))
    # Reading the change numbers' position lets `store check` compare it with the changes.
    db.execute(sql.SQL("GRANT SELECT ON SEQUENCE acctctl_change_number TO {}").format(role))
    for function in MEMBER_FUNCTIONS:
        db.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(sql.SQL(function), role))


def remove_member(db: DB, login: str) -> bool:
    """Unmap ``login`` and take back what ``add_member`` granted (the database's CONNECT
    stays: it may serve other things)."""
    from psycopg import sql

    from acctctl.store.postgres_schema import READABLE_TABLES

    _must_own(db, _("remove members"))
    gone = db.execute("DELETE FROM acctctl_members WHERE login = %s", (login,)).rowcount > 0
    if db.execute("SELECT FROM pg_roles WHERE rolname = %s", (login,)).fetchone() is None:
        return gone
    role = sql.Identifier(login)
    tables = sql.SQL(", ").join(sql.Identifier(t) for t in READABLE_TABLES)
    db.execute(sql.SQL("REVOKE ALL ON {} FROM {}").format(tables, role))
    db.execute(sql.SQL("REVOKE ALL ON SEQUENCE acctctl_change_number FROM {}").format(role))
    for function in MEMBER_FUNCTIONS:
        db.execute(sql.SQL("REVOKE ALL ON FUNCTION {} FROM {}").format(sql.SQL(function), role))
    return gone
