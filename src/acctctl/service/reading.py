"""What every read of the account's subscriptions needs, apart from the views: the
account's partner names and acting user (``Account``), and the JSON of the terms a
subscription shows (``terms_json``). `subs list --json` builds no view (service.listing,
listing_json): it does not import service.views and its classes at each start."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from acctctl.ids import is_csn
from acctctl.service.context import Context, _iso, find_user

if TYPE_CHECKING:
    from acctctl.domain import Change, Terms, User
    from acctctl.store.base import StoreReader


class Account:
    """What reading subscriptions needs once: partners' names, the acting user."""

    def __init__(self, reader: StoreReader, ctx: Context) -> None:
        self.reader = reader
        self.ctx = ctx
        self.names = {p.csn: p.name for p in reader.partners()}
        self.actor_user: User | None = find_user(reader, ctx.actor)
        self.today = ctx.today


def terms_json(
    terms: Terms,
    days_left: int,
    pending: Change | None,
    names: dict[str, str],
    missing: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The keys of ``SubscriptionView.to_json`` from ``manager`` to ``pending_change``:
    what every subscription of a contract shows alike (``listing_json`` encodes it once)."""
    pending_json = None
    if pending is not None:
        pending_json = {
            "id": pending.id,
            "to": {"csn": pending.to, "name": names.get(pending.to, pending.to)},
            "effective_at": _iso(pending.effective_at),
        }
    return {
        "manager": None if "contract-manager" in missing else terms.manager,
        "term_end": terms.term_end.isoformat(),
        "days_left": days_left,
        "auto_renew": None if "auto-renew" in missing else terms.auto_renew,
        "agreement": terms.agreement,
        "partners": [
            {"csn": c if is_csn(c) else None, "name": names.get(c, c)} for c in terms.partners
        ],
        "pending_change": pending_json,
    }
