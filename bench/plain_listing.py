"""The floor for `subs list --json`: the same bytes, written by hand for this one job.

    python bench/plain_listing.py STORE.db ACTOR NOW > rows.json

is byte for byte ``acctctl --store STORE.db subs list --json`` run as ACTOR (given by
``--as`` or ``ACCTCTL_USER``: the hints repeat ``--store`` and ``--as``) with
``ACCTCTL_NOW=NOW`` in English. One streaming query joins each subscription with its
terms (its contract's or its own), partners and pending change; the rules of SPEC §3
are written inline for a listing, and each row is one ``dict`` encoded by one reused
``json.JSONEncoder`` (``ensure_ascii=False``, then the control and bidi characters JSON
lets through escaped, as acctctl does). No domain objects, no translations, no caches:
what an expert would write to produce the same output — `bench/run` checks the two
outputs are the same (``cmp``) before timing them.
"""

from __future__ import annotations

import json
import re
import shlex
import sqlite3
import sys
from datetime import UTC, date, datetime

_ROWS = """
SELECT s.id, s.product, s.seats, s.plan, s.contract,
       coalesce(c.manager, s.manager), coalesce(c.term_end, s.term_end),
       coalesce(c.auto_renew, s.auto_renew), c.agreement,
       CASE WHEN s.contract IS NULL
            THEN (SELECT group_concat(partner) FROM (SELECT partner FROM subscription_partners
                  WHERE subscription = s.id ORDER BY position))
            ELSE (SELECT group_concat(partner) FROM (SELECT partner FROM contract_partners
                  WHERE contract = s.contract ORDER BY position))
       END,
       x.id, x.to_partner, x.effective_at
FROM subscriptions AS s LEFT JOIN contracts AS c ON c.number = s.contract
LEFT JOIN changes AS x ON x.holder = coalesce(s.contract, s.id) AND x.status = 'pending'
ORDER BY s.id
"""
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
# What JSON lets through raw that a terminal would act on: DEL, C1 controls, bidi marks.
_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


_NEW_MODEL = (
    "Subscription {id} was bought under the new buying model (subscription ID): its partner"
    " can only change during a financial transaction (renewal, added seats, term switch);"
    " ask the new partner to handle it then."
)


def main(path: str, actor: str, now_text: str) -> int:
    now = datetime.fromisoformat(now_text.replace("Z", "+00:00")).astimezone(UTC)
    today = now.date()
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    names = dict(db.execute("SELECT csn, name FROM partners"))
    role = db.execute("SELECT role FROM users WHERE email = ?", (actor,)).fetchone()
    if role is None:
        raise SystemExit("the floor is written for a user of the account")
    primary = role[0] == "primary_admin"
    again = " " + shlex.join(["--store", path, "--as", actor])  # what a pasted hint repeats
    write = sys.stdout.write
    first = True
    for row in db.execute(_ROWS):
        sub_id, product, seats, plan, contract, manager, term_end, auto_renew = row[:8]
        agreement, partners, change_id, change_to, effective_text = row[8:]
        csns = partners.split(",") if partners else []
        pending = None
        if change_id is not None:
            effective = datetime.fromisoformat(effective_text)
            if effective <= now:  # in effect: the contract shows the new partner
                csns = [change_to]
            else:
                pending = (change_id, change_to, effective)
        end = date.fromisoformat(term_end)
        left = (end - today).days
        holder = f"contract {contract}" if contract else f"subscription {sub_id}"
        title = holder[0].upper() + holder[1:]
        reasons = []
        if not primary and manager != actor:
            reasons.append(
                {
                    "code": "not-contract-manager",
                    "message": f"Only the contract manager ({manager}) or the account's primary"
                    f" admin may update reseller information for {holder}: ask them to make"
                    " the change.",
                }
            )
        if contract is None:
            reasons.append({"code": "new-buying-model", "message": _NEW_MODEL.format(id=sub_id)})
        if auto_renew:
            reasons.append(
                {
                    "code": "auto-renew",
                    "message": f"Automatic renewal is on for {holder}: turn it off first"
                    f" (`acctctl subs auto-renew {sub_id} --off{again}`).",
                }
            )
        if agreement == "eba-token-flex":
            reasons.append(
                {
                    "code": "token-flex",
                    "message": f"{title} is an Enterprise Business Agreement using Token Flex:"
                    " its partner cannot be changed here; contact support.",
                }
            )
        if left < 0:
            reasons.append(
                {
                    "code": "expired",
                    "message": f"{title} expired on {term_end}: it can no longer change partner;"
                    " renew it with the new partner instead.",
                }
            )
        elif left <= 90:
            reasons.append(
                {
                    "code": "expiring-soon",
                    "message": f"{title} expires on {term_end}, within 90 days ({left}"
                    f" day{'' if left == 1 else 's'} left): change the partner at renewal"
                    " instead.",
                }
            )
        pending_json = None
        if pending is not None:
            change_id, change_to, effective = pending
            when = effective.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            reasons.append(
                {
                    "code": "change-pending",
                    "message": f"A change to {names.get(change_to, change_to)} is already pending"
                    f" on {holder} (change {change_id}, effective {when}): wait for it, or"
                    f" withdraw it with `acctctl partner cancel {change_id}{again}`.",
                }
            )
            pending_json = {
                "id": change_id,
                "to": {"csn": change_to, "name": names.get(change_to, change_to)},
                "effective_at": effective.isoformat(),
            }
        item = {
            "id": sub_id,
            "product": product,
            "seats": seats,
            "plan": plan,
            "contract": contract,
            "manager": manager,
            "term_end": term_end,
            "days_left": left,
            "auto_renew": bool(auto_renew),
            "agreement": agreement,
            "partners": [{"csn": c, "name": names.get(c, c)} for c in csns],
            "pending_change": pending_json,
            "eligible": not reasons,
            "reasons": reasons,
            "unknown": [],
        }
        line = _ENCODE(item)
        if not line.isascii() or "\x7f" in line:
            line = _UNSAFE.sub(_escaped, line)
        write(("[\n  " if first else ",\n  ") + line)
        first = False
    write("[]\n" if first else "\n]\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
