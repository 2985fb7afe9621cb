"""Who acts, on which store, at what time; and how time moves pending changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from acctctl.domain import (
    Change,
    Terms,
    User,
)
from acctctl.errors import (
    NotAllowedError,
    StoreError,
    UsageError,
)
from acctctl.hints import command
from acctctl.i18n import _
from acctctl.values import Frozen, set_field, value  # dataclasses compiled once (values.py)

if TYPE_CHECKING:  # annotations only: the protocols cost 1 ms to build at each start
    from acctctl.store.base import Store, StoreReader, StoreWriter

DEFAULT_PROPAGATION = timedelta(minutes=60)


@value
class Context(Frozen):
    """Who acts, on which store, at what time."""

    store: Store
    now: datetime
    actor: str | None = None
    propagation: timedelta = DEFAULT_PROPAGATION
    # ``now`` was given (ACCTCTL_NOW, or a caller's choice) rather than read from a clock
    # (the CLI says when it was): only a sandbox store lets such a time date its writes.
    now_given: bool = True

    def __init__(
        self,
        store: Store,
        now: datetime,
        actor: str | None = None,
        propagation: timedelta = DEFAULT_PROPAGATION,
        now_given: bool = True,
    ) -> None:
        set_field(self, "store", store)
        set_field(self, "now", now)
        set_field(self, "actor", actor)
        set_field(self, "propagation", propagation)
        set_field(self, "now_given", now_given)

    @property
    def today(self) -> date:
        return self.now.date()


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def in_effect(change: Change, now: datetime) -> bool:
    return change.status == "pending" and change.effective_at <= now


def as_of(change: Change, now: datetime) -> Change:
    """A change's status as seen at ``now``: pending changes past ``effective_at`` are applied."""
    return replace(change, status="applied") if in_effect(change, now) else change


def _effective(terms: Terms, pending: Change | None, now: datetime) -> tuple[Terms, Change | None]:
    if pending is not None and in_effect(pending, now):
        return replace(terms, partners=(pending.to,)), None
    return terms, pending


def _settle(writer: StoreWriter, holder: str, now: datetime) -> None:
    """Write down a pending change whose time has come, before deciding anything else."""
    pending = writer.pending_change(holder)
    if pending is None or not in_effect(pending, now):
        return
    writer.settle(holder, now)


def at_write(writer: StoreReader, ctx: Context) -> Context:
    """The context a write transaction decides and records with. Time belongs to the
    store: a given time (ACCTCTL_NOW) dates writes only on a sandbox store; otherwise
    the clock is read again now that the transaction holds the store's write lock (the
    store's own clock on PostgreSQL), so it is not before what another process just
    recorded; and no write is dated before the latest recorded event."""
    if ctx.now_given and not writer.sandbox():
        raise StoreError(
            _(
                "ACCTCTL_NOW is set, but {where} is not a sandbox store: its writes are "
                "dated by its own clock, so nothing was written."
            ).format(where=ctx.store.where()),
            hint=_(
                "Unset ACCTCTL_NOW to write here; to try things at another time, use a "
                "sandbox store (acctctl --store demo.db store init --demo)."
            ),
        )
    from acctctl.store.recorded import check_time

    if not ctx.now_given:
        from acctctl.clock import system_now

        ctx = replace(ctx, now=ctx.store.clock() or system_now())
    check_time(writer, ctx.now)
    return ctx


def resolve_actor(store: Store, asked: str | None) -> str | None:
    """Who acts. On a store that knows its logins (PostgreSQL) a member is the account
    user mapped to its login and no one else; the store's owner may act as anyone. On a
    local file, whoever is named (``--as``, ACCTCTL_USER, config ``user``)."""
    identity = store.identity()
    if identity is None:
        return asked
    if identity.owner:
        return asked if asked and asked.strip() else identity.email
    from acctctl.store.postgres_team import not_a_member, not_yourself

    if identity.email is None:
        raise not_a_member(identity.login)
    if asked and asked.strip() and asked.strip().casefold() != identity.email.casefold():
        raise not_yourself(identity.login, identity.email, asked.strip())
    return identity.email


def require_actor(ctx: Context) -> str:
    if not ctx.actor:
        raise UsageError(
            _("Who is acting? Pass --as EMAIL (or set ACCTCTL_USER, or `{command}`).").format(
                command=command("config", "set", "user", "EMAIL")
            ),
        )
    return ctx.actor


def find_user(reader: StoreReader, email: str | None) -> User | None:
    """The account's user with this e-mail; surrounding spaces and letter case don't matter
    (``--as ' Claire@Dupont.example'`` is Claire)."""
    if not email or not email.strip():
        return None
    email = email.strip()
    user = reader.user(email)
    if user is None:
        folded = email.casefold()
        user = next((u for u in reader.users() if u.email.casefold() == folded), None)
    return user


def sign_in(ctx: Context) -> User:
    """Who acts, settled before anything is asked: the account's user, or
    ``NotAllowedError`` (exit 5) for an identity the account does not know and for a user
    who may change no partner at all (saying why, and who may)."""
    from acctctl.rules import may_manage, unknown_user

    actor = require_actor(ctx)
    with ctx.store.read() as reader:
        user = find_user(reader, actor)
        if user is None:
            raise NotAllowedError(unknown_user(actor).message)
        if user.role == "primary_admin":
            return user
        if any(may_manage(Terms.of_contract(c), user) for c in reader.contracts()):
            return user
        if any(
            s.contract is None and may_manage(Terms.of(s, None), user)
            for s in reader.subscriptions()
        ):
            return user
        admins = [u.email for u in reader.users() if u.role == "primary_admin"]
    raise NotAllowedError(
        _(
            "{email} may change no partner: only a contract's manager or the account's "
            "primary admin may update reseller information, and {email} manages none of "
            "this account's contracts."
        ).format(email=user.email),
        hint=_("Ask the primary admin ({admins}) or a contract manager.").format(
            admins=", ".join(admins) or "-"
        ),
    )
