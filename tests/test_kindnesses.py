"""The small kindnesses of issue 11: empty states, contracts by number, CSNs as written
in e-mails, `config set user` checked, help without Python types, --json and --quiet
where scripts act, error results with a code."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from acctctl.cli.app import app, main

NOW = "2026-11-26T09:30:00Z"
CLAIRE = "claire@dupont.example"
BUREAU = "5550002222"
Run = Callable[..., Any]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("ACCTCTL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ACCTCTL_NOW", NOW)
    monkeypatch.setenv("ACCTCTL_NO_PROMPT", "1")
    monkeypatch.setenv("ACCTCTL_STORE", str(tmp_path / "account.db"))
    for var in ("ACCTCTL_USER", "LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Any:
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    assert invoke("store", "init", "--demo").exit_code == 0
    return invoke


@pytest.mark.usefixtures("cards_for_a_person")
def test_subs_show_a_contract_number_shows_the_contract_and_all_its_subscriptions(
    run: Run,
) -> None:
    shown = run("subs", "show", "110000000001", "--json")
    assert shown.exit_code == 0
    data = json.loads(shown.stdout)
    assert data["contract"] == "110000000001"
    assert [s["id"] for s in data["subscriptions"]] == ["72000000001", "72000000002", "72000000003"]
    text = run("subs", "show", "110000000001").stdout
    assert "Contract 110000000001" in text and "72000000003" in text
    missing = run("subs", "show", "110000009999")
    assert missing.exit_code == 4 and "No subscription 110000009999" in missing.stderr


@pytest.mark.parametrize("written", ["555 000 2222", "555-000-2222", " 5550002222 "])
def test_a_csn_written_as_in_an_email_is_accepted(run: Run, written: str) -> None:
    found = run("partner", "lookup", written, "--json")
    assert found.exit_code == 0 and json.loads(found.stdout)["csn"] == BUREAU
    assert run("partner", "lookup", "555.000.2222").exit_code == 2


def test_config_set_user_checks_the_account(run: Run, tmp_path: Path) -> None:
    refused = run("config", "set", "user", "nobody@dupont.example")
    assert refused.exit_code == 5 and "nothing was saved" in refused.stderr
    assert run("config", "get", "user").exit_code == 4
    assert run("config", "set", "user", CLAIRE).exit_code == 0
    assert run("config", "get", "user").stdout.strip() == CLAIRE
    elsewhere = run("--store", str(tmp_path / "none.db"), "config", "set", "user", "x@y.example")
    assert elsewhere.exit_code == 0 and "warning" in elsewhere.stderr


def test_empty_history_says_so_at_a_terminal_and_prints_the_header_in_a_pipe(run: Run) -> None:
    assert run("partner", "history").stdout == (
        "Change\tContract\tFrom\tTo\tBy\tSubmitted\tEffective\tStatus\n"
    )


def test_cancel_and_auto_renew_speak_json_and_quiet_drops_the_step_lines(run: Run) -> None:
    quiet = run("--as", CLAIRE, "partner", "change", "72000000001", "--csn", BUREAU, "--yes", "-q")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    fields = quiet.stdout.strip().split("\t")
    assert fields[:3] == ["72000000001", "submitted", "CHG-000001"]
    assert fields[3] == "2026-11-26T10:30:00+00:00"
    cancelled = run("--as", CLAIRE, "partner", "cancel", "CHG-000001", "--yes", "--json")
    assert cancelled.exit_code == 0
    assert json.loads(cancelled.stdout)["status"] == "cancelled"
    renewed = run("--as", CLAIRE, "subs", "auto-renew", "72000000004", "--off", "--yes", "--json")
    assert json.loads(renewed.stdout) == {
        "subscription": "72000000004",
        "contract": "110000000002",
        "auto_renew": False,
        "changed": True,
    }


def test_an_error_result_carries_a_code(run: Run) -> None:
    done = run(
        "--as", CLAIRE, "partner", "change", "-", "--csn", BUREAU, "--yes", "--json",
        input="bad id!\n99999\n",
    )  # fmt: skip
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["status"], r["code"]) for r in results] == [
        ("error", "malformed-id"),
        ("error", "unknown-subscription"),
    ]
    assert all(r["message"] for r in results)


@pytest.mark.parametrize(
    "command",
    [["partner", "change"], ["subs", "show"], ["config", "set"], ["partner", "history"], []],
)
def test_help_shows_no_python_types_braces_or_cut_summaries(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main([*command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "<" not in text and "{" not in text, text
    assert "..." not in text.replace("[ID]...", "").replace("COMMAND [ARGS]...", ""), text


@pytest.mark.parametrize("columns", ["80", "50"])
@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize(
    "group", [[], ["subs"], ["partner"], ["store"], ["config"], ["store", "members"]]
)
def test_no_group_cuts_a_command_summary_mid_sentence(
    group: list[str],
    lang: str,
    columns: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 11, point 7: a group's list of commands gives each one's first sentence,
    whole (wrapped if need be), never Click's "..." cut, in English and in French."""
    monkeypatch.setenv("COLUMNS", columns)
    assert main(["--lang", lang, *group, "--help"]) == 0
    text = capsys.readouterr().out
    heading = "Commands:" if lang == "en" else "Commandes\u202f:"
    assert heading in text, text
    listed = text.split(heading, 1)[1].splitlines()
    assert listed and not any(line.rstrip().endswith(("...", "…")) for line in listed), text
    assert not any("..." in line for line in listed), text
