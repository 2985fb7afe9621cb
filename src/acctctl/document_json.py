"""The account document (SPEC §7) as JSON: one value per record, and the whole document.

``document_to_json`` is the exact inverse of ``parse_document`` (document.py): keys in
SPEC order, dates as ``YYYY-MM-DD``, moments in UTC as ``2026-11-26T12:00:00+00:00``.
The streamed export (document_export.py) writes the same records one by one.
"""

from __future__ import annotations

from typing import Any

from acctctl import domain
from acctctl.document_fields import _utc


def user_to_json(u: domain.User) -> dict[str, Any]:
    return {"email": u.email, "name": u.name, "role": u.role}


def partner_to_json(p: domain.Partner) -> dict[str, Any]:
    return {
        "csn": p.csn,
        "name": p.name,
        "city": p.city,
        "country": p.country,
        "email": p.email,
        "active": p.active,
    }


def contract_to_json(c: domain.Contract) -> dict[str, Any]:
    return {
        "number": c.number,
        "manager": c.manager,
        "term_end": c.term_end.isoformat(),
        "auto_renew": c.auto_renew,
        "agreement": c.agreement,
        "partners": list(c.partners),
    }


def notice_to_json(n: domain.Notice) -> dict[str, Any]:
    return {"received": n.received.isoformat(), "partner": n.partner, "subject": n.subject}


def subscription_to_json(subscription: domain.Subscription) -> dict[str, Any]:
    value: dict[str, Any] = {
        "id": subscription.id,
        "product": subscription.product,
        "seats": subscription.seats,
        "plan": subscription.plan,
        "contract": subscription.contract,
    }
    if subscription.contract is None:
        value["manager"] = subscription.manager
        value["term_end"] = (
            subscription.term_end.isoformat() if subscription.term_end is not None else None
        )
        value["auto_renew"] = subscription.auto_renew
        value["partners"] = list(subscription.partners)
    return value


def change_to_json(change: domain.Change) -> dict[str, Any]:
    """A change as the document's ``changes`` entries write it (SPEC §7)."""
    value: dict[str, Any] = {"id": change.id}
    if change.contract is not None:
        value["contract"] = change.contract
    else:
        value["subscription"] = change.subscription
    value.update(
        {
            "from": list(change.from_),
            "to": change.to,
            "by": change.by,
            "submitted_at": _utc(change.submitted_at).isoformat(),
            "effective_at": _utc(change.effective_at).isoformat(),
            "status": change.status,
        }
    )
    return value


def event_to_json(event: domain.HistoryEvent) -> dict[str, Any]:
    return {
        "event": event.event,
        "change": event.change,
        "at": _utc(event.at).isoformat(),
        "by": event.by,
        "hash": event.hash,
    }


def document_to_json(document: domain.AccountDocument) -> dict[str, Any]:
    """The JSON value of a document; parse_document(document_to_json(d)) == d. The
    ``history`` section is written only when there is one, so a document without a
    chain comes back as it was; ``last_change_number`` only when the changes' ids do not
    say it (a JSON store after a replaced account, issue 14)."""
    from acctctl.store.invariants import change_number

    value = _document_to_json(document)
    if document.history:
        value["history"] = [event_to_json(e) for e in document.history]
    highest = max((change_number(c.id) for c in document.changes), default=0)
    if document.last_change_number > highest:
        value["last_change_number"] = document.last_change_number
    return value


def _document_to_json(document: domain.AccountDocument) -> dict[str, Any]:
    return {
        "format": domain.FORMAT,
        "account": {"csn": document.account.csn, "name": document.account.name},
        "users": [user_to_json(u) for u in document.users],
        "partners": [partner_to_json(p) for p in document.partners],
        "contracts": [contract_to_json(c) for c in document.contracts],
        "subscriptions": [subscription_to_json(s) for s in document.subscriptions],
        "notices": [notice_to_json(n) for n in document.notices],
        "changes": [change_to_json(c) for c in document.changes],
    }
