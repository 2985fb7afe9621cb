"""How domain values look to a person: table columns, detail cards, partner cards.

Shared by the commands (`acctctl subs …`, `acctctl partner …`) and the wizard's
screens, so both show the same thing. Each table column also says what it prints
in a pipe: English names, ISO dates in UTC and rule codes, whatever the language
(SPEC §8). Rich is loaded only by output.py/tables.py when something is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, TypeVar

from acctctl import piped_cards
from acctctl.i18n import N_, _, format_date, format_number
from acctctl.local_time import days_left, local_time, moment
from acctctl.output import card, inert, out
from acctctl.tables import Column
from acctctl.terminal_text import glue

if TYPE_CHECKING:
    from acctctl.domain import Change
    from acctctl.rules import Reason
    from acctctl.service import SubscriptionView

# Why a partner cannot change, in a few words for tables and menus; the sentence
# (rules.py) says what to do, and scripts get the code.
REASON_LABELS = {
    "not-contract-manager": N_("not your contract"),
    "unknown-user": N_("unknown user"),
    "new-buying-model": N_("new buying model"),
    "auto-renew": N_("auto-renew on"),
    "token-flex": N_("Token Flex"),
    "expired": N_("expired"),
    "expiring-soon": N_("expires ≤ 90 days"),
    "change-pending": N_("change pending"),
    "partner-inactive": N_("partner inactive"),
    "multiple-partners": N_("several partners"),
}


PLANS = {"standard": N_("Standard"), "premium": N_("Premium"), "enterprise": N_("Enterprise")}
AGREEMENTS = {
    "standard": N_("Standard"),
    "eba": N_("Enterprise Business Agreement"),
    "eba-token-flex": N_("Enterprise Business Agreement (Token Flex)"),
}
"""Plan and agreement values as the portal shows them (JSON keeps the codes)."""


def reason_label(code: str) -> str:
    return _(REASON_LABELS[code]) if code in REASON_LABELS else code


def reason_labels(reasons: Iterable[Reason]) -> str:
    return ", ".join(reason_label(r.code) for r in reasons)


T = TypeVar("T")


def date_column(
    name: str, label: str, day: Callable[[T], date | None], *, keep: int | None = None
) -> Column[T]:
    """A date: as the language writes it for a person, ISO 8601 in a pipe; empty if none."""
    return Column(
        name,
        label,
        lambda r: "" if (d := day(r)) is None else format_date(d),
        lambda r: "" if (d := day(r)) is None else d.isoformat(),
        whole=True,
        keep=keep,
    )


def _moment_column(
    name: str, label: str, at: Callable[[Change], datetime], *, keep: int | None = None
) -> Column[Change]:
    """A moment: in the reader's time zone for a person, ISO 8601 UTC in a pipe."""
    return Column(
        name, label, lambda c: local_time(at(c)), lambda c: _iso(at(c)), whole=True, keep=keep
    )


def _iso(value: datetime) -> str:
    from acctctl.service.context import _iso

    return _iso(value)


def _pending_human(view: SubscriptionView, now: datetime) -> str:
    if view.pending is None:
        return ""
    return _("→ {name} from {when}").format(
        name=view.name(view.pending.to), when=glue(moment(view.pending.effective_at, now))
    )


def pending_plain(view: SubscriptionView) -> str:
    if view.pending is None:
        return ""
    return f"{view.pending.id} {view.pending.to} {_iso(view.pending.effective_at)}"


