"""Load and faults, with nothing lost (issue 4, promises 1–3; SPEC §7).

Every test here runs the real program as separate processes on one store of each back
end (``store_factory``: SQLite, JSON file, and PostgreSQL when ACCTCTL_TEST_POSTGRES
names a server): many writers released at the same instant by a barrier, a writer
held behind another process's lock, a bulk change killed with SIGKILL part-way. None
asserts a duration: waits are bounded by generous timeouts, and ordering comes from
barriers and from what the processes print.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from acctctl.store.base import Store
from conftest import StoreFactory
from real_program import (
    ACCTCTL,
    CLAIRE,
    PROCESS_TIMEOUT,
    StartingLine,
    assert_clean_failure,
    contract_number,
    document_json,
    environment,
    exported,
    json_lines,
    many_contracts,
    partner_csn,
    run,
    subscription_id,
    target,
)

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def filled(store_factory: StoreFactory, contracts: int, **kw: Any) -> Store:
    store = store_factory()
    store.replace(many_contracts(contracts, **kw), force=False, sandbox=True)
    return store


def changes_by_contract(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for change in document["changes"]:
        found.setdefault(change["contract"], []).append(change)
    return found


# --- 1. concurrent writers ----------------------------------------------------------------


@pytest.mark.slow
def test_sixteen_writers_on_sixteen_contracts_all_submit(
    store_factory: StoreFactory, home: Path
) -> None:
    store = filled(store_factory, 16)
    env = environment(home, target(store), user=CLAIRE)
    env["ACCTCTL_BUSY_TIMEOUT"] = "120"  # correctness under contention, not the timeout
    line = StartingLine()
    for n in range(16):
        line.start(
            env, "partner", "change", subscription_id(n), "--csn", partner_csn(1), "--yes", "--json"
        )
    line.release()
    results = line.finish()

    for code, out, err in results:
        assert "locked" not in err, err
        assert code == 0, (code, out, err)
        [result] = json_lines(out)
        assert result["status"] == "submitted", result
    changes = exported(store)["changes"]
    assert sorted(c["contract"] for c in changes) == [contract_number(n) for n in range(16)]
    assert len({c["id"] for c in changes}) == 16, "two writers were given one change id"
    assert all(c["status"] == "pending" and c["to"] == partner_csn(1) for c in changes)
    assert run(env, "store", "check").returncode == 0


@pytest.mark.slow
def test_twelve_writers_racing_on_one_contract_exactly_one_submits(
    store_factory: StoreFactory, home: Path
) -> None:
    store = filled(store_factory, 3)
    env = environment(home, target(store), user=CLAIRE)
    env["ACCTCTL_BUSY_TIMEOUT"] = "120"  # correctness under contention, not the timeout
    line = StartingLine()
    for n in range(1, 13):
        line.start(
            env, "partner", "change", subscription_id(1), "--csn", partner_csn(n), "--yes", "--json"
        )
    line.release()
    results = line.finish()

    submitted = [json_lines(out)[0] for code, out, _ in results if code == 0]
    refused = [(code, json_lines(out), err) for code, out, err in results if code != 0]
    assert len(submitted) == 1, results
    assert submitted[0]["status"] == "submitted"
    assert len(refused) == 11
    for code, lines, err in refused:
        assert code == 3, (code, lines, err)
        [result] = lines
        assert result["status"] == "rejected"
        assert [r["code"] for r in result["reasons"]] == ["change-pending"], result
        assert "locked" not in err
    [change] = exported(store)["changes"]
    assert change["id"] == submitted[0]["change"]["id"]
    assert change["to"] == submitted[0]["change"]["to"]
    assert change["contract"] == contract_number(1)


# --- 2. waiting, not failing ----------------------------------------------------------------


@pytest.fixture
def held_lock(store_factory: StoreFactory) -> Iterator[tuple[Store, ExitStack]]:
    """A store, and a write transaction on it held by this test process (another process
    than acctctl's) until the ``ExitStack`` is closed."""
    store = filled(store_factory, 3)
    with ExitStack() as holding:
        yield store, holding


def start_change_behind_the_lock(
    home: Path, store: Store, holding: ExitStack, busy_timeout: str
) -> subprocess.Popen[str]:
    """Take the write lock, start `partner change --yes`, and return once the process has
    printed step 6: its next move is the write transaction, which must wait."""
    env = environment(home, target(store), user=CLAIRE)
    env["ACCTCTL_BUSY_TIMEOUT"] = busy_timeout
    holding.enter_context(store.write())
    process = subprocess.Popen(
        [*ACCTCTL, "partner", "change", subscription_id(1), "--csn", partner_csn(2), "--yes"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert process.stderr is not None
    for progress in process.stderr:
        assert "acctctl:" not in progress, progress
        if progress.startswith("Step 6/8"):
            return process
    raise AssertionError(f"no step 6: exit {process.wait()}")


@pytest.mark.slow
def test_a_writer_waits_for_a_held_lock_then_succeeds(
    held_lock: tuple[Store, ExitStack], home: Path
) -> None:
    store, holding = held_lock
    process = start_change_behind_the_lock(home, store, holding, busy_timeout="90")
    try:
        time.sleep(2.0)  # the lock is held a few seconds; the writer must still be waiting
        assert process.poll() is None, "the writer did not wait for the lock"
    finally:
        holding.close()
    out, err = process.communicate(timeout=PROCESS_TIMEOUT)

    assert process.returncode == 0, (out, err)
    assert "\tsubmitted\t" in out
    [change] = exported(store)["changes"]
    assert change["to"] == partner_csn(2)


@pytest.mark.slow
def test_a_lock_held_past_the_busy_timeout_is_exit_6_with_a_sentence(
    held_lock: tuple[Store, ExitStack], home: Path
) -> None:
    store, holding = held_lock
    before = exported(store)
    process = start_change_behind_the_lock(home, store, holding, busy_timeout="1")
    try:
        out, err = process.communicate(timeout=PROCESS_TIMEOUT)
    finally:
        holding.close()

    assert process.returncode == 6, (out, err)
    assert "Traceback" not in err and "internal error" not in err
    [message] = [line for line in err.splitlines() if line.startswith("acctctl: ")]
    assert "locked" in message and message.rstrip().endswith("."), message
    assert out == ""
    assert exported(store) == before


@pytest.mark.parametrize("value", ["soon", "0", "-3", "nan", "inf"])
def test_a_malformed_busy_timeout_is_a_usage_error(tmp_path: Path, value: str) -> None:
    env = environment(tmp_path / "home", str(tmp_path / "account.db"), user=CLAIRE)
    env["ACCTCTL_BUSY_TIMEOUT"] = value
    done = run(env, "store", "init", "--demo")
    assert_clean_failure(done, 2)
    assert "ACCTCTL_BUSY_TIMEOUT" in done.stderr
    assert not (tmp_path / "account.db").exists()


# --- 3. crashes ---------------------------------------------------------------------------

CONTRACTS = 90


def bulk_change(
    env: dict[str, str], csn: str, ids: list[str], *, more_to_come: bool = False
) -> tuple[subprocess.Popen[str], int | None]:
    """`partner change - --csn CSN --yes --json`, every id already waiting on stdin.
    ``more_to_come``: standard input stays open (its write end is returned), so the
    process never ends on its own: a kill always finds it running."""
    read_end, write_end = os.pipe()
    os.write(write_end, "".join(f"{i}\n" for i in ids).encode())  # ~1 KiB: fits the pipe
    if not more_to_come:
        os.close(write_end)
    try:
        process = subprocess.Popen(
            [*ACCTCTL, "partner", "change", "-", "--csn", csn, "--yes", "--json"],
            env=env,
            stdin=read_end,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
    finally:
        os.close(read_end)
    return process, write_end if more_to_come else None


def kill_part_way(env: dict[str, str], csn: str, ids: list[str], after: int) -> list[Any]:
    """Run a bulk change and SIGKILL it once ``after`` results are out; every result it
    printed before it died."""
    process, stdin = bulk_change(env, csn, ids, more_to_come=True)
    assert process.stdout is not None and stdin is not None
    reported = []
    try:
        for line in process.stdout:
            reported.append(json.loads(line))
            if len(reported) == after:
                process.send_signal(signal.SIGKILL)
                break
        process.wait(timeout=PROCESS_TIMEOUT)
    finally:
        os.close(stdin)
    assert process.returncode == -signal.SIGKILL, process.communicate()[1]
    rest = process.stdout.read()
    whole_lines = rest[: rest.rfind("\n") + 1]  # a line cut by the kill was never reported
    return reported + json_lines(whole_lines)


def assert_consistent(env: dict[str, str], store: Store, reported: list[Any]) -> dict[str, Any]:
    """`store check` passes; every change is whole; nothing reported submitted is lost;
    each contract's partners are those its applied changes say."""
    done = run(env, "store", "check")
    assert done.returncode == 0, done.stderr
    assert "is healthy" in done.stdout
    document = exported(store)
    partners = {c["number"]: c["partners"] for c in document["contracts"]}
    history = changes_by_contract(document)
    ids = [c["id"] for c in document["changes"]]
    assert len(ids) == len(set(ids))
    for number, held in partners.items():
        changes = history.get(number, [])
        applied = [c for c in changes if c["status"] == "applied"]
        pending = [c for c in changes if c["status"] == "pending"]
        assert held == ([applied[-1]["to"]] if applied else [partner_csn(0)]), (number, changes)
        assert len(pending) <= 1, (number, changes)
        for change in changes:  # complete: every field there, and coherent
            assert change["by"] == CLAIRE and change["from"], change
            assert change["submitted_at"] < change["effective_at"], change
        if pending:
            assert pending[0]["from"] == held, (number, changes)
    stored = {c["id"]: c for c in document["changes"]}
    for result in reported:
        assert result["status"] == "submitted", result
        change = stored.get(result["change"]["id"])
        assert change is not None, f"reported {result['change']['id']} is lost"
        assert (change["contract"], change["to"]) == (result["contract"], result["change"]["to"])
    return document


@pytest.mark.slow
def test_a_bulk_change_killed_part_way_leaves_a_consistent_store(
    store_factory: StoreFactory, home: Path
) -> None:
    store = filled(store_factory, CONTRACTS)
    ids = [subscription_id(n) for n in range(CONTRACTS)]
    first = environment(home, target(store), user=CLAIRE)
    # Two hours later, round 1's changes are in effect: round 2 writes them down
    # (applied, partners moved) and submits new ones, in the same transactions.
    later = environment(home, target(store), user=CLAIRE, now="2026-11-26T11:30:00Z")

    reported = kill_part_way(first, partner_csn(1), ids, after=CONTRACTS // 3)
    assert_consistent(first, store, reported)

    reported = kill_part_way(later, partner_csn(2), ids, after=CONTRACTS // 4)
    document = assert_consistent(later, store, reported)
    assert any(c["status"] == "applied" for c in document["changes"])

    # The store is not left locked: running the whole batch again finishes the work.
    process, _ = bulk_change(later, partner_csn(2), ids)
    out, err = process.communicate(timeout=PROCESS_TIMEOUT)
    assert process.returncode == 0, err
    statuses = [r["status"] for r in json_lines(out)]
    assert len(statuses) == CONTRACTS and set(statuses) <= {"submitted", "unchanged"}
    document = assert_consistent(later, store, [])
    for number, changes in changes_by_contract(document).items():
        assert [c["to"] for c in changes if c["status"] == "pending"] == [partner_csn(2)], number


# --- store check: integrity and the domain's invariants -------------------------------------


def tamper(path: Path, *statements: str) -> None:
    """Write behind acctctl's back, as a broken tool or a bad restore would."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA foreign_keys = OFF")
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()


def pending_row(change_id: str, contract: str) -> str:
    return (
        "INSERT INTO changes (id, ord, contract, subscription, holder, to_partner, by_user,"
        f" submitted_at, effective_at, status) VALUES ('{change_id}', 9, '{contract}', NULL,"
        f" '{contract}', '{partner_csn(1)}', '{CLAIRE}', '2026-11-26T09:00:00+00:00',"
        " '2026-11-26T10:00:00+00:00', 'pending')"
    )


def corrupt_index(path: Path) -> None:
    """Scribble on the index page of subscriptions by contract: the table is intact, its
    index no longer matches (what PRAGMA integrity_check finds)."""
    connection = sqlite3.connect(path)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    (root,) = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'subscriptions_by_contract'"
    ).fetchone()
    connection.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * page_size
    for i in range(start + page_size // 2, start + page_size):
        if data[i] == ord("7"):
            data[i] = ord("8")
    path.write_bytes(bytes(data))


BREAKAGES: dict[str, tuple[tuple[str, ...], str]] = {
    "foreign-key": (
        (f"INSERT INTO contract_partners VALUES ('{contract_number(0)}', 5, '9999999999')",),
        "refers to a partners row that does not exist",
    ),
    "contract-without-partner": (
        (f"DELETE FROM contract_partners WHERE contract = '{contract_number(0)}'",),
        f"contract {contract_number(0)} has no partner",
    ),
    "two-pending-changes": (
        (
            "DROP INDEX changes_pending",
            pending_row("CHG-000001", contract_number(1)),
            pending_row("CHG-000002", contract_number(1)),
        ),
        f"{contract_number(1)} has more than one pending change",
    ),
    "change-of-no-contract": (
        (pending_row("CHG-000003", "NOPE-1"),),
        "change CHG-000003 names unknown contract NOPE-1",
    ),
    "change-by-no-user": (
        (
            pending_row("CHG-000004", contract_number(2)),
            "UPDATE changes SET by_user = 'ghost@nowhere.example' WHERE id = 'CHG-000004'",
        ),
        "change CHG-000004 names unknown user ghost@nowhere.example",
    ),
    "index-corrupt": ((), "missing from index subscriptions_by_contract"),
}


@pytest.mark.slow
@pytest.mark.parametrize("breakage", BREAKAGES)
def test_store_check_finds_each_broken_promise(tmp_path: Path, breakage: str) -> None:
    path = tmp_path / "account.db"
    env = environment(tmp_path / "home", str(path), user=CLAIRE)
    assert (
        run(
            env, "store", "import", "--sandbox", "-", input=document_json(many_contracts(8))
        ).returncode
        == 0
    )
    assert run(env, "store", "check").returncode == 0
    statements, problem = BREAKAGES[breakage]
    if statements:
        tamper(path, *statements)
    else:
        corrupt_index(path)

    done = run(env, "store", "check")
    assert done.returncode == 6, (done.stdout, done.stderr)
    assert problem in done.stderr
    assert re.search(r"has \d+ problems?\.", done.stderr) and "Traceback" not in done.stderr
    assert done.stdout == ""
