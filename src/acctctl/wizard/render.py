"""Drawing the wizard's screens on standard output (a terminal: the wizard runs only there).

Names from the account go through ``inert`` and Rich ``Text`` (markup off), so a
partner called ``[red]x`` or holding an escape sequence prints as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from acctctl import presentation
from acctctl.domain import User
from acctctl.i18n import _, ngettext
from acctctl.output import console, err, inert, is_terminal, table
from acctctl.rules import Reason
from acctctl.service import SubscriptionView
from acctctl.steps import step


def _mark(text: str) -> str:
    """Marks a string for the catalog (tools/i18n.py) without translating it at import."""
    return text


PRODUCT_WIDTH = 28

MONTHS = (
    _mark("Jan"),
    _mark("Feb"),
    _mark("Mar"),
    _mark("Apr"),
    _mark("May"),
    _mark("Jun"),
    _mark("Jul"),
    _mark("Aug"),
    _mark("Sep"),
    _mark("Oct"),
    _mark("Nov"),
    _mark("Dec"),
)
ROLES = {
    "primary_admin": _mark("primary admin"),
    "secondary_admin": _mark("secondary admin"),
    "user": _mark("user"),
}

# Fitting the ten columns of Subscriptions and Contracts into 120 columns: ids and dates
# whole, names wrapped, and room for the longest reason code ("new-buying-model").
_WHOLE = {"ID", "Term end"}
_MIN_WIDTH = {"Product": 14, "Partners": 14, "Can change partner": 16}
_MAX_WIDTH = {"Product": 22, "Partners": 22, "Contract": 12}


def heading(number: int) -> None:
    from rich.text import Text

    screen = console()
    screen.print()
    screen.rule(Text(step(number).heading(), style="bold"), align="left")


def say(text: str, style: str = "") -> None:
    from rich.text import Text

    console().print(Text(inert(text), style=style))


def show_reasons(reasons: Sequence[Reason], subject: str) -> None:
    """Rejections are errors: standard error, one line per rule, with its sentence."""
    for reason in reasons:
        err(f"  ✗ {inert(subject)}: {reason.code}: {inert(reason.message)}")


def short_date(day: date) -> str:
    """ "20 Nov", as the vendor's e-mail is remembered."""
    return _("{day} {month}").format(day=day.day, month=_(MONTHS[day.month - 1]))


def delay(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("{n} hour", "{n} hours", hours).format(n=hours)
    return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)


def partners_text(csns: Sequence[str], names: dict[str, str]) -> str:
    return ", ".join(f"{names.get(csn, csn)} ({csn})" for csn in csns)


def subscriptions_table(views: Sequence[SubscriptionView]) -> None:
    """Billing and Orders › Subscriptions and Contracts, as `acctctl subs list` prints it,
    fitted to the screen: ids and dates kept whole, columns empty for every row left out."""
    headers = presentation.headers()
    rows = list(presentation.subscription_rows(views))
    if not is_terminal(console().file):
        table(headers, rows)
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    kept = [i for i in range(len(headers)) if any(row[i] for row in rows)] or [0]
    grid = Table(
        title=_("Subscriptions and Contracts"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
    )
    for i in kept:
        name = presentation.SUBSCRIPTION_HEADERS[i]
        grid.add_column(
            headers[i],
            no_wrap=name in _WHOLE,
            min_width=_MIN_WIDTH.get(name),
            max_width=_MAX_WIDTH.get(name),
            overflow="fold",
        )
    for row in rows:
        grid.add_row(*(Text(inert(row[i])) for i in kept))
    console().print(grid)


def moved_table(moved: Sequence[Any]) -> None:
    """The subscriptions a change moves (all those of the contract)."""
    say(
        ngettext(
            "This change moves {n} subscription:",
            "This change moves all {n} subscriptions of the contract:",
            len(moved),
        ).format(n=len(moved))
    )
    table(
        [_("Subscription"), _("Product"), _("Seats"), _("Plan")],
        ([s.id, s.product, str(s.seats), s.plan] for s in moved),
    )


def user_label(user: User) -> str:
    return _("{name} <{email}> — {role}").format(
        name=user.name, email=user.email, role=_(ROLES[user.role])
    )


def only_auto_renew(view: SubscriptionView) -> bool:
    """Blocked by automatic renewal alone: turning it off (step 4) makes it eligible."""
    return [r.code for r in view.reasons] == ["auto-renew"]


def holder_text(view: SubscriptionView) -> str:
    number = view.subscription.contract
    return _("contract {number}").format(number=number) if number else _("subscription ID")


def seats_text(seats: int) -> str:
    return ngettext("{n} seat", "{n} seats", seats).format(n=seats)


def subscription_label(view: SubscriptionView, width: int = PRODUCT_WIDTH) -> str:
    """One line of the step-3 list, in columns, short enough that a reason still fits on
    120 columns."""
    sub = view.subscription
    product = sub.product if len(sub.product) <= width else sub.product[: width - 1] + "…"
    label = f"{sub.id}  {product.ljust(width)}  {seats_text(sub.seats).rjust(9)}  "
    label += holder_text(view)
    if only_auto_renew(view):
        label += "  " + _("(auto-renew on: turn it off at step 4)")
    return label


def describe(view: SubscriptionView) -> str:
    """The subscription in a sentence, for the screens after step 3."""
    sub = view.subscription
    return _("{id} — {product}, {seats}, {holder}").format(
        id=sub.id, product=sub.product, seats=seats_text(sub.seats), holder=holder_text(view)
    )
