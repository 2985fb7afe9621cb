"""The rules every store back end keeps the same way, and the errors they raise.

Change ids (``CHG-000001``: issued once, never reused), what may be set on what (a
subscription of a contract carries no terms of its own; one pending change per
contract; only a pending change becomes applied or cancelled), and the one sentence
each store failure gets — so SQLite, the JSON file and PostgreSQL cannot word or
decide them differently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from acctctl.domain import (
    AccountDocument,
    Change,
    ChangeStatus,
    Subscription,
)
from acctctl.errors import (
    NotFoundError,
    StoreCorruptError,
    StoreExistsError,
    StoreLockedError,
    StoreMissingError,
    StoreSchemaError,
)
from acctctl.hints import command
from acctctl.i18n import _

if TYPE_CHECKING:  # annotations only: the protocols cost 1 ms to build at each start
    from acctctl.store.base import StoreReader

_CHANGE_ID = re.compile(r"CHG-([0-9]+)")


# --- what every back end's writer does the same way --------------------------------------


def format_change_id(number: int) -> str:
    return f"CHG-{number:06d}"


def change_number(change_id: str) -> int:
    """The sequence number of an id made by ``format_change_id``; 0 for any other id,
    and for numbers too large for a 64-bit sequence (an imported id may have 60 digits;
    it is kept as it is and such numbers are simply never issued)."""
    match = _CHANGE_ID.fullmatch(change_id)
    if match is None or len(match.group(1)) > 18:
        return 0
    return int(match.group(1))


def issued_change_number(document: AccountDocument) -> int:
    """The highest change number ``document``'s store has handed out: its own record of
    it, or its changes' ids. A replaced store goes on from the old one's (issue 14)."""
    highest = max((change_number(c.id) for c in document.changes), default=0)
    return max(document.last_change_number, highest)


def utc(moment: datetime) -> datetime:
    """Moments are kept in UTC; a naive one is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def store_missing(where: str, *, empty: bool = False) -> StoreMissingError:
    message = (
        _("The store at {where} holds no account yet.")
        if empty
        else _("There is no store at {where}.")
    )
    return StoreMissingError(
        message.format(where=where),
        hint=_("Run `{init}` or `{load}`.").format(
            init=command("store", "init", "--demo"), load=command("store", "import", "FILE")
        ),
    )


def store_corrupt(where: str, problem: str) -> StoreCorruptError:
    return StoreCorruptError(
        _("The store at {where} is unreadable: {problem}.").format(where=where, problem=problem),
        hint=_(
            "It was left as it is. Restore it from a backup, or move it away and run `{load}`."
        ).format(load=command("store", "import", "FILE")),
    )


def store_newer(where: str, found: str, known: str) -> StoreSchemaError:
    return StoreSchemaError(
        _(
            "The store at {where} was written by a newer acctctl (schema {found}; "
            "this version knows {known})."
        ).format(where=where, found=found, known=known),
        hint=_("It was left as it is. Upgrade acctctl to use it."),
    )


def store_locked(where: str) -> StoreLockedError:
    return StoreLockedError(
        _("The store at {where} is locked by another acctctl process; try again.").format(
            where=where
        )
    )


def store_exists(where: str) -> StoreExistsError:
    return StoreExistsError(
        _("A store already exists at {where}.").format(where=where),
        hint=_("Pass --force to replace it."),
    )


def no_contract(number: str) -> NotFoundError:
    return NotFoundError(
        _("No contract {number} in this account.").format(number=number), code="unknown-contract"
    )


def no_subscription(id: str) -> NotFoundError:
    return NotFoundError(
        _("No subscription {id} in this account.").format(id=id), code="unknown-subscription"
    )


def no_change(id: str) -> NotFoundError:
    return NotFoundError(_("No change {id} in this account.").format(id=id), code="unknown-change")


def no_partner(csn: str) -> NotFoundError:
    return NotFoundError(
        _("No partner {csn} in this account.").format(csn=csn), code="unknown-partner"
    )


def partner_list(partners: Iterable[str]) -> tuple[str, ...]:
    """The partners a contract or subscription is given: at least one, each once."""
    value = tuple(dict.fromkeys(partners))
    if not value:
        raise ValueError("a contract or subscription holds at least one partner")
    return value


