"""The store contract (SPEC §7), one module run unchanged against every back end.

Each test takes ``store_factory`` (see conftest.py), so it runs once per back end.
Back-end knowledge (files, damage, newer schema) stays in the factory.
"""

from __future__ import annotations

import os
import stat
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs
import pytest

from acctctl.domain import Account, AccountDocument, Notice
from acctctl.errors import (
    NotFoundError,
    StoreCorruptError,
    StoreError,
    StoreExistsError,
    StoreLockedError,
    StoreMissingError,
    StoreSchemaError,
)
from acctctl.service import Context
from acctctl.service.admin import check_invariants
from acctctl.store import default_store_path, open_store, redact
from acctctl.store.base import Store
from acctctl.store.jsonfile import JsonFileStore
from acctctl.store.sqlite import SqliteStore
from conftest import ANCIEN, BUREAU, CADPRO, CLAIRE, DAMAGES, MARC, StoreFactory
from conftest import a_change as change

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def number(change_id: str) -> int:
    prefix, _, digits = change_id.partition("-")
    assert prefix == "CHG" and len(digits) >= 6 and digits.isdigit(), change_id
    return int(digits)


def exported(store: Store) -> AccountDocument:
    with store.read() as reader:
        return reader.document()


@pytest.fixture
def store(store_factory: StoreFactory, sample_document: AccountDocument) -> Store:
    """A store holding the sample account."""
    store = store_factory()
    store.replace(sample_document, force=False)
    return store


@pytest.fixture
def umask() -> Iterator[None]:
    """Restores the process umask a test changes."""
    saved = os.umask(0o022)
    os.umask(saved)
    yield
    os.umask(saved)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- replace and document ----------------------------------------------------------------


def test_replace_then_document_gives_the_same_account(
    store_factory: StoreFactory, sample_document: AccountDocument
) -> None:
    store = store_factory()
    assert not store.exists()
    store.replace(sample_document, force=False)
    assert store.exists()
    assert exported(store) == sample_document
    # Export then import elsewhere gives the same document again.
    copy = store_factory("copy")
    copy.replace(exported(store), force=False)
    assert exported(copy) == sample_document


def test_replace_refuses_an_existing_store_without_force(
    store: Store, sample_document: AccountDocument
) -> None:
    other = AccountDocument(account=Account("5100000002", "Another account"))
    with pytest.raises(StoreExistsError) as caught:
        store.replace(other, force=False)
    assert caught.value.exit_code == 2
    assert store.where() in caught.value.message
    assert exported(store) == sample_document


def test_force_replaces_the_whole_account(store: Store) -> None:
    other = AccountDocument(account=Account("5100000002", "Another account"))
    store.replace(other, force=True)
    assert exported(store) == other
    with store.read() as reader:
        assert reader.users() == [] and reader.partners() == []
        assert list(reader.subscriptions()) == [] and reader.changes() == []
    with store.write() as writer:
        # The old account's CHG-000001 is never handed out again (issue 14).
        assert writer.next_change_id() == "CHG-000002"


def test_a_missing_store_is_reported_and_never_created(store_factory: StoreFactory) -> None:
    store = store_factory()
    for action in (store.read, store.write):
        with pytest.raises(StoreMissingError) as caught, action():
            pytest.fail("a missing store gave a view")
        assert caught.value.exit_code == 6
        assert "acctctl store init --demo" in (caught.value.hint or "")
    with pytest.raises(StoreMissingError):
        store.check()
    assert not store.exists()
    if store_factory.is_file:
        assert list(store_factory.root.iterdir()) == []


# --- reading -----------------------------------------------------------------------------


