"""Who may write (issue 4, promise 6; SPEC §3, §4).

Every write path checks who is acting, in the real program, on every back end: a
partner change, withdrawing a change, automatic renewal, and replacing a whole
existing store (``store import --force``, ``store init --force``). One test per role
and per path. A refusal is its exit code (5 not allowed, 2 when nobody is named) and
a store left exactly as it was — including bookkeeping such as writing down a change
whose time has come, which only an allowed command may do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from acctctl.demo import ALPES_CONCEPTION, BIM_NANTES, CADPRO, demo_document
from acctctl.domain import AccountDocument, Change
from conftest import StoreFactory, a_change
from real_program import (
    CLAIRE,
    JULIE,
    MARC,
    NOW_MOMENT,
    THOMAS,
    TODAY,
    InProcess,
    assert_clean_failure,
    document_json,
    environment,
    exported,
    json_lines,
    many_contracts,
    run,
    target,
)

pytestmark = pytest.mark.timeout(120)

# Contract 110000000007 of the sample account is managed by Thomas, a secondary admin;
# its subscription is 72000000009.
CONTRACT = "110000000007"
SUBSCRIPTION = "72000000009"
CHANGE = "CHG-000001"

ROLES: dict[str, str | None] = {
    "primary-admin": CLAIRE,
    "secondary-admin-managing-the-contract": THOMAS,
    "secondary-admin-not-managing-it": MARC,
    "user": JULIE,
    "unknown-email": "mallory@elsewhere.example",
    "no-identity": None,
}


def pending_change(submitted_before_now: timedelta) -> Change:
    return a_change(
        CHANGE,
        contract=CONTRACT,
        from_=(ALPES_CONCEPTION,),
        to=CADPRO,
        at=NOW_MOMENT - submitted_before_now,
    )


@dataclass(frozen=True)
class WritePath:
    """A command that writes, the account it starts from, and who may run it."""

    args: tuple[str, ...]
    allowed: frozenset[str]
    changes: tuple[Change, ...] = ()

    def account(self) -> AccountDocument:
        return replace(demo_document(TODAY, NOW_MOMENT), changes=list(self.changes))


MANAGERS = frozenset({"primary-admin", "secondary-admin-managing-the-contract"})
PRIMARY = frozenset({"primary-admin"})

PATHS = {
    # A change whose time has come is pending on the contract: only an allowed change
    # may write it down (applied) before submitting its own.
    "partner-change": WritePath(
        ("partner", "change", SUBSCRIPTION, "--csn", BIM_NANTES, "--yes", "--json"),
        MANAGERS,
        (pending_change(timedelta(hours=2)),),
    ),
    "partner-cancel": WritePath(
        ("partner", "cancel", CHANGE, "--yes"), MANAGERS, (pending_change(timedelta(minutes=10)),)
    ),
    "subs-auto-renew": WritePath(("subs", "auto-renew", SUBSCRIPTION, "--on", "--yes"), MANAGERS),
    "store-import-force": WritePath(
        ("store", "import", "--sandbox", "{document}", "--force"), PRIMARY
    ),
    "store-init-force": WritePath(
        ("store", "init", "--demo", "--force"), PRIMARY, (pending_change(timedelta(minutes=10)),)
    ),
}


def expected_effect(path: str, before: dict[str, Any], after: dict[str, Any]) -> None:
    """What an allowed command must have written."""
    contract = {c["number"]: c for c in after["contracts"]}.get(CONTRACT)
    if path == "partner-change":
        by_id = {c["id"]: c for c in after["changes"]}
        assert by_id[CHANGE]["status"] == "applied"
        assert contract is not None and contract["partners"] == [CADPRO]
        [new] = [c for c in after["changes"] if c["status"] == "pending"]
        assert (new["contract"], new["from"], new["to"]) == (CONTRACT, [CADPRO], BIM_NANTES)
    elif path == "partner-cancel":
        assert [c["status"] for c in after["changes"]] == ["cancelled"]
    elif path == "subs-auto-renew":
        assert contract is not None and contract["auto_renew"] is True
    elif path == "store-import-force":
        assert [c["number"] for c in after["contracts"]] == ["120000000000", "120000000001"]
    elif path == "store-init-force":
        assert after == exported_demo()
    assert after != before


def exported_demo() -> dict[str, Any]:
    from acctctl.document_json import document_to_json

    return document_to_json(demo_document(TODAY, NOW_MOMENT))


@pytest.mark.parametrize("way", ["in-process", pytest.param("process", marks=pytest.mark.slow)])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", PATHS)
def test_every_write_path_checks_who_is_acting(
    store_factory: StoreFactory,
    tmp_path: Path,
    path: str,
    role: str,
    way: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write = PATHS[path]
    store = store_factory()
    store.replace(write.account(), force=False, sandbox=True)
    other_account = tmp_path / "other-account.json"
    other_account.write_text(document_json(many_contracts(2)), encoding="utf-8")
    args = [a.replace("{document}", str(other_account)) for a in write.args]
    env = environment(tmp_path / "home", target(store), user=ROLES[role])
    before = exported(store)

    done = (run if way == "process" else InProcess(capsys))(env, *args)

    after = exported(store)
    if role in write.allowed:
        assert done.returncode == 0, (done.stdout, done.stderr)
        expected_effect(path, before, after)
        return
    assert after == before, "a refused command wrote to the store"
    if role == "no-identity":
        assert_clean_failure(done, 2)
        assert "--as EMAIL" in done.stderr
        return
    assert done.returncode == 5, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert_clean_failure(done, 5)
    if path == "partner-change":
        # Who acts is settled before step 1: an unknown identity, or a user who manages no
        # contract, is told so at once (no result line); see test_not_the_manager_here.
        why = "is not a user" if role == "unknown-email" else "may change no partner"
        assert why in done.stderr


def test_not_the_manager_of_this_contract_is_a_rejected_result(
    store_factory: StoreFactory, tmp_path: Path
) -> None:
    """Thomas manages contract 110000000007 only: on another one he is refused by the
    not-contract-manager rule, as a result line."""
    store = store_factory()
    store.replace(demo_document(TODAY, NOW_MOMENT), force=False, sandbox=True)
    env = environment(tmp_path / "home", target(store), user=THOMAS)
    done = run(env, "partner", "change", "72000000001", "--csn", BIM_NANTES, "--yes", "--json")
    assert done.returncode == 5, done.stderr
    [result] = json_lines(done.stdout)
    assert result["status"] == "rejected"
    assert [r["code"] for r in result["reasons"]] == ["not-contract-manager"], json.dumps(result)


@pytest.mark.parametrize(
    ("lang", "said", "not_said"),
    [
        ("C.UTF-8", "may turn automatic renewal off for contract 110000000002", "reseller"),
        ("fr_FR.UTF-8", "peut désactiver le renouvellement automatique de", "revendeur"),
    ],
)
def test_auto_renew_refused_names_automatic_renewal(
    store_factory: StoreFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    lang: str,
    said: str,
    not_said: str,
) -> None:
    """Thomas does not manage 110000000002: the refusal speaks of what he asked
    (automatic renewal), not of reseller information."""
    store = store_factory()
    store.replace(demo_document(TODAY, NOW_MOMENT), force=False, sandbox=True)
    env = environment(tmp_path / "home", target(store), user=THOMAS, LANG=lang)
    done = InProcess(capsys)(env, "subs", "auto-renew", "72000000004", "--off", "--yes")
    assert done.returncode == 5 and "Traceback" not in done.stderr, done.stderr
    assert said in " ".join(done.stderr.split())
    assert not_said not in done.stderr
