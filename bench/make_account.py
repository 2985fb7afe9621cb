"""Write a realistic account document of N subscriptions (SPEC §7), for benchmarks.

    python bench/make_account.py N [-o FILE] [--now 2026-11-26T12:00:00Z] [--seed 1]

N subscriptions, N/5 contracts, 200 partners, 20 users, a few notices, and a
change history. Every rule of SPEC §3 shows up in realistic proportions:

* 60 % of contracts are eligible (standard or EBA, auto-renew off, term end in
  4 months to 3 years), one in ten of them with two partners (``multiple-partners``);
* 15 % ``auto-renew``, 5 % ``token-flex``, 5 % ``expired``, 5 % ``expiring-soon``;
* 10 % are eligible but managed by another user (``not-contract-manager`` for
  anyone but their manager and the primary admin);
* 1 % have a change pending (``change-pending``), 2 % an applied change in their history;
* one subscription in twenty belongs to no contract (``new-buying-model``);
* one partner in twenty is inactive (``partner-inactive``).

Partner ``5550000000`` is active and holds no contract: the "new partner" a bulk
change moves subscriptions to. ``claire@dupont.example`` is the primary admin.
The same N, ``--now`` and ``--seed`` always give the same document.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

PRIMARY_ADMIN = "claire@dupont.example"
NEW_PARTNER = "5550000000"
PARTNERS = 200

_FIRST = ("Claire", "Marc", "Julie", "Thomas", "Inès", "Hugo", "Léa", "Karim", "Sofia", "Paul")
_LAST = ("Dupont", "Lefèvre", "Martin", "Bernard", "Nguyen", "Moreau", "Garcia", "Rossi")
_CITIES = (
    ("Lyon", "FR"),
    ("Paris", "FR"),
    ("Marseille", "FR"),
    ("Nantes", "FR"),
    ("Grenoble", "FR"),
    ("Lille", "FR"),
    ("Bruxelles", "BE"),
    ("Genève", "CH"),
    ("Montréal", "CA"),
    ("Toulouse", "FR"),
)
_TRADES = (
    "CADpro",
    "Solutions BIM",
    "Bureau Numérique",
    "Conception",
    "Atelier 3D",
    "DAO Services",
)
_PRODUCTS = (
    ("AutoCAD", "standard"),
    ("AutoCAD LT", "standard"),
    ("Revit", "premium"),
    ("Civil 3D", "standard"),
    ("Inventor Professional", "premium"),
    ("3ds Max", "standard"),
    ("Maya", "premium"),
    ("Navisworks Manage", "enterprise"),
    ("Vault Professional", "premium"),
    ("Fusion", "standard"),
    ("Architecture, Engineering & Construction Collection", "enterprise"),
    ("Product Design & Manufacturing Collection", "enterprise"),
)


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _now(text: str | None) -> datetime:
    text = text or os.environ.get("ACCTCTL_NOW")
    if not text:
        return datetime.now(UTC).replace(microsecond=0)
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _users() -> list[dict[str, Any]]:
    users = [{"email": PRIMARY_ADMIN, "name": "Claire Dupont", "role": "primary_admin"}]
    for n in range(1, 20):
        first, last = _FIRST[n % len(_FIRST)], _LAST[n % len(_LAST)]
        role = "secondary_admin" if n <= 4 else "user"
        users.append(
            {"email": f"user{n:02d}@dupont.example", "name": f"{first} {last}", "role": role}
        )
    return users


def _partners() -> list[dict[str, Any]]:
    partners = []
    for n in range(PARTNERS):
        city, country = _CITIES[n % len(_CITIES)]
        trade = _TRADES[n % len(_TRADES)]
        partners.append(
            {
                "csn": f"55500{n:05d}",
                "name": f"{trade} {city} {n:03d}",
                "city": city,
                "country": country,
                "email": f"ventes{n:03d}@partner.example",
                "active": n == 0 or n % 20 != 0,
            }
        )
    return partners


class _Account:
    """Builds the document section by section; changes follow the contracts they name."""

    def __init__(self, size: int, now: datetime, seed: int) -> None:
        self.size = size
        self.now = now
        self.today = now.date()
        self.rng = random.Random(seed)
        self.users = _users()
        self.partners = _partners()
        self.changes: list[dict[str, Any]] = []

    def days(self, low: int, high: int) -> str:
        return (self.today + timedelta(days=self.rng.randint(low, high))).isoformat()

    def some_partner(self, *avoid: str) -> str:
        while True:
            csn = f"55500{self.rng.randrange(1, PARTNERS):05d}"
            if csn not in avoid:
                return csn

    def contract(self, index: int) -> dict[str, Any]:
        kind = index % 100
        manager = PRIMARY_ADMIN
        auto_renew = False
        agreement = "eba" if index % 7 == 0 else "standard"
        term_end = self.days(120, 1100)
        if 60 <= kind < 75:
            auto_renew = True
        elif 75 <= kind < 80:
            agreement = "eba-token-flex"
        elif 80 <= kind < 85:
            term_end = self.days(-400, -1)
        elif 85 <= kind < 90:
            term_end = self.days(0, 90)
        elif kind >= 90:
            manager = self.users[1 + index % (len(self.users) - 1)]["email"]
        partners = [self.some_partner()]
        if kind < 60 and index % 10 == 9:
            partners.append(self.some_partner(*partners))
        number = f"11{index:010d}"
        if index % 50 == 7:  # an applied change in the history: from another partner to this one
            self.add_change(number, [self.some_partner(*partners)], partners[0], days_ago=200)
        if kind == 50:  # a change pending, shown from effective_at on
            self.add_change(number, partners, self.some_partner(*partners), days_ago=0)
        return {
            "number": number,
            "manager": manager,
            "term_end": term_end,
            "auto_renew": auto_renew,
            "agreement": agreement,
            "partners": partners,
        }

    def add_change(self, number: str, before: list[str], to: str, *, days_ago: int) -> None:
        submitted = self.now - timedelta(days=days_ago, minutes=10)
        self.changes.append(
            {
                "id": f"CHG-{len(self.changes) + 1:06d}",
                "contract": number,
                "from": before,
                "to": to,
                "by": PRIMARY_ADMIN,
                "submitted_at": _moment(submitted),
                "effective_at": _moment(submitted + timedelta(hours=1)),
                "status": "pending" if days_ago == 0 else "applied",
            }
        )

    def subscription(self, number: int, contract: str | None) -> dict[str, Any]:
        product, plan = _PRODUCTS[self.rng.randrange(len(_PRODUCTS))]
        value: dict[str, Any] = {
            "id": f"72{number:09d}",
            "product": product,
            "seats": self.rng.choice((1, 1, 2, 3, 5, 10, 25, 50, 250)),
            "plan": plan,
            "contract": contract,
        }
        if contract is None:  # new buying model: its own terms
            value["manager"] = PRIMARY_ADMIN
            value["term_end"] = self.days(-30, 700)
            value["auto_renew"] = self.rng.random() < 0.5
            value["partners"] = [self.some_partner()]
        return value

    def document(self) -> dict[str, Any]:
        contracts = [self.contract(i) for i in range(max(1, self.size // 5))]
        own_terms = {n for n in range(self.size) if n % 20 == 19}
        in_contracts = self.size - len(own_terms)
        subscriptions = []
        placed = 0
        for n in range(self.size):
            if n in own_terms:
                subscriptions.append(self.subscription(n, None))
                continue
            # Contiguous blocks: each contract's subscriptions have neighbouring ids.
            contract = contracts[placed * len(contracts) // max(1, in_contracts)]["number"]
            subscriptions.append(self.subscription(n, contract))
            placed += 1
        self.changes.sort(key=lambda c: (c["submitted_at"], c["id"]))
        for n, change in enumerate(self.changes, 1):
            change["id"] = f"CHG-{n:06d}"
        notices = [
            {
                "received": (self.today - timedelta(days=6)).isoformat(),
                "partner": NEW_PARTNER,
                "subject": "Your new Autodesk partner",
            },
            {
                "received": (self.today - timedelta(days=40)).isoformat(),
                "partner": "5550000017",
                "subject": "Partner details updated",
            },
        ]
        return {
            "format": "acctctl/1",
            "account": {"csn": "5100000001", "name": "Groupe Dupont International"},
            "users": self.users,
            "partners": self.partners,
            "contracts": contracts,
            "subscriptions": subscriptions,
            "notices": notices,
            "changes": self.changes,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", type=int, metavar="N", help="number of subscriptions")
    parser.add_argument("-o", "--output", help="write here (default: standard output)")
    parser.add_argument("--now", help="ISO 8601 moment (default: $ACCTCTL_NOW, else the clock)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.size < 1:
        parser.error("N must be at least 1")
    document = _Account(args.size, _now(args.now), args.seed).document()
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    if args.output in (None, "-"):
        sys.stdout.write(text + "\n")
    else:
        with open(args.output, "w", encoding="utf-8") as stream:
            stream.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
