"""Around the change: history, cancel, automatic renewal, the store as a whole."""

from __future__ import annotations

from acctctl.domain import (
    AccountDocument,
    Change,
    DocumentStream,
    Terms,
    User,
)
from acctctl.errors import (
    DocumentError,
    NotAllowedError,
    NotFoundError,
    RejectedError,
    StoreExistsError,
)
from acctctl.history import head, verify
from acctctl.i18n import _
from acctctl.ids import shown_identity
from acctctl.rules import authorization, holder_label
from acctctl.service.context import (
    Context,
    _settle,
    as_of,
    at_write,
    find_user,
    require_actor,
)
from acctctl.service.views import SubscriptionView, _find_subscription, show_subscription
from acctctl.store.base import StoreReader


def history(ctx: Context, ident: str | None = None) -> list[Change]:
    """Changes of the whole account, or of one subscription's contract, or one contract."""
    with ctx.store.read() as reader:
        holder = None
        if ident is not None:
            sub = reader.subscription(ident)
            if sub is not None:
                holder = sub.contract or sub.id
            elif reader.contract(ident) is not None:
                holder = ident
            else:
                raise NotFoundError(
                    _("No subscription or contract {id} in this account.").format(id=ident),
                    code="unknown-subscription",
                )
        changes = reader.changes(holder)
    return [as_of(c, ctx.now) for c in changes]


def _authorize(
    reader: StoreReader, ctx: Context, terms: Terms, holder: str, *, auto_renew: bool | None = None
) -> User:
    actor = require_actor(ctx)
    user = find_user(reader, actor)
    refused = authorization(actor, user, terms, holder_label(terms, holder), auto_renew=auto_renew)
    if refused is not None or user is None:
        raise NotAllowedError(refused.message if refused else "")
    return user


def get_change(ctx: Context, change_id: str) -> Change:
    with ctx.store.read() as reader:
        change = reader.change(change_id)
    if change is None:
        raise NotFoundError(
            _("No change {id} in this account.").format(id=change_id), code="unknown-change"
        )
    return as_of(change, ctx.now)


def cancel_change(ctx: Context, change_id: str) -> Change:
    """Withdraw a change that is still pending."""
    with ctx.store.write() as writer:
        change = writer.change(change_id)
        if change is None:
            raise NotFoundError(
                _("No change {id} in this account.").format(id=change_id), code="unknown-change"
            )
        terms = _holder_terms(writer, change.holder)
        user = _authorize(writer, ctx, terms, change.holder)
        ctx = at_write(writer, ctx)
        _settle(writer, change.holder, ctx.now)
        current = writer.change(change_id)
        assert current is not None
        if current.status != "pending":
            raise RejectedError(
                _("Change {id} is {status}: only a pending change can be cancelled.").format(
                    id=change_id, status=_(current.status)
                )
            )
        cancelled = writer.cancel_change(change_id, by=user.email, at=ctx.now)
    return cancelled


def _holder_terms(reader: StoreReader, holder: str) -> Terms:
    contract = reader.contract(holder)
    if contract is not None:
        return Terms.of_contract(contract)
    sub = reader.subscription(holder)
    if sub is None:
        raise NotFoundError(_("No subscription or contract {id}.").format(id=holder))
    return Terms.of(sub, None)


def set_auto_renew(ctx: Context, sub_id: str, on: bool) -> tuple[SubscriptionView, bool]:
    """Turn automatic renewal on or off for the subscription's contract.
    Returns the new view and whether anything changed."""
    with ctx.store.write() as writer:
        sub, contract = _find_subscription(writer, sub_id)
        terms = Terms.of(sub, contract)
        user = _authorize(writer, ctx, terms, sub.id, auto_renew=on)
        changed = terms.auto_renew != on
        if changed:
            ctx = at_write(writer, ctx)
            changed = writer.set_auto_renew(sub.id, on, by=user.email, at=ctx.now)
    return show_subscription(ctx, sub_id).view, changed


def history_head(ctx: Context) -> tuple[int, str]:
    """How many records the history holds, and the hash of the last one: an auditor who
    notes it can tell later whether the history still leads to it."""
    with ctx.store.read() as reader:
        chain = reader.history()
    return len(chain), head(chain)


