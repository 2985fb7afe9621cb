"""``subs list`` on SQLite: every subscription as a ``ListingRow``, in one streamed query.

A subscription's contract and its partners come in the same row (the partners joined
by a correlated sub-select into one string), so the rows map one to one onto
subscriptions with no grouping in Python; the contract's ``Terms`` are built only
when the contract changes from one row to the next. New-buying-model subscriptions' own
partners are read by a second cursor walked alongside, in the same id order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date

from acctctl.domain import Subscription, Terms
from acctctl.store.listing_rows import ListingRow

_SEPARATOR = "\x1f"  # between the CSNs of a contract's partners (digits: ids.is_csn)
_ROWS = (
    "SELECT s.id, s.product, s.seats, s.plan, s.contract,"
    " c.manager, c.term_end, c.auto_renew, c.agreement,"
    " (SELECT group_concat(partner, char(31)) FROM (SELECT partner FROM contract_partners"
    "  WHERE contract = s.contract ORDER BY position)),"
    " s.manager, s.term_end, s.auto_renew"
    " FROM subscriptions AS s LEFT JOIN contracts AS c ON c.number = s.contract"
    " ORDER BY s.id"
)
_HELD = "SELECT subscription, partner FROM subscription_partners ORDER BY subscription, position"


def listing_rows(db: sqlite3.Connection) -> Iterator[ListingRow]:
    """Every subscription, ordered by id: ``StoreReader.listing_rows()``."""
    own = db.execute(_HELD)
    held = next(own, None)
    terms: Terms | None = None
    for row in db.execute(_ROWS):
        id_, product, seats, plan, number, manager, term_end, auto_renew, agreement = row[:9]
        if number is not None:
            if terms is None or terms.contract != number:
                # One read transaction: a contract number names the same contract throughout.
                partners = row[9]
                terms = Terms(
                    number,
                    manager,
                    date.fromisoformat(term_end),
                    bool(auto_renew),
                    agreement,
                    tuple(partners.split(_SEPARATOR)) if partners else (),
                )
            yield id_, product, seats, plan, terms
            continue
        while held is not None and held[0] < id_:  # ids are ASCII: both orders agree
            held = next(own, None)
        collected = []
        while held is not None and held[0] == id_:
            collected.append(held[1])
            held = next(own, None)
        _p, manager, term_end, auto_renew = row[9:]
        yield (
            id_,
            product,
            seats,
            plan,
            Subscription(
                id_,
                product,
                seats,
                plan,
                None,
                manager=manager,
                term_end=None if term_end is None else date.fromisoformat(term_end),
                auto_renew=None if auto_renew is None else bool(auto_renew),
                partners=tuple(collected),
            ),
        )
