"""What a card (`subs show`, `partner lookup`, `config show`) prints in a pipe.

At a terminal a card is drawn for a person, in their language (``output.card``). In a
pipe it follows the tables' contract (SPEC §8, documented in docs/cli.md): a
tab-separated header line of English column names, then one line per record — ISO
dates, UTC times, rule codes, ``yes``/``on``/``off`` — the same whatever ``--lang``,
``LANG`` or ``TZ`` say, so a script reads `subs show` as it reads `subs list`. The
rules' sentences are for people (and ``--json``): a pipe gets their codes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from acctctl.output import is_terminal
from acctctl.tables import Column, write_plain

if TYPE_CHECKING:
    from acctctl.domain import Partner
    from acctctl.service import SubscriptionDetail, SubscriptionView

R = TypeVar("R")


def piped() -> bool:
    """Standard output is not a terminal: cards are written for scripts."""
    return not is_terminal(sys.stdout)


def _column(name: str, plain: Callable[[R], str]) -> Column[R]:
    return Column(name, name, plain, plain)


def write(columns: Sequence[Column[R]], records: Sequence[R]) -> None:
    write_plain(columns, records, sys.stdout)


def subscription(detail: SubscriptionDetail, now: datetime) -> None:
    """`subs show ID`: the columns of `subs list`, then what only the card shows."""
    from acctctl.presentation import subscription_columns

    def of_detail(column: Column[SubscriptionView]) -> Column[SubscriptionDetail]:
        return _column(column.name, lambda d: column.plain(d.view))

    columns = [of_detail(c) for c in subscription_columns(now) if c.shown != "terminal"]
    columns += [
        _column("Plan", lambda d: "" if "plan" in d.view.missing else d.view.subscription.plan),
        _column("Agreement", lambda d: d.view.terms.agreement or ""),
        _column(
            "Manager",
            lambda d: "" if "contract-manager" in d.view.missing else d.view.terms.manager,
        ),
        _column("Same contract", lambda d: ",".join(s.id for s in d.siblings)),
        # `--from` an export: the facts it lacks, which a person checks in the portal
        _column("Unknown", lambda d: ",".join(u.fact for u in d.view.unknown)),
    ]
    write(columns, [detail])


def contract(views: Sequence[SubscriptionView]) -> None:
    """`subs show CONTRACT_NUMBER`: the contract's terms and its subscriptions' ids."""
    from acctctl.presentation import pending_plain

    first = views[0]
    terms = first.terms

    def can_change(view: SubscriptionView) -> str:
        return "yes" if view.eligible else ",".join(r.code for r in view.reasons)

    columns: list[Column[SubscriptionView]] = [
        _column("Contract", lambda v: terms.contract or ""),
        _column("Agreement", lambda v: terms.agreement or ""),
        _column("Manager", lambda v: terms.manager),
        _column("Term end", lambda v: terms.term_end.isoformat()),
        _column("Days left", lambda v: str(v.days_left)),
        _column("Auto-renew", lambda v: "on" if terms.auto_renew else "off"),
        _column("Partners", lambda v: ", ".join(v.name(c) for c in terms.partners)),
        _column("Pending change", pending_plain),
        _column("Can change partner", can_change),
        _column("Subscriptions", lambda v: ",".join(s.subscription.id for s in views)),
    ]
    write(columns, [first])


def partner(found: Partner) -> None:
    """`partner lookup CSN`."""
    columns: list[Column[Partner]] = [
        _column("CSN", lambda p: p.csn),
        _column("Name", lambda p: p.name),
        _column("City", lambda p: p.city),
        _column("Country", lambda p: p.country),
        _column("Email", lambda p: p.email),
        _column("Active", lambda p: "yes" if p.active else "no"),
    ]
    write(columns, [found])


def settings(values: Sequence[tuple[str, object, str]]) -> None:
    """`config show`: one line per setting, its value and where it comes from."""
    columns: list[Column[tuple[str, object, str]]] = [
        _column("Key", lambda s: s[0]),
        _column("Value", lambda s: "" if s[1] is None else str(s[1])),
        _column("Source", lambda s: s[2]),
    ]
    write(columns, values)