def check_invariants(ctx: Context) -> list[str]:
    """The domain promises a healthy store keeps (on top of the back end's own checks):
    the history's chain holds, and what the store holds follows from it."""
    problems: list[str] = []
    with ctx.store.read() as reader:
        problems.extend(verify(reader.changes(), reader.history()))
        partners = {p.csn for p in reader.partners()}
        contracts = {c.number: c for c in reader.contracts()}
        subs = {s.id: s for s in reader.subscriptions()}
        users = {u.email for u in reader.users()}
        for number, contract in contracts.items():
            if not contract.partners:
                problems.append(_("contract {n} has no partner").format(n=number))
            problems.extend(
                _("contract {n} names unknown partner {csn}").format(n=number, csn=csn)
                for csn in contract.partners
                if csn not in partners
            )
        for sub in subs.values():
            if sub.contract is not None and sub.contract not in contracts:
                problems.append(
                    _("subscription {id} names unknown contract {n}").format(
                        id=sub.id, n=sub.contract
                    )
                )
            if sub.contract is None and not sub.partners:
                problems.append(_("subscription {id} has no partner").format(id=sub.id))
        pending_seen: set[str] = set()
        last_applied: dict[str, Change] = {}
        for change in reader.changes():
            holder = change.holder
            if change.contract is not None and change.contract not in contracts:
                problems.append(
                    _("change {id} names unknown contract {n}").format(id=change.id, n=holder)
                )
            if change.subscription is not None and change.subscription not in subs:
                problems.append(
                    _("change {id} names unknown subscription {n}").format(id=change.id, n=holder)
                )
            if change.to not in partners:
                problems.append(
                    _("change {id} names unknown partner {csn}").format(id=change.id, csn=change.to)
                )
            if change.by not in users:
                problems.append(
                    _("change {id} names unknown user {email}").format(
                        id=change.id, email=change.by
                    )
                )
            if change.status == "pending":
                if holder in pending_seen:
                    problems.append(
                        _("{holder} has more than one pending change").format(holder=holder)
                    )
                pending_seen.add(holder)
            if change.status == "applied":
                last_applied[holder] = change
        for holder, change in last_applied.items():
            held = contracts[holder].partners if holder in contracts else None
            if held is None and holder in subs:
                held = subs[holder].partners
            if held is not None and held != (change.to,):
                problems.append(
                    _("{holder}'s partners do not match its last applied change {id}").format(
                        holder=holder, id=change.id
                    )
                )
    return problems


def replace_store(
    ctx: Context,
    document: AccountDocument | DocumentStream,
    *,
    force: bool,
    sandbox: bool = False,
) -> None:
    """`store init` / `store import`: replacing an existing account takes its primary admin
    (and, on a shared store, the store's owner). A document that brings its history must
    bring an intact one. A stream (``store import``) is validated as the store reads it,
    and wholly before any refusal of the store's: a wrong document is reported first,
    as when it was read whole."""
    if isinstance(document, AccountDocument) and document.history:
        broken = verify(document.changes, document.history)
        if broken:
            raise DocumentError("history", broken[0])
    try:
        _may_replace(ctx, force=force)
    except BaseException:
        if isinstance(document, DocumentStream):
            from acctctl.document_import import drain

            drain(document)
        raise
    ctx.store.replace(document, force=force, sandbox=sandbox)


def _may_replace(ctx: Context, *, force: bool) -> None:
    store = ctx.store
    if store.exists():
        identity = store.identity()
        if force and identity is not None and not identity.owner:
            from acctctl.store.postgres_team import owner_only

            raise owner_only(identity.login, _("replace the whole store"))
        if not force:
            raise StoreExistsError(
                _("A store already exists at {where}.").format(where=store.where()),
                hint=_("Pass --force to replace it (as the account's primary admin)."),
            )
        with store.read() as reader:
            nobody_yet = not reader.users()
            actor = None if nobody_yet else require_actor(ctx)
            user = None if nobody_yet else find_user(reader, actor)
        # An account with no users yet (`store init` without --demo) has nobody to ask.
        if not nobody_yet and (user is None or user.role != "primary_admin"):
            raise NotAllowedError(
                _(
                    "Only the account's primary admin may replace the whole store; {email} is not."
                ).format(email=shown_identity(actor or ""))
            )