def test_reader_finds_and_orders_everything(store: Store, sample_document: AccountDocument) -> None:
    with store.read() as reader:
        assert reader.account() == sample_document.account
        assert reader.users() == sample_document.users
        assert reader.user(MARC) == sample_document.users[1]
        assert reader.user("nobody@example.com") is None
        assert reader.partners() == sample_document.partners
        partner = reader.partner(ANCIEN)
        assert partner is not None and not partner.active
        assert reader.partner("0000000000") is None
        assert [c.number for c in reader.contracts()] == [
            "110000000001",
            "110000000002",
            "110000000003",
        ]
        two = reader.contract("110000000002")
        assert two is not None and two.partners == (BUREAU, CADPRO)  # order kept
        assert two == sample_document.contracts[2]
        assert reader.contract("999") is None
        assert [s.id for s in reader.subscriptions()] == [
            "72000000001",
            "72000000002",
            "72000000004",
            "72000000009",
        ]
        fusion = reader.subscription("72000000009")
        assert fusion == sample_document.subscriptions[2]
        assert fusion is not None and fusion.contract is None
        assert (fusion.manager, fusion.term_end, fusion.auto_renew) == (
            CLAIRE,
            date(2027, 2, 1),
            True,
        )
        assert fusion.partners == (CADPRO,)
        legacy = reader.subscription("72000000004")
        assert legacy is not None and legacy.partners == () and legacy.auto_renew is None
        assert reader.subscription("nope") is None
        of_one = reader.subscriptions_of_contract("110000000001")
        assert [s.id for s in of_one] == ["72000000001", "72000000002"]
        assert reader.subscriptions_of_contract("110000000003") == []
        assert reader.notices() == sample_document.notices
        assert reader.changes() == sample_document.changes
        assert reader.changes("110000000001") == sample_document.changes
        assert reader.changes("110000000002") == []
        assert reader.change("CHG-000001") == sample_document.changes[0]
        assert reader.change("CHG-999999") is None
        assert reader.pending_changes() == {}


def test_notices_newest_first_and_changes_in_time_order(
    store_factory: StoreFactory, sample_document: AccountDocument
) -> None:
    old = Notice(date(2026, 1, 5), CADPRO, "Old news")
    new = Notice(date(2026, 12, 1), BUREAU, "Newest")
    same_day = Notice(date(2026, 1, 5), BUREAU, "Same day, listed second")
    late = change("CHG-000003", status="cancelled", at=NOW)
    early = change("CHG-000002", status="applied", at=NOW - timedelta(days=3))
    tie = change("CHG-000004", status="cancelled", at=NOW)
    document = replace(
        sample_document,
        notices=[old, new, same_day],
        changes=[*sample_document.changes, late, tie, early],
    )
    store = store_factory()
    store.replace(document, force=False)
    with store.read() as reader:
        assert reader.notices() == [new, old, same_day]
        ids = [c.id for c in reader.changes("110000000001")]
        assert ids == ["CHG-000001", "CHG-000002", "CHG-000003", "CHG-000004"]
    assert exported(store) == document  # the document keeps its own order


# --- writing -----------------------------------------------------------------------------


def test_a_write_commits_when_the_block_ends(store: Store) -> None:
    with store.write() as writer:
        writer.set_contract_auto_renew("110000000001", True)
        writer.add_change(change(writer.next_change_id()))
        # The transaction reads its own writes.
        contract = writer.contract("110000000001")
        assert contract is not None and contract.auto_renew
    with store.read() as reader:
        contract = reader.contract("110000000001")
        assert contract is not None and contract.auto_renew
        assert [c.id for c in reader.changes()] == ["CHG-000001", "CHG-000002"]


def test_an_exception_in_a_write_writes_nothing(
    store_factory: StoreFactory, store: Store, sample_document: AccountDocument
) -> None:
    before = store_factory.snapshot(store) if store_factory.is_file else {}
    with pytest.raises(RuntimeError, match="boom"), store.write() as writer:
        writer.set_contract_partners("110000000001", [BUREAU])
        writer.add_change(change(writer.next_change_id()))
        writer.set_change_status("CHG-000002", "cancelled", at=NOW)
        raise RuntimeError("boom")
    assert exported(store) == sample_document
    if store_factory.kind == "json":
        assert store_factory.snapshot(store)["account.json"] == before["account.json"]


def test_a_failing_setter_rolls_back_the_whole_transaction(
    store: Store, sample_document: AccountDocument
) -> None:
    with pytest.raises(NotFoundError), store.write() as writer:
        writer.set_contract_auto_renew("110000000003", False)
        writer.set_contract_partners("110000000001", ["0000000000"])
    with pytest.raises(NotFoundError), store.write() as writer:
        writer.set_contract_auto_renew("999", True)
    with pytest.raises(NotFoundError), store.write() as writer:
        writer.set_change_status("CHG-424242", "applied", at=NOW)
    with pytest.raises(NotFoundError), store.write() as writer:
        writer.set_subscription_auto_renew("nope", True)
    with pytest.raises(ValueError), store.write() as writer:
        writer.set_subscription_partners("72000000001", [BUREAU])  # held by its contract
    with pytest.raises(ValueError), store.write() as writer:
        writer.add_change(change("CHG-000001"))  # the id is taken
    with pytest.raises(NotFoundError), store.write() as writer:
        writer.add_change(change("CHG-000005", contract="999"))
    with pytest.raises(NotFoundError), store.write() as writer:
        writer.add_change(change("CHG-000005", to="0000000000"))
    with pytest.raises(ValueError), store.write() as writer:
        writer.add_change(change("CHG-000005", contract=None, subscription="72000000001"))
    with pytest.raises(ValueError), store.write() as writer:
        writer.add_change(change("CHG-000005"))
        writer.add_change(change("CHG-000006"))  # a second pending change on one contract
    assert exported(store) == sample_document


