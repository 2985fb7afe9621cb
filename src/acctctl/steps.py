"""The vendor's eight documented steps, once, as data.

The wizard titles its screens from this table and the scripted path prints its
``Step N/8`` progress lines from it, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from acctctl.i18n import _, ngettext

TOTAL = 8


@dataclass(frozen=True, slots=True)
class Step:
    """One documented step: its number, its title, and what it collects or shows
    (``needs``), by which the flow runner finds the step's handler."""

    number: int
    title: str
    needs: str

    def heading(self) -> str:
        return _("Step {n}/{total} — {title}").format(
            n=self.number, total=TOTAL, title=_(self.title)
        )


def _mark(text: str) -> str:
    """Marks a string for translation without translating it at import time."""
    return text


STEPS: tuple[Step, ...] = (
    Step(1, _mark("Get the new partner's account number (CSN)"), "csn"),
    Step(2, _mark("Sign in: Billing and Orders › Subscriptions and Contracts"), "user"),
    Step(3, _mark("Select a subscription"), "subscription"),
    Step(4, _mark("Actions › Update reseller information"), "action"),
    Step(5, _mark("Enter the partner's account number and Find"), "partner"),
    Step(6, _mark("Check the partner and click Next"), "confirmation"),
    Step(7, _mark("Review the new information and Submit"), "submission"),
    Step(8, _mark("Done"), "change"),
)


BY_NEED = {s.needs: s for s in STEPS}


def step(needs: str) -> Step:
    """The step that collects or shows ``needs`` (``"csn"``, ``"partner"``…)."""
    return BY_NEED[needs]


def after(current: Step) -> Step | None:
    return STEPS[current.number] if current.number < TOTAL else None


def before(current: Step) -> Step:
    return STEPS[current.number - 2] if current.number > 1 else current


def shown_within(propagation: timedelta) -> str:
    """Step 8's promise: when the contract details show the change. The vendor says "at
    least one hour"; a store set to a shorter delay (``propagation_minutes``) says its own."""
    minutes = int(propagation.total_seconds() // 60)
    if minutes >= 60:
        return _("can take at least one hour")
    return ngettext("can take {n} minute", "can take {n} minutes", minutes).format(n=minutes)
