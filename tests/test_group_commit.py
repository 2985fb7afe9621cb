"""Bulk change with group commit (issue 16, item 2): a batch of ids per transaction,
each id in its savepoint; results only once committed; nothing of a failed batch
written; a run again gives `unchanged` for what was committed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from acctctl.domain import AccountDocument, Change
from acctctl.errors import StoreError
from acctctl.service import Context, batches, change_batch, lookup_partner
from acctctl.service import change as change_module
from conftest import BUREAU, CLAIRE, fail_after_writing

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def made(store_factory: Any, document: AccountDocument) -> Context:
    store = store_factory()
    store.replace(document, force=False, sandbox=True)  # dated by NOW, not the clock
    return Context(store=store, now=NOW, actor=CLAIRE)


def changes(ctx: Context) -> list[Change]:
    with ctx.store.read() as reader:
        return reader.changes()


def test_savepoint_undoes_its_block_only(store_factory: Any, sample_document: Any) -> None:
    ctx = made(store_factory, sample_document)
    before = changes(ctx)
    with ctx.store.write() as writer:
        with pytest.raises(RuntimeError), writer.savepoint():
            writer.set_contract_auto_renew("110000000001", True)
            raise RuntimeError("this id fails")
        with writer.savepoint():
            writer.set_contract_auto_renew("110000000002", True)
    with ctx.store.read() as reader:
        assert reader.contract("110000000001").auto_renew is False  # type: ignore[union-attr]
        assert reader.contract("110000000002").auto_renew is True  # type: ignore[union-attr]
    assert changes(ctx) == before
    ctx.store.close()


def test_one_failing_id_fails_alone_and_the_batch_commits(
    store_factory: Any, sample_document: Any
) -> None:
    ctx = made(store_factory, sample_document)
    bureau = lookup_partner(ctx, BUREAU)
    ids = ["72000000001", "72999999999", "72000000004"]
    results = change_batch(ctx, ids, bureau, replace_all=True)
    assert [r.status for r in results] == ["submitted", "error", "submitted"]
    submitted = {r.change.id for r in results if r.change is not None}
    assert len(submitted) == 2 and submitted <= {c.id for c in changes(ctx)}
    again = change_batch(ctx, ["72000000001", "72000000004"], bureau, replace_all=True)
    assert [r.status for r in again] == ["unchanged", "unchanged"]
    ctx.store.close()


def test_a_write_that_fails_after_writing_rolls_back_its_id_only(
    store_factory: Any, sample_document: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second id fails after its change is written: its savepoint undoes it."""
    ctx = made(store_factory, sample_document)
    bureau = lookup_partner(ctx, BUREAU)
    fail_after_writing(monkeypatch, "72000000004")
    with ctx.store.read() as reader:
        partners_before = reader.contract("110000000002").partners  # type: ignore[union-attr]
    results = change_batch(ctx, ["72000000001", "72000000004"], bureau, replace_all=True)
    assert [r.status for r in results] == ["submitted", "error"]
    holders = [c.holder for c in changes(ctx) if c.status == "pending"]
    assert "110000000001" in holders and "110000000002" not in holders
    with ctx.store.read() as reader:
        assert reader.contract("110000000002").partners == partners_before  # type: ignore[union-attr]
    ctx.store.close()


def test_a_store_error_mid_batch_writes_nothing_of_it(
    store_factory: Any, sample_document: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = made(store_factory, sample_document)
    bureau = lookup_partner(ctx, BUREAU)
    before = changes(ctx)
    real = change_module._decide_and_write

    def dying(writer: Any, context: Any, sub_id: str, *args: Any) -> Any:
        if sub_id == "72000000004":
            raise StoreError("the disk went away")
        return real(writer, context, sub_id, *args)

    monkeypatch.setattr("acctctl.service.bulk._decide_and_write", dying)
    with pytest.raises(StoreError):
        change_batch(ctx, ["72000000001", "72000000004"], bureau, replace_all=True)
    assert changes(ctx) == before  # the first id's change was not committed either
    ctx.store.close()


def test_batches_hold_at_most_size_ids() -> None:
    assert [len(b) for b in batches(map(str, range(250)), size=100)] == [100, 100, 50]
    assert list(batches([])) == []


def test_a_slow_producer_gets_its_batch_closed_early() -> None:
    def trickle() -> Iterator[str]:
        yield "a"
        yield "b"
        time.sleep(0.5)
        yield "c"

    assert list(batches(trickle(), size=100, seconds=0.05)) == [["a", "b"], ["c"]]


def test_an_error_reading_ids_reaches_the_caller() -> None:
    def broken() -> Iterator[str]:
        yield "a"
        raise OSError("stdin went away")

    with pytest.raises(OSError, match="stdin went away"):
        list(batches(broken()))