def test_with_holders_reads_what_each_read_gives(store: Store) -> None:
    """A bulk batch's read-ahead (a few statements for all its ids) gives what reading
    each subscription, its contract and its holder's pending change gives; an unknown
    id is left out (in any order: the batch keeps them by id)."""
    with store.write() as writer:
        writer.add_change(change(writer.next_change_id(), contract="110000000002"))
        own = change(writer.next_change_id(), contract=None, subscription="72000000009")
        writer.add_change(own)
    ids = [f"720000000{n:02d}" for n in range(1, 13)] + ["72000000001", "79999999999"]
    with store.read() as reader:
        expected = {}
        for id in ids:
            sub = reader.subscription(id)
            if sub is not None:
                contract = reader.contract(sub.contract) if sub.contract else None
                expected[id] = (sub, contract, reader.pending_change(sub.contract or sub.id))
        got = {
            sub.id: (sub, contract, pending) for sub, contract, pending in reader.with_holders(ids)
        }
    assert got == expected and "79999999999" not in got
    assert {pending.holder for _, _, pending in got.values() if pending is not None} >= {
        "110000000002",
        "72000000009",
    }  # both kinds of holder are exercised


def test_submit_settles_a_due_pending_change_and_refuses_one_not_due(
    store_factory: StoreFactory, store: Store
) -> None:
    """``submit_change`` writes down the holder's pending change whose time has come
    before recording the new one, and refuses while one is pending and not yet due.
    (PostgreSQL dates a submission by its own clock, after these times: not due there
    is tested in test_team.)"""
    with store.write() as writer:
        first = writer.next_change_id()
        writer.add_change(change(first, contract="110000000002", to=ANCIEN))
    early = change("CHG-000000", contract="110000000002", at=NOW + timedelta(minutes=30))
    if store_factory.kind != "postgres":
        refused = pytest.raises(ValueError, match=f"already has pending change {first}")
        with refused, store.write() as writer:
            writer.submit_change(early, subscription="72000000004", replace_all=True)
    later = change("CHG-000000", contract="110000000002", at=NOW + timedelta(hours=2))
    with store.write() as writer:
        made = writer.submit_change(later, subscription="72000000004", replace_all=True)
    with store.read() as reader:
        assert reader.change(first).status == "applied"  # type: ignore[union-attr]
        assert reader.contract("110000000002").partners == (ANCIEN,)  # type: ignore[union-attr]
        pending = reader.pending_change("110000000002")
        assert pending is not None and pending.id == made.id != first
        assert [(e.event, e.change) for e in reader.history()[-3:]] == [
            ("submitted", first),
            ("applied", first),
            ("submitted", made.id),
        ]
    assert check_invariants(Context(store=store, now=NOW + timedelta(hours=2), actor=CLAIRE)) == []


BAD_CHANGES = [
    (change("CHG-000001"), ValueError, "CHG-000001 exists already"),
    (change("CHG-000005", contract=None), ValueError, "exactly one of contract or subscription"),
    (change("CHG-000005", contract="999"), NotFoundError, "No contract 999"),
    (
        change("CHG-000005", contract=None, subscription="79999999999"),
        NotFoundError,
        "No subscription 79999999999",
    ),
    (
        change("CHG-000005", contract=None, subscription="72000000001"),
        ValueError,
        "belongs to contract 110000000001, which holds its terms",
    ),
    (change("CHG-000005", to="0000000000"), NotFoundError, "No partner 0000000000"),
    (change("CHG-000005", by="nobody@example.com"), ValueError, "is not a user of the account"),
    (
        replace(change("CHG-000005"), effective_at=NOW - timedelta(seconds=1)),
        ValueError,
        "takes effect before it was submitted",
    ),
]


@pytest.mark.parametrize(("bad", "error", "message"), BAD_CHANGES)
def test_the_store_refuses_a_change_that_breaks_a_rule(
    store: Store, sample_document: AccountDocument, bad: Any, error: Any, message: str
) -> None:
    """Whoever calls ``add_change``, the store checks the change's rules itself."""
    with pytest.raises(error, match=message), store.write() as writer:
        writer.add_change(bad)
    assert exported(store) == sample_document


