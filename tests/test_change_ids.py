"""Change ids are never reused (issue 14, item 5), on every back end.

A saved `CHG-…` (in a ticket, a script's log) must never come to name another
contract's change: after `store import --force` of a document with fewer changes, or
`store init --force` (a replaced account), numbering goes on from the highest id the
store ever handed out. A JSON store keeps that number in its own file
(`last_change_number`, written only when its changes do not say it).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import StoreFactory
from real_program import (
    CLAIRE,
    document_json,
    environment,
    json_lines,
    many_contracts,
    partner_csn,
    run,
    subscription_id,
    target,
)

pytestmark = pytest.mark.timeout(180)


def submit(env: dict[str, str], n: int, partner: int = 1) -> str:
    done = run(
        env, "partner", "change", subscription_id(n), "--csn", partner_csn(partner), "--yes",
        "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (result,) = json_lines(done.stdout)
    assert result["status"] == "submitted", result
    return str(result["change"]["id"])


@pytest.mark.slow
def test_change_ids_go_on_across_a_forced_import_and_a_replaced_account(
    store_factory: StoreFactory, tmp_path: Path
) -> None:
    store = store_factory()
    env = environment(tmp_path / "home", target(store), user=CLAIRE)
    fresh = tmp_path / "fresh.json"
    fresh.write_text(document_json(many_contracts(4)), encoding="utf-8")
    assert run(env, "store", "import", "--sandbox", str(fresh)).returncode == 0

    first = [submit(env, n) for n in range(3)]
    assert first == ["CHG-000001", "CHG-000002", "CHG-000003"]

    # The same account again, without its changes: CHG-000001 must not come back.
    assert run(env, "store", "import", "--sandbox", "--force", str(fresh)).returncode == 0
    assert submit(env, 0) == "CHG-000004"

    # A replaced account (store init --force): still no id handed out twice.
    assert run(env, "store", "init", "--force", "--demo").returncode == 0
    taken = {c["id"] for c in json.loads(run(env, "partner", "history", "--json").stdout)}
    again = run(env, "store", "import", "--sandbox", "--force", str(fresh))
    assert again.returncode == 0, again.stderr
    assert submit(env, 1) not in {*first, "CHG-000004", *taken}


def test_a_json_store_remembers_the_number_in_its_file(tmp_path: Path) -> None:
    store = tmp_path / "account.json"
    env = environment(tmp_path / "home", str(store), user=CLAIRE)
    fresh = tmp_path / "fresh.json"
    fresh.write_text(document_json(many_contracts(2)), encoding="utf-8")
    assert run(env, "store", "import", "--sandbox", str(fresh)).returncode == 0
    submit(env, 0)
    submit(env, 1)

    assert run(env, "store", "import", "--sandbox", "--force", str(fresh)).returncode == 0

    saved = json.loads(store.read_text(encoding="utf-8"))
    assert saved["changes"] == [] and saved["last_change_number"] == 2
    # Exports are the same from every back end: the number is the file's own memory.
    assert "last_change_number" not in json.loads(run(env, "store", "export").stdout)
    assert submit(env, 0) == "CHG-000003"
    # The number, imported with a document elsewhere, moves that store's sequence up.
    document = {k: v for k, v in saved.items() if k != "sandbox"}
    (tmp_path / "document.json").write_text(json.dumps(document), encoding="utf-8")
    other = environment(tmp_path / "home", str(tmp_path / "other.db"), user=CLAIRE)
    done = run(other, "store", "import", "--sandbox", str(tmp_path / "document.json"))
    assert done.returncode == 0, done.stderr
    assert submit(other, 1) == "CHG-000003"  # after the 2 the document says were issued
