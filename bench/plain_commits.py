"""The floor for a bulk `partner change`: one committed SQLite transaction per id.

    python bench/plain_commits.py STORE.db < ids.txt > results.jsonl

For each subscription id on standard input: ``BEGIN IMMEDIATE``, read the
subscription and its contract's partners, insert one row, ``COMMIT`` (WAL, the
default ``synchronous = FULL``: one fsync per commit, as acctctl does), then print
one JSON line. No rules, no checks: what any tool must at least do to make each
change durable on its own. The rows go to a scratch table, so use a copy of a store.
"""

from __future__ import annotations

import json
import sqlite3
import sys


def main(path: str) -> int:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute(
        "CREATE TABLE IF NOT EXISTS bench_changes (subscription TEXT, holder TEXT, partners TEXT)"
    )
    for line in sys.stdin:
        sub_id = line.strip()
        if not sub_id:
            continue
        connection.execute("BEGIN IMMEDIATE")
        contract = connection.execute(
            "SELECT contract FROM subscriptions WHERE id = ?", (sub_id,)
        ).fetchone()[0]
        partners = [
            csn
            for (csn,) in connection.execute(
                "SELECT partner FROM contract_partners WHERE contract = ? ORDER BY position",
                (contract,),
            )
        ]
        connection.execute(
            "INSERT INTO bench_changes VALUES (?, ?, ?)", (sub_id, contract, ",".join(partners))
        )
        connection.execute("COMMIT")
        sys.stdout.write(json.dumps({"subscription": sub_id, "status": "submitted"}) + "\n")
        sys.stdout.flush()
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