def test_the_rules_see_what_the_transaction_wrote_and_what_a_savepoint_undid(
    store: Store,
) -> None:
    """Within one transaction (a bulk batch): a second pending change on a holder is
    refused by the change written just before; a record a savepoint undid is not the
    chain's last one; the history chain holds."""
    own = {"contract": None, "subscription": "72000000009"}
    with store.write() as writer:
        first = writer.next_change_id()
        writer.add_change(change(first, **own))  # type: ignore[arg-type]
        refused = pytest.raises(ValueError, match=f"already has pending change {first}")
        with refused, writer.savepoint():
            writer.add_change(change(writer.next_change_id(), **own))  # type: ignore[arg-type]
        with pytest.raises(RuntimeError, match="this id fails"), writer.savepoint():
            writer.set_change_status(first, "cancelled", at=NOW)
            raise RuntimeError("this id fails")
        later = NOW + timedelta(minutes=1)
        writer.set_change_status(first, "cancelled", at=later, by=CLAIRE)
        second = writer.next_change_id()
        writer.add_change(change(second, at=later))
    ctx = Context(store=store, now=later, actor=CLAIRE)
    assert check_invariants(ctx) == []
    with store.read() as reader:
        assert [(e.event, e.change) for e in reader.history()[-3:]] == [
            ("submitted", first),
            ("cancelled", first),
            ("submitted", second),
        ]
        assert reader.pending_change("110000000001") is not None


def test_setters_change_exactly_what_they_name(
    store: Store, sample_document: AccountDocument
) -> None:
    with store.write() as writer:
        writer.set_contract_partners("110000000001", [ANCIEN, BUREAU])
        writer.set_subscription_partners("72000000009", [BUREAU])
        writer.set_contract_auto_renew("110000000003", False)
        writer.set_subscription_auto_renew("72000000009", False)
        writer.add_change(change("CHG-000002", contract="110000000002"))
        writer.set_change_status("CHG-000002", "cancelled", at=NOW)
    document = exported(store)
    contracts = {c.number: c for c in document.contracts}
    assert contracts["110000000001"].partners == (ANCIEN, BUREAU)
    assert not contracts["110000000003"].auto_renew
    fusion = next(s for s in document.subscriptions if s.id == "72000000009")
    assert fusion.partners == (BUREAU,) and fusion.auto_renew is False
    assert document.changes[1].status == "cancelled"
    expected = replace(
        sample_document,
        contracts=[
            replace(sample_document.contracts[0], auto_renew=False),
            replace(sample_document.contracts[1], partners=(ANCIEN, BUREAU)),
            sample_document.contracts[2],
        ],
        subscriptions=[
            *sample_document.subscriptions[:2],
            replace(sample_document.subscriptions[2], partners=(BUREAU,), auto_renew=False),
            sample_document.subscriptions[3],
        ],
        changes=[
            sample_document.changes[0],
            change("CHG-000002", contract="110000000002", status="cancelled"),
        ],
    )
    assert document == expected  # and nothing else moved


def test_change_ids_are_unique_and_increasing(store: Store) -> None:
    with store.write() as writer:
        first, second = writer.next_change_id(), writer.next_change_id()
        writer.add_change(change(second))
    with store.write() as writer:
        third = writer.next_change_id()
    ids = [first, second, third]
    assert number(first) > 1  # after the sample's CHG-000001
    assert [number(i) for i in ids] == sorted({number(i) for i in ids})
    with store.read() as reader:
        assert reader.change(second) is not None


def test_change_ids_follow_an_imported_history(
    store_factory: StoreFactory, sample_document: AccountDocument
) -> None:
    huge = "CHG-" + "9" * 40  # a valid id, far beyond any 64-bit sequence
    history = [
        change("CHG-000041", status="applied", at=NOW - timedelta(days=2)),
        change(huge, status="cancelled", at=NOW - timedelta(days=1)),
        change("legacy-7", status="applied", at=NOW - timedelta(days=3)),
    ]
    document = replace(sample_document, changes=history)
    store = store_factory()
    store.replace(document, force=False)
    with store.write() as writer:
        new = writer.next_change_id()
    assert new == "CHG-000042"
    assert exported(store) == document


