"""The floor of `acctctl subs list --eligible --ids`: the eligibility rules as one SQL query.

    python bench/plain_eligible.py STORE [--as EMAIL] [--now 2026-11-26T12:00:00Z]
    python bench/plain_eligible.py postgresql://… [--as EMAIL] [--now …]

The rules of SPEC §3 that a listing asks (no new partner, no --replace-all yet), written
straight over the SQLite store's tables: the acting user must be the account's (else
nothing is eligible) and manage the contract unless primary admin; the subscription
belongs to a contract (not the new buying model) whose automatic renewal is off, which
is not Token Flex, whose term ends more than 90 days after today, and with no change
pending past ``now`` (one whose time has come has moved the contract already). The ids
are printed one per line in id order, as acctctl prints them; `bench/figures.py` checks
the two outputs are equal before timing them. A PostgreSQL store (its URL) is asked the
same query over its own tables, through psycopg.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from datetime import datetime, timedelta

_ELIGIBLE = """
SELECT s.id FROM subscriptions AS s JOIN contracts AS c ON c.number = s.contract
WHERE c.auto_renew = 0 AND c.agreement <> 'eba-token-flex' AND c.term_end > :after
  AND (SELECT role FROM users WHERE email = :actor) IS NOT NULL
  AND ((SELECT role FROM users WHERE email = :actor) = 'primary_admin' OR c.manager = :actor)
  AND NOT EXISTS (SELECT 1 FROM changes AS x
                  WHERE x.holder = s.contract AND x.status = 'pending' AND x.effective_at > :now)
ORDER BY s.id
"""


_ELIGIBLE_PG = (
    _ELIGIBLE.replace("subscriptions AS", "acctctl_subscriptions AS")
    .replace("contracts AS", "acctctl_contracts AS")
    .replace("FROM users", "FROM acctctl_users")
    .replace("changes AS", "acctctl_changes AS")
    .replace("c.auto_renew = 0", "NOT c.auto_renew")
    .replace(":after", "%(after)s")
    .replace(":actor", "%(actor)s")
    .replace(":now", "%(now)s")
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--as", dest="actor", default=os.environ.get("ACCTCTL_USER"))
    parser.add_argument("--now", default=os.environ.get("ACCTCTL_NOW"))
    args = parser.parse_args()
    now = datetime.fromisoformat(args.now.replace("Z", "+00:00"))
    params = {
        "after": (now.date() + timedelta(days=90)).isoformat(),
        "actor": args.actor,
        "now": now.isoformat(),
    }
    if args.store.startswith(("postgresql:", "postgres:")):
        import psycopg

        db = psycopg.connect(args.store)
        cursor = db.cursor("eligible")  # server side: fetched a few thousand rows at a time
        cursor.itersize = 5000
        rows = cursor.execute(_ELIGIBLE_PG, params)
    else:
        rows = sqlite3.connect(f"file:{args.store}?mode=ro", uri=True).execute(_ELIGIBLE, params)
    write = sys.stdout.write
    for (id_,) in rows:
        write(id_ + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
