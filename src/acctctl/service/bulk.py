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
from typing import Any, cast

from acctctl.domain import Partner, User
from acctctl.errors import AcctctlError, StoreError
from acctctl.service.change import ChangeResult, _decide_and_write, error_result
from acctctl.service.context import Context
from acctctl.store.base import StoreWriter

BATCH_IDS = 100
BATCH_SECONDS = 0.05


def change_batch(
    ctx: Context, sub_ids: Sequence[str], partner: Partner, *, replace_all: bool = False
) -> list[ChangeResult]:
    """Decide and write a change toward ``partner`` for each id, in one transaction,
    each in its own savepoint; the results, in order, once committed. A store error
    (the disk, the connection) fails the whole batch: nothing of it is written."""
    results: list[ChangeResult] = []
    with ctx.store.write() as writer:
        remembering = cast(StoreWriter, _Remembering(writer))
        for sub_id in sub_ids:
            try:
                with writer.savepoint():
                    result = _decide_and_write(remembering, ctx, sub_id, partner, replace_all, None)
            except StoreError:
                raise
            except AcctctlError as error:
                result = error_result(sub_id, error, error.exit_code)
            results.append(result)
    return results


class _Remembering:
    """The batch's writer, reading each partner and user once per batch: every decision
    names the acting user and a few of the 200 partners, and a bulk change writes
    neither, so within one transaction the first answer stays true."""

    def __init__(self, writer: StoreWriter) -> None:
        self._writer = writer
        self._partners: dict[str, Partner | None] = {}
        self._users: dict[str, User | None] = {}

    def partner(self, csn: str) -> Partner | None:
        if csn not in self._partners:
            self._partners[csn] = self._writer.partner(csn)
        return self._partners[csn]

    def user(self, email: str) -> User | None:
        if email not in self._users:
            self._users[email] = self._writer.user(email)
        return self._users[email]

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