def subscription_columns(now: datetime) -> list[Column[SubscriptionView]]:
    """Billing and Orders › Subscriptions and Contracts. ``keep`` ranks what a narrow
    terminal shows: the id and whether the partner can change always."""
    return [
        Column("ID", _("ID"), lambda v: v.subscription.id, lambda v: v.subscription.id, whole=True),
        Column(
            "Contract",
            _("Contract"),
            # The new buying model's placeholder is one term: never "subscription" / "ID".
            lambda v: v.subscription.contract or glue(_("subscription ID")),
            lambda v: v.subscription.contract or "",
            keep=90,
        ),
        Column(
            "Product",
            _("Product"),
            lambda v: v.subscription.product,
            lambda v: v.subscription.product,
            keep=70,
        ),
        Column(
            "Seats",
            _("Seats"),
            lambda v: _("unknown") if "seats" in v.missing else format_number(v.subscription.seats),
            lambda v: "unknown" if "seats" in v.missing else str(v.subscription.seats),
            whole=True,
            keep=20,
            justify="right",
        ),
        date_column("Term end", _("Term end"), lambda v: v.terms.term_end, keep=80),
        Column(
            "Days left",
            _("Days left"),
            lambda v: days_left(v.days_left),
            lambda v: str(v.days_left),
            keep=40,
            min_text=8,
        ),
        Column(
            "Auto-renew",
            _("Auto-renew"),
            _auto_renew,
            lambda v: (
                "unknown" if "auto-renew" in v.missing else ("on" if v.terms.auto_renew else "off")
            ),
            whole=True,
            keep=10,
        ),
        Column(
            "Partners",
            _("Partners"),
            lambda v: ", ".join(v.name(c) for c in v.terms.partners),
            lambda v: ", ".join(v.name(c) for c in v.terms.partners),
            keep=50,
        ),
        Column(
            "Pending change",
            _("Pending change"),
            lambda v: _pending_human(v, now),
            pending_plain,
            keep=60,
        ),
        Column(
            "Can change partner",
            _("Can change partner"),
            _can_change,
            lambda v: (
                "yes"
                if v.eligible
                else ("check" if v.undecided else ",".join(r.code for r in v.reasons))
            ),
            min_text=14,  # "change pending", "auto-renew on" on one line
        ),
    ]


def _can_change(view: SubscriptionView) -> str:
    """yes; why not; or "check" when only a fact the vendor's export lacks is in doubt."""
    if view.eligible:
        return _("yes")
    if view.undecided:
        return _("check")
    return reason_labels(view.reasons)


def _auto_renew(view: SubscriptionView) -> str:
    if "auto-renew" in view.missing:
        return _("unknown")
    return _("on") if view.terms.auto_renew else _("off")


def _partner_list(csns: Sequence[str], names: dict[str, str]) -> str:
    return ", ".join(f"{names[c]} ({c})" if c in names else c for c in csns)


def change_columns(names: dict[str, str], now: datetime) -> list[Column[Change]]:
    """`acctctl partner history`: partner names beside their CSNs, local times."""
    return [
        Column("Change", _("Change"), lambda c: c.id, lambda c: c.id, whole=True),
        Column("Contract", _("Contract"), lambda c: c.holder, lambda c: c.holder, whole=True),
        # A person reads "A (CSN) → B (CSN)" in one column; a script gets From and To.
        Column(
            "Partners",
            _("Partners"),
            lambda c: _("{before} → {after}").format(
                before=_partner_list(c.from_, names), after=_partner_list([c.to], names)
            ),
            lambda c: "",
            min_text=16,
            shown="terminal",
        ),
        Column("From", _("From"), str, lambda c: ",".join(c.from_), shown="pipe"),
        Column("To", _("To"), str, lambda c: c.to, shown="pipe"),
        Column("By", _("By"), lambda c: c.by, lambda c: c.by, whole=True, keep=30),
        _moment_column("Submitted", _("Submitted"), lambda c: c.submitted_at, keep=40),
        _moment_column("Effective", _("Effective"), lambda c: c.effective_at),
        Column("Status", _("Status"), lambda c: _(c.status), lambda c: c.status, whole=True),
    ]


