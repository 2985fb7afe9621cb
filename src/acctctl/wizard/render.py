"""Drawing the wizard's screens on standard output (a terminal: the wizard runs only there).

Names from the account go through ``inert`` and Rich ``Text`` (markup off), so a
partner called ``[red]x`` or holding an escape sequence prints as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from acctctl import presentation
from acctctl.domain import Subscription, User
from acctctl.i18n import _, format_number, ngettext
from acctctl.output import console, err, inert, table
from acctctl.rules import Reason
from acctctl.service import SubscriptionView
from acctctl.steps import Step
from acctctl.tables import Column


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


def heading(at: Step) -> None:
    """The step's title on a rule; a title wider than the screen (the vendor's French
    ones are long) is printed whole, wrapped, above the rule rather than cut."""
    from rich.cells import cell_len
    from rich.text import Text

    screen = console()
    screen.print()
    title = at.heading()
    if cell_len(title) + 2 > screen.width:
        screen.print(Text(title, style="bold"))
        screen.rule()
    else:
        screen.rule(Text(title, style="bold"), align="left")


def say(text: str, style: str = "", indent: str = "") -> None:
    """A line of the screen, wrapped at words: a command in backticks, an id or a glued
    time is never split (``indent``: how much further the lines after the first go)."""
    from rich.text import Text

    from acctctl.output import fit_message, is_terminal
    from acctctl.terminal_text import terminal_width, unglue

    screen = console()
    text = inert(text)  # before wrapping: the line breaks wrapping adds are real ones
    if is_terminal(screen.file):
        text = fit_message(text, terminal_width(screen.file), indent=indent)
    screen.print(Text(unglue(text), style=style), soft_wrap=True)


def show_reasons(reasons: Sequence[Reason], subject: str) -> None:
    """Rejections are errors: standard error, one line per rule, with its sentence."""
    for reason in reasons:
        reason_line = _("{heading}: {detail}").format(
            heading=presentation.reason_label(reason.code), detail=inert(reason.message)
        )
        err("  ✗ " + _("{heading}: {detail}").format(heading=inert(subject), detail=reason_line))


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


def subscriptions_table(views: Sequence[SubscriptionView], now: datetime | None = None) -> None:
    """Billing and Orders › Subscriptions and Contracts, as `acctctl subs list` prints it,
    fitted to the screen (``presentation.subscription_columns``)."""
    from acctctl.clock import now as clock_now

    table(
        presentation.subscription_columns(now or clock_now()),
        views,
        title=_("Subscriptions and Contracts"),
        empty=_("This account has no subscriptions."),
        human=True,
    )


def moved_table(moved: Sequence[Subscription]) -> None:
    """The subscriptions a change moves (all those of the contract)."""
    say(
        ngettext(
            "This change moves {n} subscription:",
            "This change moves all {n} subscriptions of the contract:",
            len(moved),
        ).format(n=format_number(len(moved)))
    )
    columns: list[Column[Subscription]] = [
        Column("Subscription", _("Subscription"), lambda s: s.id, lambda s: s.id, whole=True),
        Column("Product", _("Product"), lambda s: s.product, lambda s: s.product),
        Column(
            "Seats",
            _("Seats"),
            lambda s: format_number(s.seats),
            lambda s: str(s.seats),
            whole=True,
            keep=20,
            justify="right",
        ),
        Column(
            "Plan",
            _("Plan"),
            lambda s: _(presentation.PLANS.get(s.plan, s.plan)),
            lambda s: s.plan,
            whole=True,
            keep=10,
        ),
    ]
    table(columns, moved, human=True)


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
    """One line of the step-3 list at its widest (see ``subscription_choices``)."""
    return subscription_choices([view], room=10_000, product_width=width)[0][0]


def blocked_text(view: SubscriptionView) -> str | None:
    """Why a subscription's partner cannot change now, in words (the codes are for
    scripts); None when Actions can make it change (eligible, pending, auto-renew)."""
    if view.eligible or only_auto_renew(view) or view.pending is not None:
        return None
    return presentation.reason_labels(view.reasons)


def subscription_choices(
    views: Sequence[SubscriptionView],
    *,
    room: int | None = None,
    product_width: int = PRODUCT_WIDTH,
) -> list[tuple[str, str | None]]:
    """The step-3 list: ``(label, why it is disabled)`` per subscription, in columns that
    fit the terminal with the reason questionary adds — ids and contract numbers whole;
    the word "contract", then the seats left out and the product shortened, when narrow."""
    from acctctl.terminal_text import cell_width, terminal_width

    room = (terminal_width() - 6) if room is None else room  # questionary's " »  - "
    why = {v.subscription.id: blocked_text(v) for v in views}

    def noted(brevity: int) -> tuple[dict[str, str], int]:
        notes = {v.subscription.id: _note(v, brevity) for v in views}
        width = max(
            [
                cell_width(notes[v.subscription.id])
                + (cell_width(why[v.subscription.id] or "") + 3 if why[v.subscription.id] else 0)
                for v in views
            ],
            default=0,
        )
        return notes, width

    brevity = 0
    notes, note_width = noted(brevity)
    id_width = max((len(v.subscription.id) for v in views), default=0)
    longest = max((cell_width(v.subscription.product) for v in views), default=0)
    seats, long_holder = True, True

    def holder_width() -> int:
        return max(
            (cell_width(holder_text(v) if long_holder else _short_holder(v)) for v in views),
            default=0,
        )

    def fixed() -> int:
        return id_width + 2 + (11 if seats else 0) + 2 + holder_width() + 2 + note_width

    # What gives way first on a narrow screen: the word "contract", the seats, then the
    # pending note (its partner's name, then its time) — never an id or a date cut.
    for step_down in ("holder", "seats", "note", "note"):
        if room - fixed() >= min(longest, 12):
            break
        if step_down == "holder":
            long_holder = False
        elif step_down == "seats":
            seats = False
        else:
            brevity += 1
            notes, note_width = noted(brevity)
    width = max(min(product_width, longest, room - fixed()), 8)
    holders = holder_width()
    choices: list[tuple[str, str | None]] = []
    for view in views:
        sub = view.subscription
        product = (
            sub.product if cell_width(sub.product) <= width else sub.product[: width - 1] + "…"
        )
        label = f"{sub.id.ljust(id_width)}  {product.ljust(width)}  "
        if seats:
            label += f"{seats_text(sub.seats).rjust(9)}  "
        label += holder_text(view) if long_holder else _short_holder(view).ljust(holders)
        if notes[sub.id]:
            label += "  " + notes[sub.id]
        choices.append((label, why[sub.id]))
    return choices


def _note(view: SubscriptionView, brevity: int = 0) -> str:
    """What the step-3 row says besides its columns: the pending change (partner and time:
    Actions offers to withdraw it), or automatic renewal (Actions offers to turn it off).
    ``brevity`` 1 leaves the partner's name out, 2 the time too (Actions shows both)."""
    if view.pending is not None:
        from acctctl.local_time import local_time

        # Not glued: an option's title goes to questionary as it is.
        if brevity >= 2:
            return _("(change pending)")
        when = local_time(view.pending.effective_at)
        if brevity == 1:
            return _("(pending from {when})").format(when=when)
        return _("(pending: {name} from {when})").format(name=view.name(view.pending.to), when=when)
    if only_auto_renew(view):
        return f"({presentation.reason_label('auto-renew')})"
    return ""


def _short_holder(view: SubscriptionView) -> str:
    """The contract number alone; nothing for the new buying model (its reason, "new buying
    model", says it)."""
    return view.subscription.contract or ""


def describe(view: SubscriptionView) -> str:
    """The subscription in a sentence, for the screens after step 3."""
    sub = view.subscription
    return _("{id} — {product}, {seats}, {holder}").format(
        id=sub.id, product=sub.product, seats=seats_text(sub.seats), holder=holder_text(view)
    )
