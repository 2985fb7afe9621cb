"""`subs list --json`: each subscription's JSON, the part its contract shares encoded once.

``row_lines`` encodes the rows of a store's listing (``service.listing``): per
contract, the shared part and the reasons (with ``listing.PLACEHOLDER`` where they
name the subscription) are encoded once, and a row is its own four fields put in
front. ``subscription_lines`` does the same from views (the vendor's export).

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

from acctctl.ids import is_id
from acctctl.output import json_text, safe_json

if TYPE_CHECKING:
    from acctctl.service.listing import Holder, ListedRow
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


def _holder_text(
    holder: Holder, partners_text: dict[tuple[str, ...], str], strings: dict[str | None, str]
) -> str:
    """``"contract": … "pending_change": …`` of the rows of ``holder``, without braces:
    ``terms_json``'s keys and values, written here key by key (a contract's partners
    once per partner list, in ``partners_text``: a dict and the encoder per contract
    were a tenth of a listing). A test compares it with the encoder's on every kind of
    row."""
    from acctctl.service.reading import terms_json

    terms = holder.terms
    partners = partners_text.get(terms.partners)
    if partners is None:
        if len(partners_text) >= _REMEMBERED:
            partners_text.clear()
        shown = terms_json(terms, 0, None, holder.names)["partners"]
        partners = partners_text[terms.partners] = json_text(shown)
    pending = "null"
    if holder.pending is not None:
        shown = terms_json(terms, holder.days_left, holder.pending, holder.names)
        pending = json_text(shown["pending_change"])
    manager = strings.get(terms.manager)
    if manager is None:
        if len(strings) >= _REMEMBERED:
            strings.clear()
        manager = strings[terms.manager] = _string(terms.manager)
    agreement = strings.get(terms.agreement)
    if agreement is None:
        agreement = strings[terms.agreement] = _string(terms.agreement)
    return _HOLDER % (
        _string(terms.contract),
        manager,
        terms.term_end.isoformat(),  # a date: digits and hyphens
        int.__repr__(holder.days_left),
        "true" if terms.auto_renew else "false",
        agreement,
        partners,
        pending,
    )


_HOLDER = (
    '"contract": %s, "manager": %s, "term_end": "%s", "days_left": %s, "auto_renew": %s,'
    ' "agreement": %s, "partners": %s, "pending_change": %s'
)


def _string(value: str | None) -> str:
    return "null" if value is None else safe_json(encode_basestring(value))


def _tail(holder: Holder) -> tuple[str, ...] | None:
    """``, "eligible": …, "unknown": []}`` of every row of ``holder``, split where the
    subscription's id goes; None when each row's must be encoded on its own."""
    from acctctl.service.listing import PLACEHOLDER

    shared = holder.reasons.shared
    if shared is None:
        return None
    if not shared:
        return (_PASSING_TAIL,)
    text = json_text([reason.to_json() for reason in shared])
    tail = ', "eligible": false, "reasons": ' + text + ', "unknown": []}'
    # The placeholder is plain (no JSON escape) and found nowhere else (Holder checks).
    return tuple(tail.split(PLACEHOLDER)) if holder.reasons.named else (tail,)


def row_lines(rows: Iterable[ListedRow]) -> Iterator[str]:
    """One compact JSON object per row, as ``json_text(holder.view(row).to_json())``."""
    # holder → what follows a row's own fields (its shared part and tail), split where
    # the subscription's id goes; None: each row encoded on its own. The holder objects
    # are kept as keys, so one is never taken for another. Bounded: emptied when full.
    known: dict[Holder, tuple[str, ...] | None] = {}
    # (product, seats, plan) → their text: few products, seat counts and plans repeat.
    own: dict[tuple[str, int, str], str] = {}
    partners_text: dict[tuple[str, ...], str] = {}  # by partner list: one listing, one names
    strings: dict[str | None, str] = {}  # managers and agreements, few and repeated
    last: Holder | None = None  # the row before's holder: most rows share it
    rest: tuple[str, ...] | None = None
    whole: str | None = None  # rest's one piece, when the id is not in it
    for row in rows:
        sub_id, product, seats, plan, holder = row
        if holder is not last:
            if holder in known:
                rest = known[holder]
            else:
                if len(known) >= _REMEMBERED:
                    known.clear()
                rest = known[holder] = _rest(holder, partners_text, strings)
            last = holder
            whole = rest[0] if rest is not None and len(rest) == 1 else None
        if whole is not None:
            suffix = whole
        elif rest is not None and is_id(sub_id):
            suffix = sub_id.join(rest)
        else:
            yield json_text(holder.view(row).to_json())
            continue
        key = (product, seats, plan)
        fields = own.get(key)
        if fields is None:
            if len(own) >= _REMEMBERED:
                own.clear()
            fields = own[key] = _OWN_FIELDS % (
                safe_json(encode_basestring(product)),
                int.__repr__(seats),
                safe_json(encode_basestring(plan)),
            )
        id_text = encode_basestring(sub_id)
        if not id_text.isascii() or "\x7f" in id_text:  # never so for a valid id
            id_text = safe_json(id_text)
        yield _ROW_LINE % (id_text, fields, suffix)


def _rest(
    holder: Holder, partners_text: dict[tuple[str, ...], str], strings: dict[str | None, str]
) -> tuple[str, ...] | None:
    """What follows a row's own fields for every row of ``holder``, split where the id goes."""
    tail = _tail(holder)
    if tail is None:
        return None
    return (_holder_text(holder, partners_text, strings) + tail[0], *tail[1:])


_OWN_FIELDS = '"product": %s, "seats": %s, "plan": %s, '
_ROW_LINE = '{"id": %s, %s%s'
