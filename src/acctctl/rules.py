"""Eligibility rules (SPEC §3): pure functions, facts in, reasons out.

Every front end asks this module; every rejection carries a stable code and a
sentence saying why and what to do. All failing rules are reported.
"""

from __future__ import annotations

from datetime import date, timedelta

from acctctl.domain import Change, Partner, Terms, User
from acctctl.errors import ExitCode
from acctctl.hints import confirming
from acctctl.i18n import _, format_date, format_datetime, format_number, ngettext, pgettext
from acctctl.ids import shown_identity
from acctctl.values import Frozen, set_field, value  # dataclasses compiled once (values.py)

EXPIRY_WINDOW_DAYS = 90

EXIT_CODES: dict[str, ExitCode] = {
    "not-contract-manager": ExitCode.NOT_ALLOWED,
    "unknown-user": ExitCode.NOT_ALLOWED,
    "new-buying-model": ExitCode.REJECTED,
    "auto-renew": ExitCode.REJECTED,
    "token-flex": ExitCode.REJECTED,
    "expired": ExitCode.REJECTED,
    "expiring-soon": ExitCode.REJECTED,
    "change-pending": ExitCode.REJECTED,
    "partner-inactive": ExitCode.REJECTED,
    "multiple-partners": ExitCode.REJECTED,
}
CODES = tuple(EXIT_CODES)
NAMING_THE_SUBSCRIPTION = frozenset({"new-buying-model", "auto-renew"})
"""The codes whose message names the subscription itself. Every other reason reads the
same for every subscription of a contract, so a listing works them out once per contract
(a test holds every rule to it)."""


@value
class Reason(Frozen):
    """A rule that blocks a change: its stable code and the sentence saying why and what to do."""

    code: str
    message: str

    def __init__(self, code: str, message: str) -> None:
        set_field(self, "code", code)
        set_field(self, "message", message)

    @property
    def exit_code(self) -> ExitCode:
        return EXIT_CODES[self.code]

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


# Facts a source may not give (the vendor's export, issue 15). A rule that needs one is
# not decided: `undecided` names the fact and what to check in the portal, never a guess.
UNKNOWABLE = ("contract-manager", "auto-renew", "token-flex")


@value
class Unknown(Frozen):
    """A fact a rule needs that the source does not give, and where to check it."""

    fact: str
    message: str

    def __init__(self, fact: str, message: str) -> None:
        set_field(self, "fact", fact)
        set_field(self, "message", message)

    def to_json(self) -> dict[str, str]:
        return {"fact": self.fact, "message": self.message}


@value
class Facts(Frozen):
    """Everything the rules look at for one subscription.

    ``actor`` is the acting identity's email (None: nobody signed in, so the
    authorization rules are not asked); ``actor_user`` is that user, if the account
    knows them. ``new_partner`` and ``replace_all`` are None while nothing has been
    asked yet (a listing): the rules about the request itself are then skipped.

    Which rules fail never depends on ``subscription``: it only names the subscription
    in messages. A listing relies on it to decide once per contract (service.listing).

    ``unknown`` holds the facts (from ``UNKNOWABLE``) the source does not give: the rules
    that need them are left to ``undecided`` instead of deciding on a placeholder value.
    ``in_portal``: the facts come from the portal (its export), so a fix is done there,
    not with an acctctl command on the store.
    """

    today: date
    subscription: str
    terms: Terms
    actor: str | None = None
    actor_user: User | None = None
    pending: Change | None = None
    pending_partner_name: str | None = None
    new_partner: Partner | None = None
    replace_all: bool | None = None
    unknown: frozenset[str] = frozenset()
    in_portal: bool = False

    def __init__(
        self,
        today: date,
        subscription: str,
        terms: Terms,
        actor: str | None = None,
        actor_user: User | None = None,
        pending: Change | None = None,
        pending_partner_name: str | None = None,
        new_partner: Partner | None = None,
        replace_all: bool | None = None,
        unknown: frozenset[str] = frozenset(),
        in_portal: bool = False,
    ) -> None:
        set_field(self, "today", today)
        set_field(self, "subscription", subscription)
        set_field(self, "terms", terms)
        set_field(self, "actor", actor)
        set_field(self, "actor_user", actor_user)
        set_field(self, "pending", pending)
        set_field(self, "pending_partner_name", pending_partner_name)
        set_field(self, "new_partner", new_partner)
        set_field(self, "replace_all", replace_all)
        set_field(self, "unknown", unknown)
        set_field(self, "in_portal", in_portal)