def own_terms_only(subscription: Subscription) -> None:
    """Only a new-buying-model subscription holds its own partners and renewal."""
    if subscription.contract is not None:
        raise ValueError(
            f"subscription {subscription.id} belongs to contract {subscription.contract}, "
            "which holds its terms"
        )


def check_own_terms(reader: StoreReader, id: str) -> None:
    """The subscription ``id`` exists and holds its own partners and renewal."""
    subscription = reader.subscription(id)
    if subscription is None:
        raise no_subscription(id)
    own_terms_only(subscription)


class NewChangeFacts:
    """What the rules of a new change look up in the store: whether its id is taken,
    its holder (for a subscription, the contract it belongs to: ``""`` for none), its
    partner and user, and the holder's pending change. A back end with a database reads
    them in one query (``sqlite_writes``); the others ask their reader. (A plain class:
    a dataclass compiles code at import, which start-up avoids.)"""

    __slots__ = (
        "contract_found",
        "id_taken",
        "partner_found",
        "pending",
        "subscription_contract",
        "user_found",
    )

    def __init__(
        self,
        *,
        id_taken: bool,
        contract_found: bool,
        subscription_contract: str | None,  # None: no such subscription; "": own terms
        partner_found: bool,
        user_found: bool,
        pending: str | None,  # the id of the holder's pending change
    ) -> None:
        self.id_taken = id_taken
        self.contract_found = contract_found
        self.subscription_contract = subscription_contract
        self.partner_found = partner_found
        self.user_found = user_found
        self.pending = pending


def check_new_change(reader: StoreReader, change: Change) -> None:
    """A change keeps the document's own rules (SPEC §7), so a store never holds what
    its export could not import again. Breaking one is a programming error."""
    sub_id = change.subscription if change.contract is None else None
    subscription = None if sub_id is None else reader.subscription(sub_id)
    pending = reader.pending_change(change.holder) if change.status == "pending" else None
    facts = NewChangeFacts(
        id_taken=reader.change(change.id) is not None,
        contract_found=change.contract is not None and reader.contract(change.contract) is not None,
        subscription_contract=None if subscription is None else (subscription.contract or ""),
        partner_found=reader.partner(change.to) is not None,
        user_found=reader.user(change.by) is not None,
        pending=None if pending is None else pending.id,
    )
    check_new_change_facts(change, facts)


def check_new_change_facts(change: Change, facts: NewChangeFacts) -> None:
    """``check_new_change`` on the facts read for it, in the same transaction."""
    if facts.id_taken:
        raise ValueError(f"change {change.id} exists already")
    if (change.contract is None) == (change.subscription is None):
        raise ValueError(f"change {change.id} must name exactly one of contract or subscription")
    if change.contract is not None:
        if not facts.contract_found:
            raise no_contract(change.contract)
    elif facts.subscription_contract is None:
        raise no_subscription(change.holder)
    elif facts.subscription_contract:
        raise ValueError(
            f"subscription {change.holder} belongs to contract {facts.subscription_contract}, "
            "which holds its terms"
        )
    if not facts.partner_found:
        raise no_partner(change.to)
    if not facts.user_found:
        raise ValueError(f"change {change.id}: {change.by} is not a user of the account")
    if utc(change.effective_at) < utc(change.submitted_at):
        raise ValueError(f"change {change.id} takes effect before it was submitted")
    if change.status == "pending" and facts.pending not in (None, change.id):
        raise ValueError(f"{change.holder} already has pending change {facts.pending}")


def check_status_change(change: Change, status: ChangeStatus) -> None:
    """History is append-only: only a pending change moves, to applied or cancelled."""
    if status == "pending" or change.status != "pending":
        raise ValueError(
            f"change {change.id} is {change.status}: only a pending change becomes "
            "applied or cancelled"
        )


def change_to_move(reader: StoreReader, id: str, status: ChangeStatus) -> Change:
    """The change ``id``, which must exist and be pending to become ``status``."""
    change = reader.change(id)
    if change is None:
        raise no_change(id)
    check_status_change(change, status)
    return change


def change_order(change: Change) -> tuple[datetime, str]:
    return (utc(change.submitted_at), change.id)


# --- the view ----------------------------------------------------------------------------
