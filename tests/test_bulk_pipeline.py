"""A bulk change's batch in PostgreSQL's pipeline mode (service/bulk.py,
store/postgres_batch.py): the same results, the same rows and the same history chain as
with each statement waiting for its answer — as the store's owner and as a member,
whose writes go through the database's functions; an id that fails rolls back alone;
a statement the database refuses in a pipeline gets the batch decided again without
it, nothing of the first try written."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from acctctl.domain import AccountDocument
from acctctl.service import Context, lookup_partner
from acctctl.service import bulk as bulk_module
from acctctl.store import postgres_batch
from acctctl.store.postgres import PostgresStore
from conftest import BUREAU, CLAIRE, PostgresDatabases, fail_after_writing

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
# Every subscription of the sample: two of one contract (the second finds the first's
# change pending: `unchanged`), one asked for twice, one the account does not hold, and
# the new-model one (`rejected`).
IDS = ["72000000001", "72000000002", "72000000004", "72999999999", "72000000001", "72000000009"]


@pytest.fixture
def member_login(postgres_server: str, databases: PostgresDatabases) -> Iterator[str]:
    import psycopg

    login = f"bulk_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {login} LOGIN PASSWORD 'member-secret'")
    try:
        yield login
    finally:
        databases.drop_all()  # the grants `store members add` made go with them
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(f"DROP ROLE IF EXISTS {login}")


def _store(
    databases: PostgresDatabases, name: str, document: AccountDocument, member: str | None
) -> PostgresStore:
    owner = databases.store(name, 10.0)
    assert isinstance(owner, PostgresStore)
    owner.replace(document, force=False, sandbox=True)  # dated by NOW, not the clock
    if member is None:
        return owner
    owner.add_member(member, CLAIRE)
    parts = urlsplit(owner.url)
    url = parts._replace(netloc=f"{member}:member-secret@{parts.hostname}:{parts.port}")
    store = PostgresStore(url.geturl())
    databases.opened.append(store)
    return store


def _everything(store: PostgresStore) -> tuple[Any, ...]:
    with store.read() as reader:
        return reader.changes(), reader.history(), list(reader.contracts())


@pytest.mark.parametrize("who", ["owner", "member"])
def test_pipelined_batch_writes_what_the_waiting_one_writes(
    databases: PostgresDatabases,
    member_login: str,
    sample_document: AccountDocument,
    who: str,
) -> None:
    member = member_login if who == "member" else None
    stores = {
        pipelined: _store(databases, f"{who}-{pipelined}", sample_document, member)
        for pipelined in (True, False)
    }
    found = {}
    for pipelined, store in stores.items():
        ctx = Context(store=store, now=NOW, actor=CLAIRE)
        bureau = lookup_partner(ctx, BUREAU)
        results = bulk_module._batch(ctx, IDS, bureau, True, pipelined=pipelined)
        found[pipelined] = ([r.to_json() for r in results], _everything(store))
    assert found[True] == found[False]
    statuses = [r["status"] for r in found[True][0]]
    assert statuses.count("submitted") >= 2 and "unchanged" in statuses and "error" in statuses
    # The changes returned without reading them back are the rows the database holds.
    changes, history, _contracts = found[True][1]
    by_id = {change.id: change for change in changes}
    for result in found[True][0]:
        if result["status"] == "submitted":
            made = by_id[result["change"]["id"]]
            assert result["change"]["from"] == list(made.from_)
            assert result["change"]["submitted_at"] == made.submitted_at.isoformat()
            assert result["change"]["effective_at"] == made.effective_at.isoformat()
    assert [e.change for e in history if e.event == "submitted"][-2:] == [
        r["change"]["id"] for r in found[True][0] if r["status"] == "submitted"
    ][-2:]


def test_an_id_failing_after_its_write_rolls_back_alone_in_a_pipeline(
    databases: PostgresDatabases,
    sample_document: AccountDocument,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = _store(databases, "fails", sample_document, None)
    ctx = Context(store=store, now=NOW, actor=CLAIRE)
    bureau = lookup_partner(ctx, BUREAU)
    fail_after_writing(monkeypatch, "72000000004")
    aborted: list[bool] = []
    real_batch = bulk_module._batch

    def watched(*args: Any, pipelined: bool) -> Any:
        aborted.append(pipelined)
        return real_batch(*args, pipelined=pipelined)

    monkeypatch.setattr(bulk_module, "_batch", watched)
    results = bulk_module.change_batch(
        ctx, ["72000000004", "72000000001", "72000000002"], bureau, replace_all=True
    )
    assert aborted == [True]  # no database error: the pipeline was enough
    assert [r.status for r in results] == ["error", "submitted", "unchanged"]
    pending = {c.holder: c for c in _everything(store)[0] if c.status == "pending"}
    assert "110000000002" not in pending  # 72000000004's change, undone by its savepoint
    assert pending["110000000001"] == results[1].change  # its id given, as recorded
    assert results[2].change == results[1].change  # the pending change, read back


def test_a_refusal_in_a_pipeline_decides_the_batch_again_without_it(
    databases: PostgresDatabases,
    sample_document: AccountDocument,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The database refuses the second id's write while the third is already sent: the
    batch is rolled back and decided again, each statement waiting; there the refusal
    fails the batch as it always did, and nothing of it is written."""
    store = _store(databases, "refused", sample_document, None)
    ctx = Context(store=store, now=NOW, actor=CLAIRE)
    bureau = lookup_partner(ctx, BUREAU)
    before = _everything(store)
    tries: list[bool] = []
    real_batch = bulk_module._batch

    def watched(*args: Any, pipelined: bool) -> Any:
        tries.append(pipelined)
        return real_batch(*args, pipelined=pipelined)

    def submit(self: Any, change: Any, *, subscription: str, replace_all: bool) -> Any:
        if subscription != "72000000004":
            return real_submit(self, change, subscription=subscription, replace_all=replace_all)
        self._db.execute("SELECT 1 / 0")  # refused, answer not read yet when pipelined
        return real_submit(self, change, subscription=subscription, replace_all=replace_all)

    real_submit = postgres_batch.BatchedWrites.submit_change
    monkeypatch.setattr(bulk_module, "_batch", watched)
    monkeypatch.setattr(postgres_batch.BatchedWrites, "submit_change", submit)
    import psycopg

    with pytest.raises(psycopg.errors.DivisionByZero):
        bulk_module.change_batch(
            ctx, ["72000000001", "72000000004", "72000000002"], bureau, replace_all=True
        )
    assert tries == [True, False]
    assert _everything(store) == before
    assert not caplog.records  # psycopg had nothing left to complain about on stderr