def render_detail(detail: object, now: datetime | None = None) -> None:
    from acctctl.clock import now as clock_now
    from acctctl.service import SubscriptionDetail

    now = now or clock_now()
    assert isinstance(detail, SubscriptionDetail)
    if piped_cards.piped():
        piped_cards.subscription(detail, now)
        return
    view = detail.view
    sub = view.subscription
    terms = view.terms
    fields: list[tuple[str, object]] = [
        (_("Product"), sub.product),
        (_("Seats"), _("unknown") if "seats" in view.missing else format_number(sub.seats)),
        (
            _("Plan"),
            detail.support_level
            if "plan" in view.missing
            else _("{plan} — {support}").format(
                plan=_(PLANS.get(sub.plan, sub.plan)), support=detail.support_level
            ),
        ),
        (_("Contract"), sub.contract or _("none (subscription ID, new buying model)")),
    ]
    if terms.agreement is not None:
        fields.append((_("Agreement"), _(AGREEMENTS.get(terms.agreement, terms.agreement))))
    fields += [
        (
            _("Contract manager"),
            _("unknown — check it in the portal")
            if "contract-manager" in view.missing
            else terms.manager,
        ),
        (
            _("Term end"),
            _("{date} ({days})").format(
                date=format_date(terms.term_end), days=days_left(view.days_left)
            ),
        ),
        (_("Auto-renew"), _auto_renew(view)),
        (_("Partners"), ", ".join(view.partner_label(c) for c in terms.partners)),
    ]
    if view.pending is not None:
        fields.append(
            (
                _("Pending change"),
                _("{id}: → {name} ({csn}), shown from {when}").format(
                    id=view.pending.id,
                    name=view.name(view.pending.to),
                    csn=view.pending.to,
                    when=glue(moment(view.pending.effective_at, now)),
                ),
            )
        )
    if detail.siblings:
        fields.append(
            (
                _("Same contract"),
                ", ".join(f"{s.id} ({s.product}, {s.seats})" for s in detail.siblings),
            )
        )
    fields.append(
        (
            _("Can change partner"),
            _("yes")
            if view.eligible
            else (
                _("check")
                if view.undecided
                else _("no: {why}").format(why=reason_labels(view.reasons))
            ),
        )
    )
    card(_("Subscription {id}").format(id=sub.id), fields)
    for reason in view.reasons:
        line = _("{heading}: {detail}").format(
            heading=reason_label(reason.code), detail=inert(reason.message)
        )
        out("  ✗ " + line)
    for unknown in view.unknown:
        line = _("{heading}: {detail}").format(heading=unknown.fact, detail=inert(unknown.message))
        out("  ? " + line)
    if (view.eligible or view.undecided) and detail.multiple_partners:
        out(
            "  ! "
            + _(
                "This contract has several partners: a change replaces all of them "
                "(--replace-all); to change only one, contact support."
            )
        )


def contract_json(views: Sequence[SubscriptionView]) -> dict[str, object]:
    """`subs show CONTRACT_NUMBER --json`: the contract's terms and its subscriptions."""
    first = views[0].to_json() if views else {}
    shared = ("contract", "manager", "term_end", "days_left", "auto_renew", "agreement")
    data: dict[str, object] = {key: first.get(key) for key in shared}
    data.update(
        partners=first.get("partners", []),
        pending_change=first.get("pending_change"),
        eligible=first.get("eligible"),
        reasons=first.get("reasons", []),
        subscriptions=[v.to_json() for v in views],
    )
    return data


def render_contract(views: Sequence[SubscriptionView], now: datetime) -> None:
    """`subs show CONTRACT_NUMBER`: the contract's card, then all its subscriptions (one
    change moves them all)."""
    from acctctl.output import table

    if piped_cards.piped():
        piped_cards.contract(views)
        return
    view = views[0]
    terms = view.terms
    fields: list[tuple[str, object]] = [
        (_("Contract manager"), terms.manager),
        (
            _("Term end"),
            _("{date} ({days})").format(
                date=format_date(terms.term_end), days=days_left(view.days_left)
            ),
        ),
        (_("Auto-renew"), _("on") if terms.auto_renew else _("off")),
        (_("Partners"), _partner_list(terms.partners, view.partner_names)),
    ]
    if terms.agreement is not None:
        fields.insert(0, (_("Agreement"), terms.agreement))
    if view.pending is not None:
        fields.append((_("Pending change"), _pending_human(view, now)))
    fields.append(
        (
            _("Can change partner"),
            _("yes") if view.eligible else _("no: {why}").format(why=reason_labels(view.reasons)),
        )
    )
    card(_("Contract {number}").format(number=terms.contract), fields)
    for reason in view.reasons:
        line = _("{heading}: {detail}").format(
            heading=reason_label(reason.code), detail=inert(reason.message)
        )
        out("  ✗ " + line)
    shown = {"ID", "Product", "Seats"}
    table([c for c in subscription_columns(now) if c.name in shown], views)


def partner_fields(partner: object) -> list[tuple[str, object]]:
    from acctctl.domain import Partner

    assert isinstance(partner, Partner)
    return [
        (_("Name"), partner.name),
        (_("Account number (CSN)"), partner.csn),
        (_("City"), partner.city),
        (_("Country"), partner.country),
        (_("Email"), partner.email),
        (_("Active"), _("yes") if partner.active else _("no — cannot receive contracts")),
    ]
