"""How domain values look to a person: table rows, detail cards, partner cards.

Shared by the commands (`acctctl subs …`) and the wizard's screens, so both show
the same thing. Rich is loaded only by output.py when something is drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from acctctl.i18n import N_, _, format_date, format_datetime, format_number
from acctctl.output import card, inert, out


def subscription_rows(views: Iterable[object]) -> Iterator[list[str]]:
    from acctctl.service import SubscriptionView

    for view in views:
        assert isinstance(view, SubscriptionView)
        sub = view.subscription
        pending = ""
        if view.pending is not None:
            pending = _("→ {name} from {when}").format(
                name=view.name(view.pending.to), when=format_datetime(view.pending.effective_at)
            )
        yield [
            sub.id,
            sub.contract or _("subscription ID"),
            sub.product,
            format_number(sub.seats),
            format_date(view.terms.term_end),
            format_number(view.days_left),
            _("on") if view.terms.auto_renew else _("off"),
            ", ".join(view.name(c) for c in view.terms.partners),
            pending,
            _("yes") if view.eligible else ", ".join(r.code for r in view.reasons),
        ]


SUBSCRIPTION_HEADERS = (
    N_("ID"),
    N_("Contract"),
    N_("Product"),
    N_("Seats"),
    N_("Term end"),
    N_("Days left"),
    N_("Auto-renew"),
    N_("Partners"),
    N_("Pending change"),
    N_("Can change partner"),
)


def headers() -> list[str]:
    return [_(h) for h in SUBSCRIPTION_HEADERS]


def render_detail(detail: object) -> None:
    from acctctl.service import SubscriptionDetail

    assert isinstance(detail, SubscriptionDetail)
    view = detail.view
    sub = view.subscription
    terms = view.terms
    fields: list[tuple[str, object]] = [
        (_("Product"), sub.product),
        (_("Seats"), format_number(sub.seats)),
        (_("Plan"), f"{sub.plan} — {detail.support_level}"),
        (_("Contract"), sub.contract or _("none (subscription ID, new buying model)")),
    ]
    if terms.agreement is not None:
        fields.append((_("Agreement"), terms.agreement))
    fields += [
        (_("Contract manager"), terms.manager),
        (
            _("Term end"),
            (
                _("{date} ({days} days left)")
                if view.days_left >= 0
                else _("{date} (ended {days} days ago)")
            ).format(date=format_date(terms.term_end), days=format_number(abs(view.days_left))),
        ),
        (_("Auto-renew"), _("on") if terms.auto_renew else _("off")),
        (_("Partners"), ", ".join(f"{view.name(c)} ({c})" for c in terms.partners)),
    ]
    if view.pending is not None:
        fields.append(
            (
                _("Pending change"),
                _("{id}: → {name} ({csn}), shown from {when}").format(
                    id=view.pending.id,
                    name=view.name(view.pending.to),
                    csn=view.pending.to,
                    when=format_datetime(view.pending.effective_at),
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
            _("yes") if view.eligible else _("no"),
        )
    )
    card(_("Subscription {id}").format(id=sub.id), fields)
    for reason in view.reasons:
        out(f"  ✗ {reason.code}: {inert(reason.message)}")
    if view.eligible and detail.multiple_partners:
        out(
            "  ! "
            + _(
                "This contract has several partners: a change replaces all of them "
                "(--replace-all); to change only one, contact support."
            )
        )


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
