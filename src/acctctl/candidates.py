"""The eligibility rules where the rows are: what a listing of the eligible subscriptions
must look at, written so a store can select it in SQL (``rules.eligibility`` still decides
every candidate, so the store and the rules can never disagree)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from acctctl.domain import Change, Terms, User
from acctctl.rules import EXPIRY_WINDOW_DAYS
from acctctl.values import Frozen, set_field, value


@value
class Candidates(Frozen):
    """The subscriptions a listing of the eligible ones must look at: what ``eligibility``
    rules out for any request, written so a store can select them where the rows are.

    A candidate belongs to a contract (not ``new-buying-model``) whose automatic renewal
    is off (``auto-renew``), which is not Token Flex (``token-flex``), whose term ends
    after ``term_end_after`` (``expired``, ``expiring-soon``), managed by ``manager``
    when that is set (``not-contract-manager``), with no change pending that takes
    effect after ``now`` (``change-pending``; one in effect by ``now`` has moved the
    contract already). It is a superset: every candidate still goes through
    ``eligibility``, so the store and the rules can never disagree.
    """

    term_end_after: date
    manager: str | None
    now: datetime

    def __init__(self, term_end_after: date, manager: str | None, now: datetime) -> None:
        set_field(self, "term_end_after", term_end_after)
        set_field(self, "manager", manager)
        set_field(self, "now", now)

    def admits(self, terms: Terms, pending: Change | None) -> bool:
        """The same selection in Python, for stores that hold the rows in memory."""
        return (
            terms.contract is not None
            and not terms.auto_renew
            and terms.agreement != "eba-token-flex"
            and terms.term_end > self.term_end_after
            and (self.manager is None or terms.manager == self.manager)
            and (pending is None or pending.effective_at <= self.now)
        )


def candidates(
    today: date, now: datetime, actor: str | None, actor_user: User | None
) -> Candidates | None:
    """What a store may select for a listing of eligible subscriptions; None when nothing
    can be eligible (an identity the account does not know: ``unknown-user``)."""
    if actor is not None and actor_user is None:
        return None
    manager = None
    if actor_user is not None and actor_user.role != "primary_admin":
        manager = actor_user.email  # anyone else may change only the contracts they manage
    return Candidates(today + timedelta(days=EXPIRY_WINDOW_DAYS), manager, now)
