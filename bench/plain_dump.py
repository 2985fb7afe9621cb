"""The floor for `subs list --json`: the same rows straight from sqlite3 to JSON.

    python bench/plain_dump.py STORE.db > rows.json

One query joins each subscription with its contract's terms and partners (or its
own, for the new buying model) and writes one JSON object per row, streamed, as a
JSON array: what any program must at least do to list the account. No rules, no
pending changes, no domain objects — `bench/run` compares `subs list --json` to it.
"""

from __future__ import annotations

import json
import sqlite3
import sys

_ROWS = """
SELECT s.id, s.product, s.seats, s.plan, s.contract,
       coalesce(c.manager, s.manager), coalesce(c.term_end, s.term_end),
       coalesce(c.auto_renew, s.auto_renew), c.agreement,
       CASE WHEN s.contract IS NULL
            THEN (SELECT group_concat(partner) FROM subscription_partners WHERE subscription = s.id)
            ELSE (SELECT group_concat(partner) FROM contract_partners WHERE contract = s.contract)
       END
FROM subscriptions AS s LEFT JOIN contracts AS c ON c.number = s.contract
ORDER BY s.id
"""
_KEYS = (
    "id",
    "product",
    "seats",
    "plan",
    "contract",
    "manager",
    "term_end",
    "auto_renew",
    "agreement",
    "partners",
)


def main(path: str) -> int:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    names = dict(connection.execute("SELECT csn, name FROM partners"))
    write = sys.stdout.write
    first = True
    for row in connection.execute(_ROWS):
        item = dict(zip(_KEYS, row, strict=True))
        item["auto_renew"] = bool(item["auto_renew"])
        item["partners"] = [{"csn": c, "name": names[c]} for c in row[-1].split(",")]
        write(("[\n  " if first else ",\n  ") + json.dumps(item, ensure_ascii=False))
        first = False
    write("[]\n" if first else "\n]\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
