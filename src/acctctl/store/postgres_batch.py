"""A bulk change's batch on PostgreSQL: read at once, written in pipeline mode.

A batch of a bulk change (service/bulk.py) is one transaction, each id in its own
savepoint. Waiting for the server after each statement would make the batch as slow
as its round trips; inside ``batched`` the connection is in pipeline mode instead:

* ``with_holders`` sends its three reads together and waits once for the batch;
* a savepoint, its release, and the call that submits a change are sent without
  waiting for their answers: the next id is decided while the server writes this
  one. A submitted change's id and times come back at the end of the block
  (``recorded``); until then the change carries a placeholder id;
* a read waits for its own rows, and so for every statement sent before it.

A statement the database refuses aborts the pipeline, and the statements sent after
it are skipped: which id it belonged to can no longer be told. ``batched`` then
raises ``PipelineAborted`` once the transaction is rolled back — nothing of the
batch written — and the caller runs the batch again without pipeline mode, where the
error is raised by the statement it belongs to, as it always was.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from acctctl.domain import Change, Contract, Subscription
from acctctl.store import postgres_schema as schema
from acctctl.store.base import PipelineAborted
from acctctl.store.invariants import utc
from acctctl.store.savepoints import savepoint

if TYPE_CHECKING:
    from psycopg import Connection, Cursor, Pipeline

Row = tuple[Any, ...]

# A batch's subscriptions, their contracts and their holders' pending changes (the last
# one by submission, as `pending_change`).
_WITH_HOLDERS = (
    schema.SUBSCRIPTIONS.select + " WHERE id = ANY(%s)",
    schema.CONTRACTS.select
    + " WHERE number IN (SELECT contract FROM acctctl_subscriptions WHERE id = ANY(%s))",
    schema.CHANGES.select + " WHERE status = 'pending' AND holder IN"
    " (SELECT coalesce(contract, id) FROM acctctl_subscriptions WHERE id = ANY(%s))"
    " ORDER BY submitted_at, id",
)
_SUBMIT = (
    "SELECT o_id, o_submitted_at, o_effective_at FROM acctctl_submit_change(%s, %s, %s, %s, %s, %s)"
)
_SENT = "(sent {n})"  # a submitted change's id until its answer is read


class BatchedWrites:
    """The batch's reads and writes of ``PostgresRows``."""

    _db: Connection[Row]
    _pipeline: Pipeline | None
    _waiting: list[tuple[Change, Cursor[Row]]]  # submitted, answer not read yet
    _recorded: dict[str, Change]  # by the placeholder id they were returned with

    def with_holders(
        self, sub_ids: Sequence[str]
    ) -> Iterator[tuple[Subscription, Contract | None, Change | None]]:
        ids = list(sub_ids)
        cursors = [self._db.execute(sql, (ids,)) for sql in _WITH_HOLDERS]
        subscriptions, contracts, changes = (cursor.fetchall() for cursor in cursors)
        by_number = {row[0]: schema.CONTRACTS.to_domain(row) for row in contracts}
        pending = {change.holder: change for change in map(schema.CHANGES.to_domain, changes)}
        for row in subscriptions:
            sub = schema.SUBSCRIPTIONS.to_domain(row)
            yield sub, by_number.get(sub.contract or ""), pending.get(sub.contract or sub.id)

    def savepoint(self) -> AbstractContextManager[None]:
        return savepoint(self._db.execute, "acctctl_one")

    @contextmanager
    def batched(self, *, pipelined: bool = True) -> Iterator[None]:
        if not pipelined or self._pipeline is not None:
            yield
            return
        from psycopg import Error

        try:
            with self._db.pipeline() as pipeline:
                self._pipeline = pipeline
                try:
                    yield
                    self._read_answers()
                except Error:
                    # Read what is left, so the pipeline ends without another error.
                    with suppress(Error):
                        pipeline.sync()
                    raise
        except Error as refused:
            raise PipelineAborted(str(refused)) from refused
        finally:
            self._pipeline = None

    def _read_answers(self) -> None:
        for sent, cursor in self._waiting:
            row = cursor.fetchone()
            assert row is not None  # the function returns the row it inserted, or raises
            self._recorded[sent.id] = _as_recorded(sent, row)
        self._waiting.clear()

    def submit_change(self, change: Change, *, subscription: str, replace_all: bool) -> Change:
        params = (
            subscription,
            change.to,
            replace_all,
            change.effective_at - change.submitted_at,
            change.by,
            change.submitted_at,
        )
        if self._pipeline is None:
            row = self._db.execute(_SUBMIT, params).fetchone()
            assert row is not None  # the function returns the row it inserted, or raises
            return _as_recorded(change, row)
        sent = replace(change, id=_SENT.format(n=len(self._recorded) + len(self._waiting) + 1))
        self._waiting.append((sent, self._db.execute(_SUBMIT, params)))
        return sent

    def recorded(self, change: Change) -> Change:
        return self._recorded.get(change.id, change)


def _as_recorded(change: Change, row: Row) -> Change:
    """The change as the function inserted it, without reading it back: under the
    store's lock it replaced the partners the service decided on (``from``, settled
    beforehand) for the user it named (``by``); it gave the id and, from its own clock,
    the times."""
    return replace(
        change, id=row[0], submitted_at=utc(row[1]), effective_at=utc(row[2]), status="pending"
    )
