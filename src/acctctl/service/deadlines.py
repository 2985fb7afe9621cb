"""Until when each contract's partner can change, and what must happen first.

Built from the same views as `subs list` (from the store or the vendor's export), so the
rules decide once: a deadline is the contract's last day before the 90-day window
(`rules.last_day_to_change`), and "what must happen first" is every rule that blocks
the change today but can be dealt with before then (automatic renewal, a pending
change…), plus every fact the export lacks. New-buying-model subscriptions have no
deadline: their partner changes at a financial transaction, not with this procedure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from acctctl.i18n import _
from acctctl.rules import last_day_to_change
from acctctl.service.views import SubscriptionView

# Rules that close the window for good: the contract is past its last day.
_LOCKING = ("expired", "expiring-soon")


@dataclass(frozen=True, slots=True)
class FirstStep:
    """Something that must happen before the partner can change (a rule code or an
    unknown fact) and the short sentence saying it."""

    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(slots=True)
class Deadline:
    contract: str
    term_end: date
    last_day: date
    days_left: int  # until the last day; negative once it has passed
    subscriptions: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    first: list[FirstStep] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @property
    def locked(self) -> bool:
        return self.days_left < 0

    @property
    def locked_since(self) -> date | None:
        """The first day inside the 90-day window, once it has come."""
        return self.last_day + timedelta(days=1) if self.locked else None

    def to_json(self) -> dict[str, Any]:
        since = self.locked_since
        return {
            "contract": self.contract,
            "subscriptions": self.subscriptions,
            "products": self.products,
            "term_end": self.term_end.isoformat(),
            "last_day": self.last_day.isoformat(),
            "days_left": self.days_left,
            "locked": self.locked,
            "locked_since": since.isoformat() if since else None,
            "first": [step.to_json() for step in self.first],
            "unknown": self.unknown,
        }


def _first_steps(view: SubscriptionView) -> list[FirstStep]:
    steps: list[FirstStep] = []
    for reason in view.reasons:
        if reason.code == "auto-renew":
            steps.append(FirstStep(reason.code, _("turn automatic renewal off")))
        elif reason.code == "token-flex":
            steps.append(FirstStep(reason.code, _("contact support (Token Flex agreement)")))
        elif reason.code == "change-pending":
            steps.append(FirstStep(reason.code, _("wait for the pending change or withdraw it")))
        elif reason.code == "not-contract-manager":
            steps.append(
                FirstStep(
                    reason.code,
                    _("ask the contract manager ({manager}) to make the change").format(
                        manager=view.terms.manager
                    ),
                )
            )
        elif reason.code == "unknown-user":
            steps.append(FirstStep(reason.code, _("act as a user of the account (--as EMAIL)")))
    if len(view.terms.partners) > 1:
        steps.append(
            FirstStep(
                "multiple-partners",
                _("agree that the change replaces all its partners"),
            )
        )
    checks = {
        "auto-renew": _("check automatic renewal in the portal (it must be off)"),
        "token-flex": _("check in the portal that it is not a Token Flex agreement"),
        "contract-manager": _("check in the portal that you are its contract manager"),
    }
    steps += [FirstStep(u.fact, checks.get(u.fact, u.message)) for u in view.unknown]
    return steps


def deadlines(views: Iterable[SubscriptionView], today: date) -> list[Deadline]:
    """One deadline per contract: open ones soonest first, then the locked ones, most
    recently locked first."""
    by_contract: dict[str, Deadline] = {}
    for view in views:
        contract = view.terms.contract
        if contract is None:
            continue
        deadline = by_contract.get(contract)
        if deadline is None:
            last = last_day_to_change(view.terms.term_end)
            deadline = Deadline(contract, view.terms.term_end, last, (last - today).days)
            if not any(r.code in _LOCKING for r in view.reasons):
                deadline.first = _first_steps(view)
            deadline.unknown = [u.fact for u in view.unknown]
            by_contract[contract] = deadline
        deadline.subscriptions.append(view.subscription.id)
        if view.subscription.product and view.subscription.product not in deadline.products:
            deadline.products.append(view.subscription.product)
    found = list(by_contract.values())
    open_ = sorted((d for d in found if not d.locked), key=lambda d: (d.last_day, d.contract))
    locked = sorted((d for d in found if d.locked), key=lambda d: (-d.days_left, d.contract))
    # -days_left grows as the lock gets older: the most recently locked come first.
    return open_ + locked