def days_left(term_end: date, today: date) -> int:
    return (term_end - today).days


def last_day_to_change(term_end: date) -> date:
    """The last day the partner can change (SPEC §8): the day before the contract has
    90 days left, so that `expiring-soon` (0 <= days left <= 90) does not yet apply."""
    return term_end - timedelta(days=EXPIRY_WINDOW_DAYS + 1)


def may_manage(terms: Terms, user: User | None) -> bool:
    """The contract manager and the account's primary admin may change a contract."""
    return user is not None and (user.email == terms.manager or user.role == "primary_admin")


def authorization(
    actor: str | None,
    user: User | None,
    terms: Terms,
    holder: str,
    *,
    auto_renew: bool | None = None,
) -> Reason | None:
    """The one authorization rule: may ``actor`` (the account's ``user``, None when the
    account does not know them) change ``terms``, named ``holder`` in the sentence?
    None when they may. Every front end and every write asks this function.
    ``auto_renew``: the refusal names that action (turn automatic renewal on/off)
    rather than the change of reseller."""
    if actor is None:
        return None
    if user is None:
        return unknown_user(actor)
    if not may_manage(terms, user):
        if auto_renew is None:
            message = _(
                "Only the contract manager ({manager}) or the account's primary admin may "
                "update reseller information for {holder}: ask them to make the change."
            )
        elif auto_renew:
            message = _(
                "Only the contract manager ({manager}) or the account's primary admin may "
                "turn automatic renewal on for {holder}: ask them to make the change."
            )
        else:
            message = _(
                "Only the contract manager ({manager}) or the account's primary admin may "
                "turn automatic renewal off for {holder}: ask them to make the change."
            )
        return Reason("not-contract-manager", message.format(manager=terms.manager, holder=holder))
    return None


def unknown_user(actor: str) -> Reason:
    return Reason(
        "unknown-user",
        _("{email} is not a user of this account: act as one of its users (--as EMAIL).").format(
            email=shown_identity(actor)
        ),
    )


def _holder(facts: Facts) -> str:
    return holder_label(facts.terms, facts.subscription)


