"""PostgreSQL's failures as store errors: one sentence each, naming the store's URL with
its password hidden, and never a part of the password libpq may echo back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from acctctl.errors import AcctctlError, StoreError, StoreLockedError
from acctctl.i18n import _
from acctctl.store import postgres_schema as schema
from acctctl.store import postgres_team as team
from acctctl.store.invariants import store_corrupt


def first_line(text: str) -> str:
    return text.strip().splitlines()[0].rstrip(".") if text.strip() else text


@contextmanager
def database_errors(where: str, lock_timeout: float) -> Iterator[None]:
    """The database's failures as store errors; a programming error stays what it is."""
    from psycopg import DatabaseError, OperationalError, errors

    try:
        yield
    except (errors.LockNotAvailable, errors.DeadlockDetected):
        raise StoreLockedError(
            _(
                "The store at {where} is locked by another acctctl process "
                "(waited {seconds:g} s); nothing was written."
            ).format(where=where, seconds=lock_timeout),
            hint=_("Another administrator is changing the account: try again in a moment."),
        ) from None
    except errors.UniqueViolation as exc:
        if exc.diag.constraint_name != schema.ONE_PENDING_INDEX:
            raise
        raise StoreLockedError(
            _(
                "Another change to the same contract was submitted at the same moment "
                "in {where}; nothing was written."
            ).format(where=where),
            hint=_("Run the command again: it will see the other change."),
        ) from None
    except (errors.UndefinedTable, errors.UndefinedColumn, errors.UndefinedObject) as exc:
        raise store_corrupt(where, first_line(str(exc))) from None
    except errors.InsufficientPrivilege as exc:
        raise StoreError(
            _("PostgreSQL refused access to the store at {where}: {problem}.").format(
                where=where, problem=first_line(str(exc))
            ),
            hint=_("Ask the database owner to grant your role access (see docs/team.md)."),
        ) from None
    except OperationalError as exc:
        message = (
            _("Lost the connection to PostgreSQL at {where}: {problem}.")
            if exc.sqlstate is None or exc.sqlstate.startswith("08")
            else _("PostgreSQL could not complete the command on {where}: {problem}.")
        )
        raise StoreError(message.format(where=where, problem=first_line(str(exc)))) from None
    except DatabaseError as exc:
        refused = team.function_error(exc)
        if refused is None:
            raise
        raise refused from None


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
    line = first_line(text)
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
