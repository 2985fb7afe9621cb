"""Steps 3 to 8 for many subscriptions without prompts (``--yes`` with several ids).

Group commit: each batch of ids is one transaction (each id in its savepoint,
``service.bulk``), its results shown once committed. Nobody answers, so no step can
go back: each id's steps 3 to 6 are shown (the first of a batch before its
transaction, which may wait for another writer; the others with their result),
then 7 and 8.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Protocol

from acctctl import service
from acctctl.domain import Partner
from acctctl.errors import AcctctlError, StoreError
from acctctl.flow.display import Display
from acctctl.i18n import _
from acctctl.ids import parse_id
from acctctl.service import ChangeResult, Context
from acctctl.steps import step


class BatchGuard(Protocol):
    """What watches a bulk run (``cli.interruption.BulkRun``): a signal during a batch
    waits for its end; every change written is counted, so an interrupted run says so."""

    def working(self) -> AbstractContextManager[None]: ...
    def written(self, change_id: str) -> None: ...


@dataclass
class BulkChange:
    """One bulk run toward ``partner``: ``run(ids)`` is the exit code of the first failure."""

    ctx: Context
    display: Display
    partner: Partner
    replace_all: bool
    dry_run: bool
    guard: BatchGuard | None = None

    def run(self, ids: Iterable[str]) -> int:
        first_failure = 0
        for raw_batch in service.batches(ids):
            with self.guard.working() if self.guard is not None else nullcontext():
                first_failure = self._batch(raw_batch, first_failure)
        return first_failure

    def _batch(self, raw_batch: Sequence[str], first_failure: int) -> int:
        """One batch: decided in one transaction, every change written counted, then each
        result shown; the run's first failure so far."""
        entries: list[str | ChangeResult] = []
        for raw in raw_batch:
            try:
                entries.append(parse_id(raw, _("subscription id")))
            except AcctctlError as error:
                entries.append(service.error_result(raw[:80], error, error.exit_code))
        sub_ids = [e for e in entries if isinstance(e, str)]
        first = next((i for i, e in enumerate(entries) if isinstance(e, str)), -1)
        if first >= 0:
            self.display.announce(sub_ids[0], self.partner)
        decided = self._decide_batch(sub_ids)
        for done in decided:  # committed: counted before any is shown
            if done.status == "submitted" and done.change is not None and self.guard:
                self.guard.written(done.change.id)
        results = iter(decided)
        for index, entry in enumerate(entries):
            if isinstance(entry, str):
                if index != first:
                    self.display.announce(entry, self.partner)
                result = next(results)
            else:
                result = entry
            self.display.result(step("change"), result, self.dry_run)
            if result.exit_code and not first_failure:
                first_failure = result.exit_code
        return first_failure

    def _decide_batch(self, sub_ids: list[str]) -> list[ChangeResult]:
        if not sub_ids:
            return []
        if not self.dry_run:
            return service.change_batch(
                self.ctx, sub_ids, self.partner, replace_all=self.replace_all
            )
        results = []
        for sub_id in sub_ids:
            try:
                plan = service.plan_change(
                    self.ctx, sub_id, self.partner, replace_all=self.replace_all
                )
                results.append(plan.result())
            except StoreError:
                raise
            except AcctctlError as error:
                results.append(service.error_result(sub_id, error, error.exit_code))
        return results