def holder_label(terms: Terms, subscription: str) -> str:
    """ "contract N", or "subscription ID" for the new buying model (it holds its own terms)."""
    if terms.contract is not None:
        return pgettext("reason", "contract {number}").format(number=terms.contract)
    return pgettext("reason", "subscription {id}").format(id=subscription)


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def eligibility(facts: Facts) -> list[Reason]:
    """Every rule that blocks a partner change, in the order of SPEC §3."""
    refused = (
        authorization(facts.actor, facts.actor_user, facts.terms, _holder(facts))
        if facts.actor is not None and "contract-manager" not in facts.unknown
        else None
    )
    reasons = [refused] if refused is not None else []
    terms = facts.terms
    # No `holder = _holder(facts)` up front: most subscriptions of a listing pass every
    # rule, and naming the holder costs a translation lookup that only a reason needs.
    if terms.contract is None:
        reasons.append(
            Reason(
                "new-buying-model",
                _(
                    "Subscription {id} was bought under the new buying model (subscription ID): "
                    "its partner can only change during a financial transaction (renewal, added "
                    "seats, term switch); ask the new partner to handle it then."
                ).format(id=facts.subscription),
            )
        )
    if terms.auto_renew and "auto-renew" not in facts.unknown:
        if facts.in_portal:
            message = _(
                "Automatic renewal is on for {holder}: turn it off first in the portal "
                "(Billing and Orders › Subscriptions and Contracts, the contract's details)."
            ).format(holder=_holder(facts))
        else:
            message = _(
                "Automatic renewal is on for {holder}: turn it off first (`{command}`)."
            ).format(
                holder=_holder(facts),
                command=confirming("subs", "auto-renew", facts.subscription, "--off"),
            )
        reasons.append(Reason("auto-renew", message))
    if terms.agreement == "eba-token-flex" and "token-flex" not in facts.unknown:
        reasons.append(
            Reason(
                "token-flex",
                _(
                    "{holder} is an Enterprise Business Agreement using Token Flex: its partner "
                    "cannot be changed here; contact support."
                ).format(holder=_upper_first(_holder(facts))),
            )
        )
    left = days_left(terms.term_end, facts.today)
    if left < 0:
        reasons.append(
            Reason(
                "expired",
                _(
                    "{holder} expired on {date}: it can no longer change partner; renew it "
                    "with the new partner instead."
                ).format(holder=_upper_first(_holder(facts)), date=format_date(terms.term_end)),
            )
        )
    elif left <= EXPIRY_WINDOW_DAYS:
        reasons.append(
            Reason(
                "expiring-soon",
                ngettext(
                    "{holder} expires on {date}, within 90 days ({days} day left): change the "
                    "partner at renewal instead.",
                    "{holder} expires on {date}, within 90 days ({days} days left): change the "
                    "partner at renewal instead.",
                    left,
                ).format(
                    holder=_upper_first(_holder(facts)),
                    date=format_date(terms.term_end),
                    days=left,
                ),
            )
        )
    pending = facts.pending
    if pending is not None and (facts.new_partner is None or pending.to != facts.new_partner.csn):
        reasons.append(
            Reason(
                "change-pending",
                _(
                    "A change to {partner} is already pending on {holder} (change {change}, "
                    "effective {when}): wait for it, or withdraw it with `{command}`."
                ).format(
                    partner=facts.pending_partner_name or pending.to,
                    holder=_holder(facts),
                    change=pending.id,
                    command=confirming("partner", "cancel", pending.id),
                    when=format_datetime(pending.effective_at),
                ),
            )
        )
    partner = facts.new_partner
    if partner is not None and not partner.active:
        reasons.append(
            Reason(
                "partner-inactive",
                _(
                    "{name} ({csn}) is not an active partner: ask the partner for the account "
                    "number of an active partner."
                ).format(name=partner.name, csn=partner.csn),
            )
        )
    if facts.replace_all is False and len(terms.partners) > 1:
        reasons.append(
            Reason(
                "multiple-partners",
                ngettext(
                    "{holder} has {count} partner and this update replaces it: "
                    "confirm with --replace-all.",
                    "{holder} has {count} partners and this update replaces all of them: "
                    "confirm with --replace-all, or contact support to change only one.",
                    len(terms.partners),
                ).format(
                    holder=_upper_first(_holder(facts)), count=format_number(len(terms.partners))
                ),
            )
        )
    return reasons


def undecided(facts: Facts) -> list[Unknown]:
    """The rules ``eligibility`` could not decide, each with what to check in the portal.

    A subscription no known rule blocks but with an undecided one reads "check": it may
    be changeable, and the portal is where to find out.
    """
    unknown: list[Unknown] = []
    if facts.actor is not None and "contract-manager" in facts.unknown:
        unknown.append(
            Unknown(
                "contract-manager",
                _(
                    "Whether {email} may update reseller information for {holder}: unknown — "
                    "check its contract manager in the portal (only the contract manager or "
                    "the primary admin may)."
                ).format(email=facts.actor, holder=_holder(facts)),
            )
        )
    if "auto-renew" in facts.unknown:
        unknown.append(
            Unknown(
                "auto-renew",
                _(
                    "Automatic renewal of {holder}: unknown — check it in the portal "
                    "(Billing and Orders › Subscriptions and Contracts); it must be off."
                ).format(holder=_holder(facts)),
            )
        )
    if "token-flex" in facts.unknown and facts.terms.contract is not None:
        unknown.append(
            Unknown(
                "token-flex",
                _(
                    "Whether {holder} is an Enterprise Business Agreement using Token Flex: "
                    "unknown — check its agreement in the portal."
                ).format(holder=_holder(facts)),
            )
        )
    return unknown


def is_unchanged(terms: Terms, pending: Change | None, csn: str) -> bool:
    """Asking for the partner the contract already has, or the one already pending."""
    if pending is not None:
        return pending.to == csn
    return terms.partners == (csn,)