def test_change_ids_stay_unique_across_concurrent_writers(
    store_factory: StoreFactory, sample_document: AccountDocument
) -> None:
    path = store_factory.path()
    store_factory(path=path).replace(sample_document, force=False)
    made: list[str] = []
    failures: list[BaseException] = []

    def submit_several() -> None:
        store = store_factory(path=path, timeout=30)
        try:
            for _ in range(5):
                with store.write() as writer:
                    id = writer.next_change_id()
                    writer.add_change(change(id, status="cancelled"))
                made.append(id)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=submit_several) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert len(made) == 20 and len(set(made)) == 20
    with store_factory(path=path).read() as reader:
        stored = [c.id for c in reader.changes()]
        assert sorted(stored) == sorted(["CHG-000001", *made])  # no update lost


def test_pending_changes_are_keyed_by_holder(store: Store) -> None:
    on_contract = change("CHG-000002", contract="110000000002", to=CADPRO)
    on_subscription = change("CHG-000003", contract=None, subscription="72000000009")
    with store.write() as writer:
        writer.add_change(on_contract)
        writer.add_change(on_subscription)
    with store.read() as reader:
        assert reader.pending_changes() == {
            "110000000002": on_contract,
            "72000000009": on_subscription,
        }
        assert reader.pending_change("110000000002") == on_contract
        assert reader.pending_change("72000000009") == on_subscription
        assert reader.pending_change("110000000001") is None  # its change is applied
        assert reader.changes("72000000009") == [on_subscription]
    with store.write() as writer:
        writer.set_change_status("CHG-000002", "cancelled", at=NOW)
    with store.read() as reader:
        assert list(reader.pending_changes()) == ["72000000009"]
        assert reader.pending_change("110000000002") is None


# --- locking -----------------------------------------------------------------------------


def test_a_writer_waits_for_another_then_gives_up(
    store_factory: StoreFactory, store: Store
) -> None:
    holding, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def hold() -> None:
        try:
            with store_factory(timeout=5).write() as writer:
                writer.set_contract_auto_renew("110000000001", True)
                holding.set()
                release.wait(10)
        except BaseException as exc:
            failures.append(exc)
            holding.set()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(10)
        with pytest.raises(StoreLockedError) as caught, store_factory(timeout=0.3).write():
            pytest.fail("two writers at once")
        assert caught.value.exit_code == 6
        assert "locked by another acctctl process" in caught.value.message
        with store_factory().read() as reader:  # readers do not wait for the writer
            contract = reader.contract("110000000001")
            assert contract is not None and not contract.auto_renew
    finally:
        release.set()
        thread.join(10)
    assert failures == []
    with store_factory(timeout=0.3).write() as writer:  # free again
        contract = writer.contract("110000000001")
        assert contract is not None and contract.auto_renew


def test_a_waiting_writer_sees_the_first_writers_change(
    store_factory: StoreFactory, store: Store
) -> None:
    holding = threading.Event()

    def hold() -> None:
        with store_factory().write() as writer:
            writer.add_change(change(writer.next_change_id()))
            holding.set()
            threading.Event().wait(0.3)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(10)
        with store_factory(timeout=10).write() as writer:
            assert writer.pending_change("110000000001") is not None  # no lost update
            writer.set_change_status("CHG-000002", "cancelled", at=NOW)
    finally:
        thread.join(10)
    with store.read() as reader:
        found = reader.change("CHG-000002")
        assert found is not None and found.status == "cancelled"


# --- files, schema, damage ---------------------------------------------------------------


@pytest.mark.parametrize("mask", [0o022, 0o000])
def test_files_are_private_whatever_the_umask(
    store_factory: StoreFactory, sample_document: AccountDocument, umask: None, mask: int
) -> None:
    if not store_factory.is_file:
        pytest.skip("no files")
    os.umask(mask)
    parent = store_factory.root
    parent_mode = mode(parent)
    store = store_factory(path=parent / "new" / "folder" / store_factory.path().name)
    store.replace(sample_document, force=False)
    assert mode(parent / "new") == 0o700
    assert mode(parent / "new" / "folder") == 0o700
    assert mode(parent) == parent_mode  # a folder that was there is left alone
    with store.write() as writer:
        writer.set_contract_auto_renew("110000000001", True)
        files = store_factory.files(store)
        assert len(files) >= 2  # the store and its -wal/-shm or lock file
        assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    for path in store_factory.files(store):
        assert mode(path) == 0o600, path
    leftovers = [p.name for p in (parent / "new" / "folder").iterdir() if p.name.endswith("tmp")]
    assert leftovers == []


