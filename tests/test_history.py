"""History that cannot be rewritten unseen, and time that belongs to the store (issue 13).

On every back end: each change record is hash-chained (history.py); `store check` names
the first record that was edited or removed (exit 6); a document's chain survives export
and import, and a document without one still imports. ACCTCTL_NOW dates writes only on a
sandbox store, and no write is dated before the latest recorded event.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from acctctl.cli.app import app
from acctctl.document import parse_document
from acctctl.document_json import document_to_json
from acctctl.domain import AccountDocument
from acctctl.history import GENESIS, event_hash, synthesize, verify
from acctctl.store.base import Store
from conftest import BUREAU, CLAIRE, StoreFactory

NOW = "2026-11-26T12:00:00Z"
ON_CONTRACT = "72000000001"  # of contract 110000000001 in the sample account, eligible

Run = Callable[..., Any]


def cli(store: Store, tmp_path: Path) -> Run:
    runner = CliRunner()

    def run(*args: str, now: str | None = NOW, input: str | None = None) -> Any:
        env = {
            "ACCTCTL_HOME": str(tmp_path / "home"),
            "ACCTCTL_STORE": getattr(store, "url", None) or store.where(),
            "ACCTCTL_NO_PROMPT": "1",
            "ACCTCTL_USER": CLAIRE,
            "ACCTCTL_NOW": now or "",
        }
        return runner.invoke(app, list(args), env=env, input=input, catch_exceptions=False)

    return run


@pytest.fixture
def sandbox(
    store_factory: StoreFactory, sample_document: AccountDocument, tmp_path: Path
) -> Iterator[tuple[Store, Run]]:
    store = store_factory()
    store.replace(sample_document, force=False, sandbox=True)
    yield store, cli(store, tmp_path)


def change(run: Run, *extra: str, now: str = NOW) -> Any:
    return run("partner", "change", ON_CONTRACT, "--csn", BUREAU, "--yes", "--json", now=now)


# --- the chain -------------------------------------------------------------------------


def test_every_write_is_chained_and_check_says_healthy(sandbox: tuple[Store, Run]) -> None:
    store, run = sandbox
    assert change(run).exit_code == 0
    change_id = json.loads(change(run).stdout)["change"]["id"]  # unchanged: the same one
    assert run("partner", "cancel", change_id, "--yes").exit_code == 0
    with store.read() as reader:
        history = reader.history()
        assert [(e.event, e.change) for e in history] == [
            ("submitted", "CHG-000001"),
            ("applied", "CHG-000001"),
            ("submitted", change_id),
            ("cancelled", change_id),
        ]
        assert history[-1].by == CLAIRE
        assert verify(reader.changes(), history) == []
    checked = run("store", "check")
    assert checked.exit_code == 0, checked.stderr
    assert f"chain head {history[-1].hash}" in checked.stderr


def test_the_chain_survives_export_and_import(
    sandbox: tuple[Store, Run], store_factory: StoreFactory, tmp_path: Path
) -> None:
    _store, run = sandbox
    assert change(run).exit_code == 0
    exported = run("store", "export")
    document = json.loads(exported.stdout)
    assert len(document["history"]) == 3
    copy = store_factory("copy")
    copied = cli(copy, tmp_path)
    assert copied("store", "import", "-", input=exported.stdout).exit_code == 0
    assert copied("store", "export").stdout == exported.stdout
    assert copied("store", "check").exit_code == 0


def test_an_imported_chain_that_does_not_hold_is_refused(
    sandbox: tuple[Store, Run], store_factory: StoreFactory, tmp_path: Path
) -> None:
    _store, run = sandbox
    assert change(run).exit_code == 0
    document = json.loads(run("store", "export").stdout)
    document["changes"][1]["by"] = "marc@dupont.example"  # who did it, rewritten
    copy = store_factory("copy")
    refused = cli(copy, tmp_path)("store", "import", "-", input=json.dumps(document))
    assert refused.exit_code == 2
    assert "history: history record 3" in refused.stderr
    assert "hash does not match" in refused.stderr
    assert not copy.exists()


def test_a_document_without_a_chain_still_imports(
    store_factory: StoreFactory, sample_document: AccountDocument, tmp_path: Path
) -> None:
    data = document_to_json(sample_document)
    assert "history" not in data
    store = store_factory()
    run = cli(store, tmp_path)
    assert run("store", "import", "-", input=json.dumps(data)).exit_code == 0
    exported = json.loads(run("store", "export").stdout)
    assert [e["event"] for e in exported["history"]] == ["submitted", "applied"]
    assert run("store", "check").exit_code == 0


def _edit_sqlite(path: Path, *statements: str) -> None:
    db = sqlite3.connect(path)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def _edit_json(path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data), encoding="utf-8")


TAMPERING: dict[str, tuple[tuple[str, ...], Callable[[dict[str, Any]], None], str]] = {
    # name: (SQLite statements, JSON edit, what `store check` names)
    "by rewritten": (
        ("UPDATE changes SET by_user = 'marc@dupont.example' WHERE id = 'CHG-000002'",),
        lambda d: d["changes"][1].update(by="marc@dupont.example"),
        "history record 3 (submitted CHG-000002",
    ),
    "record deleted": (
        ("DELETE FROM history WHERE seq = 2",),
        lambda d: d["history"].pop(1),
        "history record 2 (submitted CHG-000002",
    ),
    "change deleted": (
        ("DELETE FROM change_from WHERE change = 'CHG-000002'",
         "DELETE FROM changes WHERE id = 'CHG-000002'"),
        lambda d: d["changes"].pop(1),
        "change CHG-000002 is missing",
    ),
    "status rewritten": (
        ("UPDATE changes SET status = 'applied' WHERE id = 'CHG-000002'",),
        lambda d: d["changes"][1].update(status="applied"),
        "change CHG-000002 says applied, but its history says pending",
    ),
    "back-dated": (
        ("UPDATE history SET at = '2026-01-01T00:00:00+00:00' WHERE seq = 3",),
        lambda d: d["history"][2].update(at="2026-01-01T00:00:00+00:00"),
        "history record 3",
    ),
}  # fmt: skip


@pytest.mark.parametrize("how", list(TAMPERING))
@pytest.mark.parametrize("kind", ["sqlite", "json"])
def test_an_edited_or_deleted_history_record_is_found_by_store_check(
    kind: str, how: str, sample_document: AccountDocument, tmp_path: Path
) -> None:
    factory = StoreFactory(kind, tmp_path)
    store = factory()
    store.replace(sample_document, force=False, sandbox=True)
    run = cli(store, tmp_path)
    assert change(run).exit_code == 0
    assert run("store", "check").exit_code == 0
    statements, edit, named = TAMPERING[how]
    path = Path(store.where())
    if kind == "sqlite":
        _edit_sqlite(path, *statements)
    else:
        _edit_json(path, edit)
    checked = run("store", "check")
    assert checked.exit_code == 6, checked.stderr
    assert named in checked.stderr
    assert "Traceback" not in checked.stderr


def test_python_hashes_the_same_bytes_whatever_the_offset() -> None:
    moment = datetime(2026, 11, 26, 12, 0, 0, 123456, tzinfo=UTC)
    elsewhere = moment.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    one = event_hash(GENESIS, "applied", "CHG-000001", moment, None, None)
    assert one == event_hash(GENESIS, "applied", "CHG-000001", elsewhere, None, None)
    assert one != event_hash(
        GENESIS, "applied", "CHG-000001", moment + timedelta(microseconds=1), None, None
    )


def test_a_synthesized_chain_verifies_and_any_edit_breaks_it(
    sample_document: AccountDocument,
) -> None:
    chain = synthesize(sample_document.changes)
    assert verify(sample_document.changes, chain) == []
    edited = [replace(sample_document.changes[0], to="5550003333")]
    [problem] = verify(edited, chain)
    assert problem.startswith("history record 1 (submitted CHG-000001")
    document = parse_document({**document_to_json(sample_document), "history": []})
    assert document.history == []


# --- time belongs to the store -------------------------------------------------------------


def test_acctctl_now_is_refused_for_writes_on_a_store_that_is_not_a_sandbox(
    store_factory: StoreFactory, sample_document: AccountDocument, tmp_path: Path
) -> None:
    store = store_factory()
    store.replace(sample_document, force=False)
    run = cli(store, tmp_path)
    refused = change(run)
    assert refused.exit_code == 6
    assert "ACCTCTL_NOW is set" in refused.stderr and "not a sandbox store" in refused.stderr
    for args in (("subs", "auto-renew", ON_CONTRACT, "--on", "--yes"),):
        assert run(*args).exit_code == 6
    # Reads still honour it (ACCTCTL_NOW is for demonstrations and tests).
    listed = run("subs", "show", ON_CONTRACT, "--json")
    assert listed.exit_code == 0 and json.loads(listed.stdout)["days_left"] == 308
    with store.read() as reader:
        assert len(reader.history()) == 2  # nothing written
    assert run("store", "path").stderr == ""  # not a sandbox: nothing said


def test_a_write_dated_before_the_latest_event_is_refused(sandbox: tuple[Store, Run]) -> None:
    store, run = sandbox
    assert change(run).exit_code == 0
    with store.read() as reader:
        before = reader.history()
    for earlier in ("2026-11-26T11:59:59Z", "2026-06-01T00:00:00Z"):
        refused = run("partner", "cancel", before[-1].change, "--yes", now=earlier)
        assert refused.exit_code == 6, refused.stderr
        assert "before it, so nothing was written" in refused.stderr
    with store.read() as reader:
        assert reader.history() == before
    assert "sandbox store" in run("store", "path").stderr


def test_an_expired_contract_cannot_be_moved_by_winding_the_clock_back(
    store_factory: StoreFactory, sample_document: AccountDocument, tmp_path: Path
) -> None:
    """The issue's attack: ACCTCTL_NOW 200 days back, on an ordinary store."""
    store = store_factory()
    store.replace(sample_document, force=False)
    run = cli(store, tmp_path)
    attack = change(run, now=(datetime.now(UTC) - timedelta(days=200)).isoformat())
    assert attack.exit_code == 6
    with store.read() as reader:
        assert reader.pending_changes() == {}
