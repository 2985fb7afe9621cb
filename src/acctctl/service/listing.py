"""Billing and Orders › Subscriptions and Contracts, streamed: each subscription as a
row of its own fields beside what its holder (its contract, or itself under the new
buying model) shows alike — terms and pending change in effect, days left, the rules'
reasons — worked out once per holder.

The rules (``rules.eligibility``) decide, as everywhere. Which rules fail never depends
on the subscription (``rules.Facts``), but two reasons name it (``auto-renew``'s
command, ``new-buying-model``): for a contract they are worked out once with a
placeholder id in the subscription's place, and the placeholder is replaced by each
subscription's id — after checking, with a second placeholder, that the id is only
inserted where the placeholder was (a test compares both on every case of the rule
table, in English and French). ``subs list --json`` encodes these rows
(``listing_json.row_lines``); every other listing builds a ``SubscriptionView`` of
each row (``Holder.view``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from acctctl.candidates import candidates
from acctctl.domain import Change, Subscription, Terms
from acctctl.ids import is_id
from acctctl.rules import NAMING_THE_SUBSCRIPTION, Facts, Reason, eligibility
from acctctl.service.context import Context, _effective
from acctctl.service.reading import Account

if TYPE_CHECKING:
    from acctctl.service.views import SubscriptionView

PLACEHOLDER = "x0placeholder0x"
"""Stands for the subscription's id in a contract's reasons: an id (``ids.is_id``) that
no account holds, nothing a shell quotes or JSON escapes."""
_SECOND = "y1placeholder1y"
_REMEMBERED = 4096
"""Contracts a listing remembers at once: memory does not grow with the account (a
contract's subscriptions usually have neighbouring ids, so it is nearly always found)."""


class SharedReasons:
    """``eligibility`` of the subscriptions of one holder, decided once from ``facts``
    (their ``subscription`` aside: see the module's docstring).

    ``shared``: the reasons every one of them has, ``PLACEHOLDER`` standing for the
    subscription's id where a reason names it (``named``); None when they could not be
    written that way, and each subscription is then decided on its own."""

    __slots__ = ("eligible", "facts", "named", "shared")

    def __init__(self, facts: Facts, *, own: bool = False) -> None:
        """``own``: ``facts`` are a new-model subscription's, its own holder (they name it)."""
        if not own and facts.subscription != PLACEHOLDER:
            facts = replace(facts, subscription=PLACEHOLDER)
        self.facts = facts
        reasons = eligibility(facts)
        self.eligible = not reasons  # whatever the subscription (rules.Facts)
        self.named = not own and any(
            r.code in NAMING_THE_SUBSCRIPTION or PLACEHOLDER in r.message for r in reasons
        )
        self.shared: tuple[Reason, ...] | None = tuple(reasons)
        if self.named and not _placeholder_holds(facts, reasons):
            self.shared = None

    def of(self, sub_id: str) -> tuple[Reason, ...]:
        """The reasons of subscription ``sub_id``, as ``eligibility`` gives them."""
        shared = self.shared
        if shared is None or (self.named and not is_id(sub_id)):
            return tuple(eligibility(replace(self.facts, subscription=sub_id)))
        if not self.named:
            return shared
        return tuple(Reason(r.code, r.message.replace(PLACEHOLDER, sub_id)) for r in shared)


def _placeholder_holds(facts: Facts, reasons: list[Reason]) -> bool:
    """Whether the subscription's id goes only where ``PLACEHOLDER`` is in ``reasons``:
    the same reasons with another placeholder split at it into the same pieces. Text
    that looks like either placeholder elsewhere (a partner's name, say) splits one of
    them into more pieces than the other."""
    other = eligibility(replace(facts, subscription=_SECOND))
    if [r.code for r in other] != [r.code for r in reasons]:
        return False
    return all(
        first.message.split(PLACEHOLDER) == second.message.split(_SECOND)
        for first, second in zip(reasons, other, strict=True)
    )


class Holder:
    """What the subscriptions of one holder show alike: the terms and pending change in
    effect now, days left, partners' names and their reasons (``SharedReasons``).
    ``own``: the new-model subscription that is its own holder."""

    __slots__ = ("days_left", "names", "own", "pending", "reasons", "terms")

    def __init__(
        self, account: Account, terms: Terms, pending: Change | None, own: Subscription | None
    ) -> None:
        terms, pending = _effective(terms, pending, account.ctx.now)
        self.terms = terms
        self.pending = pending
        self.names = account.names
        self.own = own
        self.days_left = (terms.term_end - account.today).days
        facts = Facts(
            today=account.today,
            subscription=own.id if own is not None else PLACEHOLDER,
            terms=terms,
            actor=account.ctx.actor,
            actor_user=account.actor_user,
            pending=pending,
            pending_partner_name=account.names.get(pending.to) if pending else None,
        )
        self.reasons = SharedReasons(facts, own=own is not None)

    def view(self, row: tuple[str, str, int, str, object]) -> SubscriptionView:
        """The ``SubscriptionView`` of the holder's subscription ``row``."""
        from acctctl.service.views import SubscriptionView  # not for `subs list --json`

        sub_id, product, seats, plan = row[:4]
        sub = self.own
        if sub is None:
            sub = Subscription(sub_id, product, seats, plan, self.terms.contract)  # type: ignore[arg-type]
        return SubscriptionView(
            sub, self.terms, self.days_left, self.pending, self.names, self.reasons.of(sub_id)
        )


ListedRow = tuple[str, str, int, str, Holder]
"""``(id, product, seats, plan, holder)``: one subscription of a listing."""


def listing_rows(ctx: Context, *, eligible_only: bool = False) -> Iterator[ListedRow]:
    """Every subscription, in id order, with its holder (see the module's docstring).

    With ``eligible_only`` the store selects the candidates (``candidates.candidates``) and
    the rules decide on each of them, as on every other subscription."""
    with ctx.store.read() as reader:
        account = Account(reader, ctx)
        selection = None
        if eligible_only:
            selection = candidates(ctx.today, ctx.now, ctx.actor, account.actor_user)
            if selection is None:
                return
        pending = reader.pending_changes()
        # contract number → its terms as read and its holder, in a bounded memory.
        holders: dict[str, tuple[Terms, Holder]] = {}
        last: object = None  # the last row's source, and its holder
        holder: Holder | None = None
        for row in reader.listing_rows(selection):
            source = row[4]
            if source is last and holder is not None:
                pass  # the same contract as the row before: nearly every row
            elif isinstance(source, Terms):
                number = source.contract or ""
                known = holders.get(number)
                if known is None or (known[0] is not source and known[0] != source):
                    if len(holders) >= _REMEMBERED:
                        holders.clear()
                    holder = Holder(account, source, pending.get(number), None)
                    holders[number] = (source, holder)
                else:
                    holder = known[1]
            else:
                holder = Holder(account, Terms.of(source, None), pending.get(source.id), source)
            last = source
            if eligible_only and not holder.reasons.eligible:
                continue
            yield row[0], row[1], row[2], row[3], holder


def list_subscriptions(ctx: Context, *, eligible_only: bool = False) -> Iterator[SubscriptionView]:
    """The listing as ``SubscriptionView`` values, streamed in id order."""
    for row in listing_rows(ctx, eligible_only=eligible_only):
        yield row[4].view(row)
