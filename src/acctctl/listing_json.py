"""`subs list --json`: each subscription's JSON, the part its contract shares encoded once.

A listing's row is the subscription's own fields (id, product, seats, plan) followed
by what every subscription of its contract shows alike: the terms in effect, days
left, partners, pending change — and, when they pass every rule, ``"eligible": true,
"reasons": [], "unknown": []``. That shared part is encoded once per contract (the views of one
contract hold the same ``terms`` and ``pending`` objects) instead of once per row,
which is most of a listing's encoding. The text is exactly ``output.json_text`` of
``SubscriptionView.to_json()``: a test compares both on every kind of row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from acctctl.output import json_text, safe_json

if TYPE_CHECKING:
    from acctctl.service.views import SubscriptionView

_PASSING_TAIL = ', "eligible": true, "reasons": [], "unknown": []}'
_REMEMBERED = 4096


def _shared(view: SubscriptionView) -> str:
    """``"contract": … "pending_change": …`` of ``to_json()``, without its braces."""
    data: dict[str, Any] = view.to_json()
    shared = {key: data[key] for key in _SHARED_KEYS}
    return json_text(shared)[1:-1]


_SHARED_KEYS = (
    "contract",
    "manager",
    "term_end",
    "days_left",
    "auto_renew",
    "agreement",
    "partners",
    "pending_change",
)


def subscription_lines(views: Iterable[SubscriptionView]) -> Iterator[str]:
    """One compact JSON object per view, as ``json_text(view.to_json())`` gives it."""
    # contract number → (terms, pending, shared text), and the last reasons encoded: the
    # objects are compared by identity, so a view is never given another's text.
    known: dict[str, tuple[object, object, str]] = {}
    last_reasons: tuple[object, str] = ((), _PASSING_TAIL)
    for view in views:
        sub = view.subscription
        if view.missing or view.unknown:
            # From the vendor's export: unknown facts are null, eligibility may be too.
            yield json_text(view.to_json())
            continue
        holder = view.terms.contract
        entry = known.get(holder) if holder is not None else None
        if entry is None or entry[0] is not view.terms or entry[1] is not view.pending:
            entry = (view.terms, view.pending, _shared(view))
            if holder is not None:
                if len(known) >= _REMEMBERED:
                    known.clear()
                known[holder] = entry
        reasons = view.reasons
        if reasons is not last_reasons[0] and reasons:
            tail = json_text([reason.to_json() for reason in reasons])
            last_reasons = (
                reasons,
                ', "eligible": false, "reasons": ' + tail + ', "unknown": []}',
            )
        # Every part but the subscription's own is made safe already (json_text).
        yield _LINE % (
            safe_json(encode_basestring(sub.id)),
            safe_json(encode_basestring(sub.product)),
            int.__repr__(sub.seats),
            safe_json(encode_basestring(sub.plan)),
            entry[2],
            last_reasons[1] if reasons else _PASSING_TAIL,
        )


_LINE = '{"id": %s, "product": %s, "seats": %s, "plan": %s, %s%s'
