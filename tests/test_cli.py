"""Every command in its non-interactive form, through Typer's CliRunner.

Each test checks the exit code, parses stdout as JSON where it is JSON, looks for the
message on stderr, and that no prompt text reached stdout.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from acctctl.cli.app import app
from conftest import PostgresDatabases

NOW = "2026-11-26T10:00:00Z"
ADMIN = "claire@dupont.example"
NEW_PARTNER = "5550002222"

Run = Callable[..., Any]


@pytest.fixture(params=["sqlite", "json", "postgres"])
def run(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Run]:
    """Invoke acctctl on a fresh demo store of each back end."""
    monkeypatch.setenv("ACCTCTL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ACCTCTL_NOW", NOW)
    monkeypatch.setenv("ACCTCTL_NO_PROMPT", "1")
    for var in ("ACCTCTL_STORE", "ACCTCTL_USER", "LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    databases = None
    if request.param == "postgres":
        databases = PostgresDatabases(request.getfixturevalue("postgres_server"))
        store = databases.url()
    else:
        store = str(tmp_path / ("account.json" if request.param == "json" else "account.db"))
    monkeypatch.setenv("ACCTCTL_STORE", store)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Any:
        return runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)

    result = invoke("store", "init", "--demo")
    assert result.exit_code == 0, result.stderr
    yield invoke
    if databases is not None:
        databases.drop_all()


def subs(run: Run, *extra: str) -> list[dict[str, Any]]:
    result = run(*extra, "subs", "list", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def with_reason(run: Run, code: str) -> dict[str, Any]:
    for sub in subs(run):
        if [r["code"] for r in sub["reasons"]] == [code]:
            return sub
    raise AssertionError(f"the demo has no subscription blocked only by {code}")


def eligible(run: Run, *, partners: int = 1) -> dict[str, Any]:
    for sub in subs(run, "--as", ADMIN):
        if sub["eligible"] and len(sub["partners"]) == partners:
            return sub
    raise AssertionError(f"the demo has no eligible subscription with {partners} partner(s)")


def change(run: Run, *args: str, as_: str = ADMIN) -> Any:
    return run("--as", as_, "partner", "change", *args, "--yes", "--json")


# --- subs list / show ---------------------------------------------------------------

SUB_FIELDS = {
    "id", "product", "seats", "plan", "contract", "manager", "term_end", "days_left",
    "auto_renew", "agreement", "partners", "pending_change", "eligible", "reasons",
}  # fmt: skip


def test_list_json_has_the_spec_fields_and_every_rule(run: Run) -> None:
    data = subs(run)
    assert len(data) >= 8
    for sub in data:
        assert set(sub) >= SUB_FIELDS
        assert sub["eligible"] == (sub["reasons"] == [])
        for reason in sub["reasons"]:
            assert set(reason) == {"code", "message"} and reason["message"]
    codes = {r["code"] for s in data for r in s["reasons"]}
    assert {"auto-renew", "token-flex", "expired", "expiring-soon", "new-buying-model"} <= codes
    new_model = with_reason(run, "new-buying-model")
    assert new_model["contract"] is None and new_model["agreement"] is None


def test_list_ids_and_eligible_agree_with_json(run: Run) -> None:
    result = run("--as", ADMIN, "subs", "list", "--eligible", "--ids")
    assert result.exit_code == 0
    ids = result.stdout.split()
    expected = [s["id"] for s in subs(run, "--as", ADMIN) if s["eligible"]]
    assert ids == expected and ids


def test_list_plain_text_when_piped(run: Run) -> None:
    result = run("subs", "list")
    assert result.exit_code == 0
    header, *rows = result.stdout.splitlines()
    assert header.split("\t")[0] == "ID" and "Can change partner" in header
    assert len(rows) == len(subs(run))


def test_identity_that_is_not_the_manager_sees_not_contract_manager(run: Run) -> None:
    users = json.loads(run("store", "export").stdout)["users"]
    plain = next(u["email"] for u in users if u["role"] == "user")
    codes = {r["code"] for s in subs(run, "--as", plain) for r in s["reasons"]}
    assert "not-contract-manager" in codes


def test_show_one_subscription(run: Run) -> None:
    sub = eligible(run)
    result = run("subs", "show", sub["id"], "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["id"] == sub["id"] and set(data) >= SUB_FIELDS
    assert data["support_level"]
    assert all(s["id"] != sub["id"] for s in data["contract_subscriptions"])
    text = run("subs", "show", with_reason(run, "auto-renew")["id"])
    assert text.exit_code == 0 and "auto-renew" in text.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("subs", "show", "99999999999"), 4, "No subscription 99999999999"),
        (("subs", "show", "bad id!"), 2, "not a valid subscription id"),
        (("partner", "lookup", "123456789"), 2, "exactly 10 digits"),
        (("partner", "lookup", "１２３４５６７８９０"), 2, "exactly 10 digits"),
        (("partner", "lookup", "9999999999"), 4, "No partner"),
        (("partner", "history", "nope"), 4, "No subscription or contract"),
        (("partner", "cancel", "CHG-999999", "--yes"), 4, "No change"),
    ],
)
def test_bad_input_one_message_and_exit_code(
    run: Run, args: tuple[str, ...], code: int, message: str
) -> None:
    result = run("--as", ADMIN, *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_lookup_partner(run: Run) -> None:
    result = run("partner", "lookup", f" {NEW_PARTNER} ", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {"csn", "name", "city", "country", "email", "active"}
    assert data["csn"] == NEW_PARTNER and data["active"] is True


# --- partner change --yes -------------------------------------------------------------


def test_change_submits_then_takes_effect_an_hour_later(run: Run) -> None:
    sub = eligible(run)
    result = change(run, sub["id"], "--csn", NEW_PARTNER)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "submitted" and data["subscription"] == sub["id"]
    assert data["change"]["to"] == NEW_PARTNER
    assert data["change"]["from"] == [p["csn"] for p in sub["partners"]]
    assert data["change"]["effective_at"] == "2026-11-26T11:00:00+00:00"
    assert result.stderr == ""  # no Step lines with --json

    pending = json.loads(run("subs", "show", sub["id"], "--json").stdout)
    assert pending["pending_change"]["to"]["csn"] == NEW_PARTNER
    assert pending["partners"] == sub["partners"]

    later = run("subs", "show", sub["id"], "--json", env={"ACCTCTL_NOW": "2026-11-26T11:00:00Z"})
    shown = json.loads(later.stdout)
    assert shown["pending_change"] is None
    assert [p["csn"] for p in shown["partners"]] == [NEW_PARTNER]
    # every subscription of the contract moved with it
    for other in shown["contract_subscriptions"]:
        moved = json.loads(
            run(
                "subs", "show", other["id"], "--json", env={"ACCTCTL_NOW": "2026-11-26T12:00Z"}
            ).stdout
        )
        assert [p["csn"] for p in moved["partners"]] == [NEW_PARTNER]
    history = json.loads(
        run("partner", "history", "--json", env={"ACCTCTL_NOW": "2026-11-27"}).stdout
    )
    assert [c["status"] for c in history] == ["applied"] and history[0]["by"] == ADMIN


def test_step_lines_go_to_stderr_without_json(run: Run) -> None:
    sub = eligible(run)
    result = run("--as", ADMIN, "partner", "change", sub["id"], "--csn", NEW_PARTNER, "--yes")
    assert result.exit_code == 0
    for n in range(1, 9):
        assert f"Step {n}/8" in result.stderr
    assert "Step" not in result.stdout and "submitted" in result.stdout


def test_same_partner_again_is_unchanged_and_another_is_change_pending(run: Run) -> None:
    sub = eligible(run)
    assert change(run, sub["id"], "--csn", NEW_PARTNER).exit_code == 0
    again = change(run, sub["id"], "--csn", NEW_PARTNER)
    assert again.exit_code == 0 and json.loads(again.stdout)["status"] == "unchanged"
    partners = json.loads(run("store", "export").stdout)["partners"]
    other = next(
        p["csn"]
        for p in partners
        if p["active"]
        and p["csn"] not in (NEW_PARTNER,)
        and p["csn"] not in [x["csn"] for x in sub["partners"]]
    )
    third = change(run, sub["id"], "--csn", other)
    assert third.exit_code == 3
    assert [r["code"] for r in json.loads(third.stdout)["reasons"]] == ["change-pending"]


def test_current_partner_is_unchanged(run: Run) -> None:
    sub = eligible(run)
    result = change(run, sub["id"], "--csn", sub["partners"][0]["csn"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == "unchanged"
    assert json.loads(run("partner", "history", "--json").stdout) == []


@pytest.mark.parametrize("code", ["auto-renew", "token-flex", "expired", "expiring-soon",
                                  "new-buying-model"])  # fmt: skip
def test_each_rule_rejects_with_code_sentence_and_exit_3(run: Run, code: str) -> None:
    sub = with_reason(run, code)
    result = change(run, sub["id"], "--csn", NEW_PARTNER)
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["status"] == "rejected" and data["change"] is None
    assert [r["code"] for r in data["reasons"]] == [code]
    assert data["reasons"][0]["message"]
    assert json.loads(run("partner", "history", "--json").stdout) == []


def test_multiple_partners_needs_replace_all(run: Run) -> None:
    sub = eligible(run, partners=2)
    refused = change(run, sub["id"], "--csn", NEW_PARTNER)
    assert refused.exit_code == 3
    assert [r["code"] for r in json.loads(refused.stdout)["reasons"]] == ["multiple-partners"]
    accepted = change(run, sub["id"], "--csn", NEW_PARTNER, "--replace-all")
    assert accepted.exit_code == 0
    assert len(json.loads(accepted.stdout)["change"]["from"]) == 2


def test_inactive_partner_is_rejected(run: Run) -> None:
    partners = json.loads(run("store", "export").stdout)["partners"]
    inactive = next(p["csn"] for p in partners if not p["active"])
    result = change(run, eligible(run)["id"], "--csn", inactive)
    assert result.exit_code == 3
    assert [r["code"] for r in json.loads(result.stdout)["reasons"]] == ["partner-inactive"]


def test_authorization_unknown_user_and_not_manager(run: Run) -> None:
    sub = eligible(run)
    # Who acts is settled before step 1: no step line, no result, one sentence.
    unknown = change(run, sub["id"], "--csn", NEW_PARTNER, as_="nobody@example.org")
    assert unknown.exit_code == 5 and unknown.stdout == ""
    assert "is not a user of this account" in unknown.stderr and "Step" not in unknown.stderr
    users = json.loads(run("store", "export").stdout)["users"]
    plain = next(u["email"] for u in users if u["role"] == "user")
    refused = change(run, sub["id"], "--csn", NEW_PARTNER, as_=plain)
    assert refused.exit_code == 5 and refused.stdout == ""
    assert "may change no partner" in refused.stderr and "Step" not in refused.stderr


def test_dry_run_writes_nothing(run: Run) -> None:
    sub = eligible(run)
    before = run("store", "export").stdout
    result = run("--as", ADMIN, "partner", "change", sub["id"], "--csn", NEW_PARTNER,
                 "--dry-run", "--json")  # fmt: skip
    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == "would-submit"
    assert run("store", "export").stdout == before


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (("partner", "change", "X1", "--yes"), "--csn"),
        (("partner", "change", "--csn", NEW_PARTNER, "--yes"), "IDs"),
        (("partner", "change", "X1", "--csn", NEW_PARTNER), "--yes"),
        (("partner", "cancel", "CHG-000001"), "--yes"),
        (("subs", "auto-renew", "X1", "--off"), "--yes"),
    ],
)
def test_missing_value_when_not_interactive_names_the_flag(
    run: Run, args: tuple[str, ...], flag: str
) -> None:
    result = run("--as", ADMIN, *args)
    assert result.exit_code == 2
    assert flag in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [(), ("--csn", NEW_PARTNER), ("72000000001",), ("72000000001", "--csn", NEW_PARTNER)],
)
def test_an_unknown_user_is_refused_before_a_missing_flag(run: Run, args: tuple[str, ...]) -> None:
    """Who acts is settled before step 1 asks anything (issue 10): exit 5, not the
    missing --csn / ID / --yes (exit 2)."""
    result = run("--as", "nobody@x.example", "partner", "change", *args)
    assert result.exit_code == 5, result.stderr
    assert "nobody@x.example" in result.stderr and "Step" not in result.stderr


def test_missing_identity_is_a_usage_error(run: Run) -> None:
    result = run("partner", "change", eligible(run)["id"], "--csn", NEW_PARTNER, "--yes")
    assert result.exit_code == 2 and "--as" in result.stderr


def test_many_ids_from_stdin_json_lines_in_order_exit_of_first_failure(run: Run) -> None:
    good = eligible(run)
    bad = with_reason(run, "expired")
    ids = [good["id"], "no-such-sub", bad["id"], "bad id!"]
    result = run("--as", ADMIN, "partner", "change", "-", "--csn", NEW_PARTNER, "--yes", "--json",
                 input="\n".join(ids) + "\n")  # fmt: skip
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in lines] == ["submitted", "error", "rejected", "error"]
    assert [r["subscription"] for r in lines[:3]] == ids[:3]
    assert result.exit_code == 4  # the first failure: not found


# --- history, cancel, auto-renew --------------------------------------------------------


def test_cancel_a_pending_change(run: Run) -> None:
    sub = eligible(run)
    change_id = json.loads(change(run, sub["id"], "--csn", NEW_PARTNER).stdout)["change"]["id"]
    result = run("--as", ADMIN, "partner", "cancel", change_id, "--yes")
    assert result.exit_code == 0, result.stderr
    history = json.loads(run("partner", "history", sub["id"], "--json").stdout)
    assert [(c["id"], c["status"]) for c in history] == [(change_id, "cancelled")]
    again = run("--as", ADMIN, "partner", "cancel", change_id, "--yes")
    assert again.exit_code == 3 and "only a pending change" in again.stderr
    shown = json.loads(run("subs", "show", sub["id"], "--json").stdout)
    assert shown["pending_change"] is None and shown["partners"] == sub["partners"]


def test_auto_renew_off_makes_the_contract_eligible(run: Run) -> None:
    sub = with_reason(run, "auto-renew")
    result = run("--as", ADMIN, "subs", "auto-renew", sub["id"], "--off", "--yes")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(run("subs", "show", sub["id"], "--json").stdout)
    assert shown["auto_renew"] is False and shown["eligible"] is True
    users = json.loads(run("store", "export").stdout)["users"]
    plain = next(u["email"] for u in users if u["role"] == "user")
    refused = run("--as", plain, "subs", "auto-renew", sub["id"], "--on", "--yes")
    assert refused.exit_code == 5


# --- store ----------------------------------------------------------------------------


def test_store_init_refuses_to_overwrite(run: Run) -> None:
    result = run("store", "init", "--demo")
    assert result.exit_code == 2 and "--force" in result.stderr
    assert run("store", "init", "--demo", "--exist-ok").exit_code == 0
    assert run("--as", ADMIN, "store", "init", "--force").exit_code == 0
    assert subs(run) == []


def test_export_then_import_gives_the_same_document(run: Run, tmp_path: Path) -> None:
    sub = eligible(run)
    assert change(run, sub["id"], "--csn", NEW_PARTNER).exit_code == 0
    exported = run("store", "export").stdout
    target = tmp_path / "copy.json"
    assert run("store", "export", "-o", str(target)).exit_code == 0
    assert target.read_text() == exported
    again = run("--store", str(tmp_path / "other.db"), "store", "import", "--sandbox", str(target))
    assert again.exit_code == 0, again.stderr
    assert run("--store", str(tmp_path / "other.db"), "store", "export").stdout == exported


def test_bad_import_names_the_place_and_writes_nothing(run: Run, tmp_path: Path) -> None:
    before = run("store", "export").stdout
    document = json.loads(before)
    document["subscriptions"][3]["seats"] = 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    result = run("--as", ADMIN, "store", "import", "--sandbox", str(bad), "--force")
    assert result.exit_code == 2
    assert "subscriptions[3].seats" in result.stderr
    assert run("store", "export").stdout == before
    broken = run("store", "import", "--sandbox", "-", "--force", input='{"format": ')
    assert broken.exit_code == 2 and "not JSON" in broken.stderr


def test_missing_store_says_how_to_create_one(run: Run, tmp_path: Path) -> None:
    result = run("--store", str(tmp_path / "nothing.db"), "subs", "list")
    assert result.exit_code == 6
    assert "store init --demo" in result.stderr
    assert not (tmp_path / "nothing.db").exists()


def test_corrupt_store_is_reported_and_left_alone(run: Run, tmp_path: Path) -> None:
    for name, content in (("junk.db", b"this is not a database" * 100), ("junk.json", b'{"form')):
        path = tmp_path / name
        path.write_bytes(content)
        result = run("--store", str(path), "subs", "list")
        assert result.exit_code == 6, result.stderr
        assert "Traceback" not in result.stderr
        assert path.read_bytes() == content


def test_store_check_and_path(run: Run) -> None:
    assert run("store", "check").exit_code == 0
    where = run("store", "path").stdout.strip()
    assert where.endswith(("account.db", "account.json")) or where.startswith("postgresql://")
    assert "ci-secret" not in where


# --- config ---------------------------------------------------------------------------


def test_config_set_get_and_precedence(run: Run, tmp_path: Path) -> None:
    assert run("config", "set", "user", ADMIN).exit_code == 0
    assert run("config", "get", "user").stdout.strip() == ADMIN
    assert run("config", "set", "colour", "blue").exit_code == 2
    assert run("config", "set", "propagation_minutes", "soon").exit_code == 2
    assert run("config", "set", "propagation_minutes", "120").exit_code == 0
    path = Path(run("config", "path").stdout.strip())
    assert path.stat().st_mode & 0o777 == 0o600
    shown = json.loads(run("config", "show", "--json").stdout)
    assert shown["user"] == {"value": ADMIN, "source": "config"}
    assert shown["store"]["source"] == "environment"
    flag = json.loads(run("--as", "x@y.example", "config", "show", "--json").stdout)
    assert flag["user"] == {"value": "x@y.example", "source": "flag"}
    # the config's identity acts, and its propagation delay is used
    sub = eligible(run)
    result = run("partner", "change", sub["id"], "--csn", NEW_PARTNER, "--yes", "--json")
    assert json.loads(result.stdout)["change"]["effective_at"] == "2026-11-26T12:00:00+00:00"


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("acctctl ")


def test_identity_ignores_case_and_spaces_and_records_the_account_email(run: Run) -> None:
    sub = eligible(run)
    result = change(run, sub["id"], "--csn", NEW_PARTNER, as_=" Claire@DUPONT.example ")
    assert result.exit_code == 0, result.stdout
    history = json.loads(run("partner", "history", "--json").stdout)
    assert history[0]["by"] == ADMIN


def test_an_unknown_identity_is_warned_about_when_listing(run: Run) -> None:
    result = run("--as", "nobody@example.org", "subs", "list", "--eligible", "--ids")
    assert result.exit_code == 0 and result.stdout == ""
    assert "nobody@example.org is not a user" in result.stderr
    listed = run("--as", "nobody@example.org", "subs", "list", "--ids")
    assert listed.stdout.split() and "nobody@example.org is not a user" in listed.stderr
    known = run("--as", ADMIN, "subs", "list", "--ids")
    assert known.stdout.split() and known.stderr == ""


def test_an_empty_store_is_replaced_without_an_identity(run: Run, tmp_path: Path) -> None:
    target = str(tmp_path / "empty.db")
    assert run("--store", target, "store", "init").exit_code == 0
    exported = run("store", "export").stdout
    source = tmp_path / "account.json"
    source.write_text(exported)
    result = run("--store", target, "store", "import", "--sandbox", str(source), "--force")
    assert result.exit_code == 0, result.stderr
    assert run("--store", target, "store", "export").stdout == exported


def test_auto_renew_needs_on_or_off(run: Run) -> None:
    result = run("--as", ADMIN, "subs", "auto-renew", eligible(run)["id"], "--yes")
    assert result.exit_code == 2 and "--on or --off" in result.stderr


def test_language_comes_from_flag_then_config_then_locale(run: Run) -> None:
    shown = json.loads(run("config", "show", "--json", env={"LANG": "fr_FR.UTF-8"}).stdout)
    assert shown["lang"] == {"value": "fr", "source": "environment (LANG)"}
    assert run("config", "set", "lang", "en").exit_code == 0
    shown = json.loads(run("config", "show", "--json", env={"LANG": "fr_FR.UTF-8"}).stdout)
    assert shown["lang"] == {"value": "en", "source": "config"}
    flag = json.loads(run("--lang", "fr", "config", "show", "--json").stdout)
    assert flag["lang"] == {"value": "fr", "source": "flag"}


def test_store_check_on_an_account_without_contracts(run: Run, tmp_path: Path) -> None:
    document = json.loads(run("store", "export").stdout)
    document["subscriptions"] = [s for s in document["subscriptions"] if s["contract"] is None]
    document["contracts"] = []
    source = tmp_path / "no-contracts.json"
    source.write_text(json.dumps(document))
    target = str(tmp_path / "no-contracts.db")
    assert run("--store", target, "store", "import", "--sandbox", str(source)).exit_code == 0
    result = run("--store", target, "store", "check")
    assert result.exit_code == 0, result.stderr
    assert "healthy" in result.stdout
