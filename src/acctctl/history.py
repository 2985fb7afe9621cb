"""The account's history as a hash chain: what was submitted, applied and cancelled.

Each record's ``hash`` is the SHA-256 of its own fields, of the change it submits
(every field but the status, which later records change), and of the hash of the
record before it. So changing a recorded change (its ``by``, its partners, its
dates), deleting or reordering a record, or back-dating one, breaks the chain at
that record, and ``verify`` names it. A change's status is not stored in the chain
as a mutable field: it follows from the records (submitted → pending, then applied
or cancelled), so a status edited by hand no longer matches its history either.

The same hash is computed by the PostgreSQL store's functions
(``postgres_functions.py``), so a chain written there is verified here: fields are
written as ``<UTF-8 length>:<text>`` (``-`` for none), moments as integer
microseconds since 1970, so both sides produce the same bytes.

A chain can only show what changed *in* it: whoever can rewrite the whole file can
also recompute every hash. ``store check`` prints the head hash so an auditor can
note it and see later that the history still leads to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from acctctl.domain import Change, ChangeStatus, EventKind, HistoryEvent
from acctctl.i18n import _

GENESIS = "0" * 64
_TAG = "acctctl-history/1"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """Microseconds since 1970 (UTC; a naive moment is UTC), exactly."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return (aware - _EPOCH) // _MICROSECOND


def _field(value: str | None) -> str:
    return "-" if value is None else f"{len(value.encode('utf-8'))}:{value}"


def event_hash(
    prev: str,
    event: EventKind,
    change_id: str,
    at: datetime,
    by: str | None,
    change: Change | None,
) -> str:
    """The record's hash; ``change`` is the submitted change (None for other records)."""
    fields: list[str | None] = [_TAG, prev, event, change_id, str(micros(at)), by]
    if event == "submitted" and change is not None:
        fields += [
            "contract" if change.contract is not None else "subscription",
            change.holder,
            ",".join(change.from_),
            change.to,
            change.by,
            str(micros(change.submitted_at)),
            str(micros(change.effective_at)),
        ]
    else:
        fields += [None] * 7
    text = "".join(_field(value) for value in fields)
    import hashlib  # here: reading a store (a listing) never hashes, and hashlib is 2 ms

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record(
    prev: str, event: EventKind, change: Change, at: datetime, by: str | None
) -> HistoryEvent:
    """The next record of a chain whose last hash is ``prev``."""
    submitted = change if event == "submitted" else None
    return HistoryEvent(
        event, change.id, at, by, event_hash(prev, event, change.id, at, by, submitted)
    )


def head(history: Sequence[HistoryEvent]) -> str:
    return history[-1].hash if history else GENESIS


def synthesize(changes: Iterable[Change]) -> list[HistoryEvent]:
    """A chain for changes that came without one (a document written before chains
    existed): each change submitted at its ``submitted_at``, then applied at its
    ``effective_at`` or cancelled (when is not known: at its ``submitted_at``), all
    in time order."""
    steps: list[tuple[datetime, int, int, EventKind, Change]] = []
    for index, change in enumerate(changes):
        steps.append((change.submitted_at, index, 0, "submitted", change))
        if change.status == "applied":
            steps.append((change.effective_at, index, 1, "applied", change))
        elif change.status == "cancelled":
            steps.append((change.submitted_at, index, 1, "cancelled", change))
    steps.sort(key=lambda step: (step[0], step[1], step[2]))
    chain: list[HistoryEvent] = []
    prev = GENESIS
    for at, _index, _order, event, change in steps:
        by = change.by if event != "applied" else None
        made = record(prev, event, change, at, by)
        chain.append(made)
        prev = made.hash
    return chain


def _name(number: int, event: HistoryEvent) -> str:
    return _("history record {n} ({event} {change}, {at})").format(
        n=number, event=event.event, change=event.change, at=event.at.isoformat()
    )


def verify(changes: Sequence[Change], history: Sequence[HistoryEvent]) -> list[str]:
    """What does not follow from the chain, naming the first bad record (empty: intact).

    The walk stops at the first broken record, since every later one depends on it; if
    the chain holds, each change's status must be the one its records give it."""
    by_id = {change.id: change for change in changes}
    status: dict[str, ChangeStatus] = {}
    prev = GENESIS
    last: datetime | None = None
    for number, event in enumerate(history, 1):
        name = _name(number, event)
        change = by_id.get(event.change)
        if event.event == "submitted":
            if change is None:
                return [
                    _("{record}: change {change} is missing from the changes").format(
                        record=name, change=event.change
                    )
                ]
            if event.change in status:
                return [_("{record}: the change was already submitted").format(record=name)]
        elif event.change not in status:
            return [_("{record}: the change was never submitted").format(record=name)]
        elif status[event.change] != "pending":
            return [
                _("{record}: the change was already {status}").format(
                    record=name, status=status[event.change]
                )
            ]
        submitted = change if event.event == "submitted" else None
        if event.hash != event_hash(prev, event.event, event.change, event.at, event.by, submitted):
            return [
                _(
                    "{record}: its hash does not match: this record, change {change} "
                    "or the record before it was altered or removed"
                ).format(record=name, change=event.change)
            ]
        if last is not None and event.at < last:
            return [_("{record}: it is dated before the record before it").format(record=name)]
        status[event.change] = "pending" if event.event == "submitted" else event.event
        prev, last = event.hash, event.at
    problems: list[str] = []
    for change in changes:
        found = status.get(change.id)
        if found is None:
            problems.append(
                _("change {change} is not in the history: it was added behind its back").format(
                    change=change.id
                )
            )
        elif found != change.status:
            problems.append(
                _("change {change} says {status}, but its history says {found}").format(
                    change=change.id, status=change.status, found=found
                )
            )
    return problems


def chain_of(changes: Sequence[Change], history: Sequence[HistoryEvent]) -> list[HistoryEvent]:
    """The chain a store keeps for a document: its own, or one started from its changes."""
    return list(history) if history else synthesize(changes)
