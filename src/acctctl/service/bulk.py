"""The bulk change with group commit: many subscriptions per transaction.

One transaction per subscription makes a bulk change wait on the disk once per id
(an fsync each on SQLite, a round trip and a commit each on PostgreSQL, the whole
document rewritten each on the JSON store). ``change_batch`` decides and writes a
batch of ids in one transaction, each id inside its own savepoint, so:

* each change is still whole or absent: an id that fails (an error, a refusal
  raised while writing) rolls back alone, the others of the batch stand;
* results come back only after the batch's COMMIT: a line printed from them is a
  change on disk. A run killed mid-batch loses that batch's unprinted results, and
  nothing of them is written — running it again gives the same results, or
  ``unchanged`` for what was committed before;
* the store's write lock (an advisory lock on PostgreSQL, the file lock of the JSON
  store) is taken once per batch.

The caller decides the batch (``batches``): about 100 ids, or what arrived within
50 ms, so the lock is never held waiting for input and results keep flowing.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from acctctl.domain import Change, Contract, Partner, Subscription, User
from acctctl.errors import AcctctlError, StoreError
from acctctl.service.change import ChangeResult, _decide_and_write, error_result
from acctctl.service.context import Context
from acctctl.store.base import PipelineAborted, Store, StoreWriter

BATCH_IDS = 100
BATCH_SECONDS = 0.05


def change_batch(
    ctx: Context, sub_ids: Sequence[str], partner: Partner, *, replace_all: bool = False
) -> list[ChangeResult]:
    """Decide and write a change toward ``partner`` for each id, in one transaction,
    each in its own savepoint; the results, in order, once committed. A store error
    (the disk, the connection) fails the whole batch: nothing of it is written.

    What the decisions read is read for the batch at once (``_Remembering``), and on
    PostgreSQL the batch is sent in pipeline mode (``StoreWriter.batched``): the next id
    is decided while the server writes this one. Should the database refuse something
    sent that way, nothing of the batch is written and it is decided again, each
    statement waiting for its answer, so the refusal falls on the id it belongs to."""
    ctx = replace(ctx, store=cast(Store, _OneClockPerBatch(ctx.store)))
    try:
        return _batch(ctx, sub_ids, partner, replace_all, pipelined=True)
    except PipelineAborted:
        return _batch(ctx, sub_ids, partner, replace_all, pipelined=False)


def _batch(
    ctx: Context, sub_ids: Sequence[str], partner: Partner, replace_all: bool, *, pipelined: bool
) -> list[ChangeResult]:
    results: list[ChangeResult] = []
    with ctx.store.write() as writer:
        with writer.batched(pipelined=pipelined):
            remembering = _Remembering(writer)
            remembering.read_ahead(sub_ids)
            deciding = cast(StoreWriter, remembering)
            for sub_id in sub_ids:
                try:
                    with remembering.savepoint():
                        result = _decide_and_write(
                            deciding, ctx, sub_id, partner, replace_all, None
                        )
                except StoreError:
                    raise
                except AcctctlError as error:
                    result = error_result(sub_id, error, error.exit_code)
                results.append(result)
        for result in results:  # the ids and times the store gave, now all answered
            if result.change is not None and result.status == "submitted":
                result.change = writer.recorded(result.change)
    return results


_UNREAD: Any = object()


class _OneClockPerBatch:
    """The store, its clock read once per batch: PostgreSQL dates every write of a
    transaction by the transaction's own ``now()`` anyway, and reading its clock again
    for each id is a round trip on another connection. (A local store has no clock of
    its own: this machine's is still read for each id.)"""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._now: datetime | None = _UNREAD

    def clock(self) -> datetime | None:
        if self._now is _UNREAD:
            self._now = self._store.clock()
        return self._now

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


class _Remembering:
    """The batch's writer, each read made once per batch and kept while it stays true.

    Every decision reads the acting user, a few of the partners, whether the store is a
    sandbox, its latest event, and its subscription's contract and pending change
    (``read_ahead`` reads the partners, the contracts and the pending changes for the
    whole batch at once). Within the transaction
    only the batch writes: users, partners and the sandbox flag never change; what a
    write changes is forgotten (its holder's contract, subscription and pending change)
    or known (the latest event is the change just recorded), and a savepoint that rolls
    back forgets everything that may have changed."""

    def __init__(self, writer: StoreWriter) -> None:
        self._writer = writer
        self._partners: dict[str, Partner | None] = {}
        self._every_partner = False
        self._users: dict[str, User | None] = {}
        self._sandbox: bool | None = None
        self._latest: datetime | None = _UNREAD
        self._subscriptions: dict[str, Subscription | None] = {}
        self._contracts: dict[str, Contract | None] = {}
        self._pending: dict[str, Change | None] = {}

    def read_ahead(self, sub_ids: Sequence[str]) -> None:
        # Every partner, once: an account knows a few hundred, and a decision names a few
        # of them (a read each would wait for every write sent before it, in a pipeline).
        self._partners = {p.csn: p for p in self._writer.partners()}
        self._every_partner = True
        for sub, contract, pending in self._writer.with_holders(sub_ids):
            self._subscriptions[sub.id] = sub
            if contract is not None:
                self._contracts[contract.number] = contract
            self._pending[sub.contract or sub.id] = pending
        for sub_id in sub_ids:
            self._subscriptions.setdefault(sub_id, None)  # not in the store

    def partner(self, csn: str) -> Partner | None:
        if csn not in self._partners and not self._every_partner:
            self._partners[csn] = self._writer.partner(csn)
        return self._partners.get(csn)

    def user(self, email: str) -> User | None:
        if email not in self._users:
            self._users[email] = self._writer.user(email)
        return self._users[email]

    def sandbox(self) -> bool:
        if self._sandbox is None:
            self._sandbox = self._writer.sandbox()
        return self._sandbox

    def latest_event_at(self) -> datetime | None:
        if self._latest is _UNREAD:
            self._latest = self._writer.latest_event_at()
        return self._latest

    def subscription(self, id: str) -> Subscription | None:
        if id not in self._subscriptions:
            self._subscriptions[id] = self._writer.subscription(id)
        return self._subscriptions[id]

    def contract(self, number: str) -> Contract | None:
        if number not in self._contracts:
            self._contracts[number] = self._writer.contract(number)
        return self._contracts[number]

    def pending_change(self, holder: str) -> Change | None:
        if holder not in self._pending:
            self._pending[holder] = self._writer.pending_change(holder)
        return self._pending[holder]

    def settle(self, holder: str, at: datetime) -> Change | None:
        applied = self._writer.settle(holder, at)
        self._written(holder, None)
        self._latest = _UNREAD  # recorded by the store's clock (PostgreSQL's), read again
        return applied

    def submit_change(self, change: Change, *, subscription: str, replace_all: bool) -> Change:
        made = self._writer.submit_change(
            change, subscription=subscription, replace_all=replace_all
        )
        self._written(made.holder, made.submitted_at)
        return made

    def _written(self, holder: str, recorded_at: datetime | None) -> None:
        """``holder`` was written: its rows are read again when next asked; an event
        recorded at ``recorded_at`` is the latest (writes are never dated before it)."""
        for known in (self._subscriptions, self._contracts, self._pending):
            known.pop(holder, None)
        if recorded_at is not None:
            self._latest = recorded_at

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        try:
            with self._writer.savepoint():
                yield
        except BaseException:
            self._latest = _UNREAD
            self._subscriptions.clear()
            self._contracts.clear()
            self._pending.clear()
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)


def batches(
    items: Iterable[str], *, size: int = BATCH_IDS, seconds: float = BATCH_SECONDS
) -> Iterator[list[str]]:
    """``items`` in batches of at most ``size``, a batch closed early when the next item
    has not come within ``seconds`` of the batch's first: a slow producer (ids typed or
    trickling through a pipe) gets its results as it goes. Items are read on a thread."""
    source: queue.Queue[tuple[str, ...]] = queue.Queue(maxsize=4 * size)
    failure: list[BaseException] = []

    def read() -> None:
        try:
            for item in items:
                source.put((item,))
        except BaseException as exc:  # handed to the consumer, raised there
            failure.append(exc)
        source.put(())

    threading.Thread(target=read, daemon=True, name="ids").start()
    ended = False
    while not ended:
        entry = source.get()
        if not entry:
            break
        batch = [entry[0]]
        deadline = time.monotonic() + seconds
        while len(batch) < size:
            left = deadline - time.monotonic()
            try:
                entry = source.get(timeout=left) if left > 0 else source.get_nowait()
            except queue.Empty:
                break
            if not entry:
                ended = True
                break
            batch.append(entry[0])
        yield batch
    if failure:
        raise failure[0]
