"""The floor for a bulk `partner change` on SQLite: committed transactions of ids.

    python bench/plain_commits.py STORE.db [--batch N] < ids.txt > results.jsonl

For each subscription id on standard input: read the subscription and its contract's
partners, insert one row, in its own savepoint; ``COMMIT`` every ``N`` ids (default 1:
one transaction per id), then print the batch's JSON lines — what acctctl's group
commit does (WAL, the default ``synchronous = FULL``: one fsync per commit). No rules,
no checks: what any tool must at least do to make each change durable before saying
so. The rows go to a scratch table, so use a copy of a store.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--batch", type=int, default=1, help="ids per transaction")
    args = parser.parse_args()
    connection = sqlite3.connect(args.store, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute(
        "CREATE TABLE IF NOT EXISTS bench_changes (subscription TEXT, holder TEXT, partners TEXT)"
    )
    done: list[str] = []

    def commit() -> None:
        connection.execute("COMMIT")
        for sub_id in done:
            sys.stdout.write(json.dumps({"subscription": sub_id, "status": "submitted"}) + "\n")
        sys.stdout.flush()
        done.clear()

    for line in sys.stdin:
        sub_id = line.strip()
        if not sub_id:
            continue
        if not done:
            connection.execute("BEGIN IMMEDIATE")
        connection.execute("SAVEPOINT one")
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
        connection.execute("RELEASE one")
        done.append(sub_id)
        if len(done) >= args.batch:
            commit()
    if done:
        commit()
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
