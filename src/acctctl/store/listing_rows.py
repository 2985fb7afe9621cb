"""A listing's rows: each subscription's own fields and where its terms come from.

``subs list`` reads every subscription of the account; building a ``Subscription``
per row (a frozen dataclass: nine attribute sets) costs more than reading the row. So
a listing row is a plain tuple, ``(id, product, seats, plan, source)``, ``source``
being its contract's ``Terms`` — one object for consecutive rows of a contract — or,
under the new buying model, the ``Subscription`` itself (it holds its own terms).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from acctctl.domain import Contract, Subscription, Terms

ListingRow = tuple[str, str, int, str, Terms | Subscription]
"""``(id, product, seats, plan, source)``: see the module's docstring."""


def rows_of(listing: Iterable[tuple[Subscription, Contract | None]]) -> Iterator[ListingRow]:
    """The rows of ``StoreReader.listing`` pairs, for back ends that read whole objects."""
    contract: Contract | None = None
    terms: Terms | None = None
    for subscription, held in listing:
        if held is None:
            source: Terms | Subscription = subscription
        else:
            if held is not contract or terms is None:
                contract, terms = held, Terms.of_contract(held)
            source = terms
        yield (subscription.id, subscription.product, subscription.seats, subscription.plan, source)
