"""The vendor's eight documented steps, once, as data.

The wizard titles its screens from this table and the scripted path prints its
``Step N/8`` progress lines from it, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from acctctl.i18n import _

TOTAL = 8


@dataclass(frozen=True, slots=True)
class Step:
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


def step(number: int) -> Step:
    return STEPS[number - 1]
