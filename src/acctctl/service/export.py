"""The account as the vendor's export shows it: the same views as from the store.

Mapping (issue 15): no contract number → the new buying model; an ``autorenew_date`` →
automatic renewal on; ``end_date`` → term end; the distinct resellers of a contract's
rows → its partners; ``contract_manager_email`` → its manager; "Token Flex" in the
offering or plan name → an EBA using Token Flex. What the file does not say stays
unknown (``SubscriptionView.missing``) and the rules that need it undecided.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from acctctl.domain import Agreement, Plan, Subscription, Terms, User
from acctctl.errors import NotFoundError
from acctctl.export_csv import Export, ExportRow
from acctctl.hints import command
from acctctl.i18n import _
from acctctl.rules import UNKNOWABLE, Facts, days_left, eligibility, undecided
from acctctl.service.views import SUPPORT_LEVELS, SubscriptionDetail, SubscriptionView

_TOKEN_FLEX = re.compile(r"token[\s_-]*flex", re.IGNORECASE)
_PLAN = re.compile(r"\b(standard|premium|enterprise)\b", re.IGNORECASE)


@dataclass(slots=True)
class ExportAccount:
    """The export's rows as contracts and subscriptions, with what each does not say."""

    source: str
    subscriptions: list[Subscription] = field(default_factory=list)
    terms: dict[str, Terms] = field(default_factory=dict)  # holder → terms
    missing: dict[str, frozenset[str]] = field(default_factory=dict)  # holder or id → facts
    partner_names: dict[str, str] = field(default_factory=dict)  # CSN or name → name

    def holder(self, sub: Subscription) -> str:
        return sub.contract or sub.id

    def missing_of(self, sub: Subscription) -> frozenset[str]:
        return self.missing[self.holder(sub)] | self.missing.get("sub:" + sub.id, frozenset())


_PLANS: dict[str, Plan] = {"standard": "standard", "premium": "premium", "enterprise": "enterprise"}


def _plan(row: ExportRow) -> Plan | None:
    for text in (row.plan, row.offering):
        match = _PLAN.search(text or "")
        if match:
            return _PLANS[match.group(1).lower()]
    return None


def account_of(export: Export) -> ExportAccount:
    """Group the rows by contract (or subscription, for the new buying model)."""
    account = ExportAccount(export.source)
    groups: dict[str, list[ExportRow]] = {}
    for row in export.rows:
        groups.setdefault(row.contract or row.subscription, []).append(row)
    names_token_flex = "offering_name" in export.columns or "plan" in export.columns
    for holder, rows in groups.items():
        missing: set[str] = set()
        contract = rows[0].contract
        if "autorenew_date" in export.columns:
            auto_renew = any(r.autorenew_date is not None for r in rows)
        else:
            auto_renew = False  # a placeholder the rules are told not to trust
            missing.add("auto-renew")
        manager = next((r.manager for r in rows if r.manager), None)
        if manager is None:
            missing.add("contract-manager")
        agreement: Agreement | None = None
        if contract is not None:
            if any(_TOKEN_FLEX.search(f"{r.offering or ''} {r.plan or ''}") for r in rows):
                agreement = "eba-token-flex"
            elif not names_token_flex:
                missing.add("token-flex")
        partners: list[str] = []
        for row in rows:
            key = row.reseller_csn or row.reseller
            if key is None:
                continue
            account.partner_names.setdefault(key, row.reseller or key)
            if key not in partners:
                partners.append(key)
        # Rows of one contract normally share its end date; if not, the earliest one
        # decides, so that no deadline is shown later than it really is.
        term_end = min(r.end_date for r in rows)
        account.terms[holder] = Terms(
            contract, manager or "", term_end, auto_renew, agreement, tuple(partners)
        )
        account.missing[holder] = frozenset(missing)
        for row in rows:
            plan = _plan(row)
            own: set[str] = set()
            if plan is None:
                own.add("plan")
            if row.seats is None:
                own.add("seats")
            if own:
                account.missing["sub:" + row.subscription] = frozenset(own)
            account.subscriptions.append(
                Subscription(
                    id=row.subscription,
                    product=row.offering or row.plan or "",
                    seats=row.seats or 0,
                    plan=plan or "standard",
                    contract=contract,
                    manager=manager if contract is None else None,
                    term_end=term_end if contract is None else None,
                    auto_renew=auto_renew if contract is None else None,
                    partners=tuple(partners) if contract is None else (),
                )
            )
    account.subscriptions.sort(key=lambda s: s.id)
    return account


def view_of(
    account: ExportAccount, sub: Subscription, today: date, actor: str | None
) -> SubscriptionView:
    terms = account.terms[account.holder(sub)]
    missing = account.missing_of(sub)
    unknown = set(missing) & set(UNKNOWABLE)
    actor_user = None
    if actor is not None:
        # The export names the contract manager but not the account's primary admin:
        # someone else may still be allowed, so that is unknown, not a rejection.
        if terms.manager and terms.manager.casefold() == actor.strip().casefold():
            actor_user = User(terms.manager, "", "user")
        else:
            unknown.add("contract-manager")
    facts = Facts(
        today=today,
        subscription=sub.id,
        terms=terms,
        actor=actor,
        actor_user=actor_user,
        unknown=frozenset(unknown),
        in_portal=True,
    )
    return SubscriptionView(
        sub,
        terms,
        days_left(terms.term_end, today),
        None,  # the export shows no pending change
        account.partner_names,
        tuple(eligibility(facts)),
        tuple(undecided(facts)),
        missing,
    )


def list_from_export(
    export: Export, now: datetime, actor: str | None, *, eligible_only: bool = False
) -> Iterator[SubscriptionView]:
    """Subscriptions and Contracts as the export shows them, in id order."""
    account = account_of(export)
    for sub in account.subscriptions:
        view = view_of(account, sub, now.date(), actor)
        if eligible_only and not view.eligible:
            continue
        yield view


def export_options(export: Export) -> tuple[str, ...]:
    """``--from FILE`` (and its ``--date-format``), for a command that reads it again."""
    options: tuple[str, ...] = ("--from", export.source)
    if export.date_format is not None:
        options += ("--date-format", export.date_format)
    return options


def show_from_export(
    export: Export, now: datetime, actor: str | None, sub_id: str
) -> SubscriptionDetail:
    account = account_of(export)
    sub = next((s for s in account.subscriptions if s.id == sub_id), None)
    if sub is None:
        raise NotFoundError(
            _("No subscription {id} in the export {file}.").format(id=sub_id, file=export.source),
            hint=_("`{command}` shows the subscriptions it holds.").format(
                command=command("subs", "list", *export_options(export))
            )
            if export.source != "-"  # standard input was read: it cannot be read again
            else None,
        )
    view = view_of(account, sub, now.date(), actor)
    siblings = [
        s for s in account.subscriptions if sub.contract and s.contract == sub.contract and s != sub
    ]
    support = (
        _("unknown — check the plan in the portal")
        if "plan" in view.missing
        else _(SUPPORT_LEVELS[sub.plan])
    )
    return SubscriptionDetail(view, siblings, support, len(view.terms.partners) > 1)