def test_a_newer_schema_is_refused_and_left_alone(
    store_factory: StoreFactory, store: Store, sample_document: AccountDocument
) -> None:
    store_factory.stamp_newer_schema(store)
    before = store_factory.snapshot(store)
    for action in (store.read, store.write):
        with pytest.raises(StoreSchemaError) as caught, action():
            pytest.fail("a newer store gave a view")
        assert caught.value.exit_code == 6
        assert "newer acctctl" in caught.value.message
    with pytest.raises(StoreSchemaError):
        store.replace(sample_document, force=True)
    problems = store.check()
    assert len(problems) == 1 and "newer acctctl" in problems[0]
    assert store_factory.snapshot(store) == before


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_store_is_reported_and_never_overwritten(
    store_factory: StoreFactory, store: Store, sample_document: AccountDocument, how: str
) -> None:
    store_factory.damage(store, how)
    before = store_factory.snapshot(store)
    for action in (store.read, store.write):
        with pytest.raises(StoreCorruptError) as caught, action() as view:
            view.document()
        assert caught.value.exit_code == 6
        assert store.where() in caught.value.message
    for force in (False, True):
        with pytest.raises(StoreCorruptError):
            store.replace(sample_document, force=force)
    problems = store.check()
    assert problems and all(isinstance(p, str) and p for p in problems)
    assert store.exists()  # something is there: init must not treat it as free
    assert store_factory.snapshot(store) == before


def test_check_finds_a_healthy_store_healthy(store: Store) -> None:
    assert store.check() == []
    with store.write() as writer:
        writer.add_change(change(writer.next_change_id()))
    assert store.check() == []


def test_store_errors_share_one_exit_code() -> None:
    for error in (StoreMissingError, StoreCorruptError, StoreLockedError, StoreSchemaError):
        assert issubclass(error, StoreError) and error("x").exit_code == 6


def test_a_read_block_sees_one_snapshot(store_factory: StoreFactory, store: Store) -> None:
    with store.read() as reader:
        before = reader.contract("110000000001")
        assert before is not None and not before.auto_renew
        with store_factory().write() as writer:  # another process commits meanwhile
            writer.set_contract_auto_renew("110000000001", True)
        assert reader.contract("110000000001") == before
        subscriptions = reader.subscriptions()
        assert iter(subscriptions) is subscriptions  # streamed, not a list
        assert next(subscriptions).id == "72000000001"
    with store.read() as reader:
        after = reader.contract("110000000001")
        assert after is not None and after.auto_renew


# --- choosing the store ------------------------------------------------------------------


def test_open_store_picks_the_back_end_by_the_targets_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert isinstance(open_store(str(tmp_path / "a.json")), JsonFileStore)
    assert isinstance(open_store(str(tmp_path / "a.JSON")), JsonFileStore)
    sqlite = open_store("~/stores/account.db")
    assert isinstance(sqlite, SqliteStore)
    assert sqlite.where() == str(tmp_path / "stores" / "account.db")
    assert isinstance(open_store(str(tmp_path / "account")), SqliteStore)
    # Without psycopg (or the PostgreSQL module), a clear store error.
    monkeypatch.setitem(sys.modules, "acctctl.store.postgres", None)
    for url in ("postgresql://u:secret@db.example/acct", "postgres://db.example/acct"):
        with pytest.raises(StoreError, match=r"pip install 'acctctl\[postgres\]'"):
            open_store(url)


def test_default_store_path_honours_acctctl_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCTCTL_HOME", str(tmp_path / "home"))
    assert default_store_path() == tmp_path / "home" / "data" / "account.db"
    monkeypatch.delenv("ACCTCTL_HOME")
    assert default_store_path() == platformdirs.user_data_path("acctctl") / "account.db"


@pytest.mark.parametrize(
    ("target", "shown"),
    [
        ("postgresql://ann:s3cret@db.example:5432/acct", "postgresql://ann:***@db.example:5432/acct"),
        ("postgres://ann:p@ss@db.example/acct", "postgres://ann:***@db.example/acct"),
        ("postgresql://ann@db.example/acct", "postgresql://ann@db.example/acct"),
        ("postgresql://db.example/acct?password=x&sslmode=require",
         "postgresql://db.example/acct?password=***&sslmode=require"),
        ("/home/ann@work/account.db", "/home/ann@work/account.db"),
    ],
)  # fmt: skip
def test_redact_hides_a_password(target: str, shown: str) -> None:
    assert redact(target) == shown
