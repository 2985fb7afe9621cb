"""The floor for a bulk `partner change` on PostgreSQL: the store's own write function.

    python bench/plain_pg_submits.py URL CSN [--batch 100] [--as EMAIL] [--now …] < ids

For each subscription id on standard input, ``acctctl_submit_change`` — the database
function every acctctl write goes through (it locks, checks the identity, the rules
and the time, and records the change and its history) — in its own savepoint, ``N``
ids per transaction, in pipeline mode; a batch's JSON lines printed after its COMMIT.
No decision on the client: what any tool writing to this store must at least pay.
Use a copy of a store: it is changed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timedelta

import psycopg

_SUBMIT = "SELECT o_id FROM acctctl_submit_change(%s, %s, true, %s, %s, %s)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("csn")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--as", dest="actor", default=os.environ.get("ACCTCTL_USER"))
    parser.add_argument("--now", default=os.environ.get("ACCTCTL_NOW"))
    args = parser.parse_args()
    now = datetime.fromisoformat(args.now.replace("Z", "+00:00")) if args.now else None
    ids = [line.strip() for line in sys.stdin if line.strip()]
    db = psycopg.connect(args.url, autocommit=True)
    for start in range(0, len(ids), args.batch):
        batch = ids[start : start + args.batch]
        with db.pipeline():
            db.execute("BEGIN")
            sent = []
            for sub_id in batch:
                db.execute("SAVEPOINT one")
                sent.append(
                    db.execute(_SUBMIT, (sub_id, args.csn, timedelta(hours=1), args.actor, now))
                )
                db.execute("RELEASE SAVEPOINT one")
            db.execute("COMMIT")
        for sub_id, cursor in zip(batch, sent, strict=True):
            row = cursor.fetchone()
            line = {"subscription": sub_id, "status": "submitted", "change": row and row[0]}
            sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
