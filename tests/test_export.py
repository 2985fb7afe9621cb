"""`subs list|show --from FILE`: the vendor's Subscriptions export read as the store is.

The reader in every form a spreadsheet saves (separator, BOM, old and new column
names, quoting, extra columns), every rule as the export shows it, what the export
cannot tell ("check", `eligible: null`), and every file it cannot read (exit 4, one
sentence naming the column and the row).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from exports import (
    ACCOUNT,
    BUREAU,
    CADPRO,
    COLUMNS,
    MANAGER,
    NEW_NAMES,
    OLD_NAMES,
    Run,
    by_id,
    one_error_line,
    render,
    row,
    write,
)
from exports import run as run  # the fixture

ROOT = Path(__file__).resolve().parent.parent


def listing(run: Run, path: Path, *extra: str) -> dict[str, dict[str, Any]]:
    result = run(*extra, "subs", "list", "--from", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    return dict(by_id(json.loads(result.stdout)))


@pytest.mark.parametrize("separator", [",", ";"])
@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
@pytest.mark.parametrize("names", [OLD_NAMES, NEW_NAMES], ids=["old-names", "new-names"])
def test_every_form_of_the_export_reads_the_same(
    run: Run, tmp_path: Path, separator: str, bom: bool, names: dict[str, str]
) -> None:
    path = write(tmp_path / "export.csv", separator=separator, bom=bom, names=names)
    subs = listing(run, path)
    assert list(subs) == [r["subscription_id"] for r in ACCOUNT]
    first = subs["72000000001"]
    assert first["product"] == 'AutoCAD "LT", 2027'  # quotes and a comma inside a field
    assert first["contract"] == "110000000001"
    assert first["term_end"] == "2027-09-30"
    assert first["seats"] == 10
    assert first["plan"] == "standard"
    assert first["manager"] == MANAGER
    assert first["partners"] == [{"csn": None, "name": "CADpro Lyon"}]
    assert first["eligible"] is True
    assert subs["72000000004"]["partners"][1]["name"] == BUREAU[0]  # a ";" inside a name


def test_extra_columns_and_another_order_are_ignored(run: Run, tmp_path: Path) -> None:
    plain = listing(run, write(tmp_path / "plain.csv"))
    shuffled = write(tmp_path / "extra.csv", columns=tuple(reversed(COLUMNS)), extra=True)
    assert listing(run, shuffled) == plain


def test_the_sample_export_in_the_docs_reads(run: Run) -> None:
    subs = listing(run, ROOT / "docs" / "sample-subscriptions-export.csv")
    assert len(subs) == 9
    assert subs["72000000201"]["contract"] is None


def test_standard_input_is_read_with_a_dash(run: Run) -> None:
    result = run("subs", "list", "--from", "-", "--ids", input=render(ACCOUNT, separator=";"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == [r["subscription_id"] for r in ACCOUNT]


# --- every rule, as the export shows it ---------------------------------------------


@pytest.mark.parametrize(
    ("sub", "codes"),
    [
        ("72000000001", []),
        ("72000000002", ["auto-renew"]),  # an autorenew_date: automatic renewal on
        ("72000000005", ["token-flex"]),  # "Token Flex" in the plan name
        ("72000000006", ["expiring-soon"]),  # 90 days left
        ("72000000007", []),  # 91 days left
        ("72000000008", ["expired"]),
        ("72000000009", ["new-buying-model"]),  # no contract number
    ],
)
def test_each_rule_from_the_export(run: Run, tmp_path: Path, sub: str, codes: list[str]) -> None:
    subs = listing(run, write(tmp_path / "export.csv"))
    assert [r["code"] for r in subs[sub]["reasons"]] == codes
    assert subs[sub]["eligible"] is (not codes)
    assert subs[sub]["unknown"] == []


def test_mapping_of_the_columns(run: Run, tmp_path: Path) -> None:
    subs = listing(run, write(tmp_path / "export.csv"))
    assert subs["72000000002"]["auto_renew"] is True
    assert subs["72000000001"]["auto_renew"] is False
    assert subs["72000000005"]["agreement"] == "eba-token-flex"
    assert subs["72000000009"]["agreement"] is None
    # The distinct resellers of a contract's rows are its partners, on every row.
    both = [{"csn": None, "name": CADPRO[0]}, {"csn": None, "name": BUREAU[0]}]
    assert subs["72000000003"]["partners"] == both
    assert subs["72000000004"]["partners"] == both


def test_token_flex_is_recognised_from_the_offering_name(run: Run, tmp_path: Path) -> None:
    path = write(
        tmp_path / "e.csv",
        [row("72000000001", "110000000001", "2027-09-30", offering="Token-Flex EBA", plan="")],
    )
    assert listing(run, path)["72000000001"]["reasons"][0]["code"] == "token-flex"


def test_auto_renew_fix_is_done_in_the_portal_not_on_the_store(run: Run, tmp_path: Path) -> None:
    message = listing(run, write(tmp_path / "e.csv"))["72000000002"]["reasons"][0]["message"]
    assert "portal" in message
    assert "acctctl subs auto-renew" not in message


@pytest.mark.usefixtures("cards_for_a_person")
def test_several_partners_are_all_replaced(run: Run, tmp_path: Path) -> None:
    result = run("subs", "show", "72000000004", "--from", str(write(tmp_path / "e.csv")))
    assert result.exit_code == 0, result.stderr
    assert "replaces all of them" in result.stdout
    assert "account number unknown — check it in the portal" in result.stdout


def test_the_contract_manager_may_change_and_others_read_check(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv")
    assert listing(run, path, "--as", MANAGER.upper())["72000000001"]["eligible"] is True
    other = listing(run, path, "--as", "marc@dupont.example")["72000000001"]
    # Marc may be the account's primary admin: the export cannot say, so no rejection.
    assert other["eligible"] is None
    assert other["reasons"] == []
    assert other["unknown"] == ["contract-manager"]


# --- what the file cannot tell ------------------------------------------------------

NEW_EXPORT = tuple(c for c in COLUMNS if c not in ("contract_manager_email", "plan"))


@pytest.mark.usefixtures("cards_for_a_person")
def test_an_unknown_fact_reads_check(run: Run, tmp_path: Path) -> None:
    without_renewal = tuple(c for c in COLUMNS if c != "autorenew_date")
    path = write(tmp_path / "e.csv", columns=without_renewal)
    subs = listing(run, path)
    first = subs["72000000001"]
    assert first["eligible"] is None
    assert first["auto_renew"] is None
    assert first["unknown"] == ["auto-renew"]
    # A known rule still says no; the unknown is listed too.
    assert subs["72000000008"]["eligible"] is False
    assert subs["72000000008"]["unknown"] == ["auto-renew"]
    table = run("subs", "list", "--from", str(path))
    line = next(x for x in table.stdout.splitlines() if x.startswith("72000000001"))
    assert line.split("\t")[6] == "unknown"
    assert line.endswith("\tcheck")
    shown = run("subs", "show", "72000000001", "--from", str(path))
    assert "Can change partner  check" in shown.stdout
    assert "? auto-renew: Automatic renewal of contract 110000000001: unknown — check" in (
        shown.stdout
    )


def test_eligible_only_lists_what_is_known_to_be_changeable(run: Run, tmp_path: Path) -> None:
    without_renewal = tuple(c for c in COLUMNS if c != "autorenew_date")
    path = write(tmp_path / "e.csv", columns=without_renewal)
    result = run("subs", "list", "--from", str(path), "--eligible", "--ids")
    assert result.exit_code == 0
    assert result.stdout == ""
    known = run("subs", "list", "--from", str(write(tmp_path / "k.csv")), "--eligible", "--ids")
    assert known.stdout.split() == ["72000000001", "72000000003", "72000000004", "72000000007"]


@pytest.mark.usefixtures("cards_for_a_person")
def test_new_exports_without_manager_or_plan(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", columns=NEW_EXPORT, names=NEW_NAMES)
    plain = listing(run, path)["72000000001"]
    assert plain["manager"] is None
    assert plain["plan"] is None
    assert plain["eligible"] is True  # nobody asked as whom: the manager does not matter
    acting = listing(run, path, "--as", MANAGER)["72000000001"]
    assert acting["eligible"] is None
    assert acting["unknown"] == ["contract-manager"]
    detail = run("subs", "show", "72000000001", "--from", str(path))
    assert "Plan                unknown — check the plan in the portal" in detail.stdout
    assert "Contract manager    unknown — check it in the portal" in detail.stdout


def test_token_flex_is_unknown_without_offering_or_plan(run: Run, tmp_path: Path) -> None:
    columns = tuple(c for c in COLUMNS if c not in ("offering_name", "plan"))
    subs = listing(run, write(tmp_path / "e.csv", columns=columns))
    assert subs["72000000001"]["unknown"] == ["token-flex"]
    assert subs["72000000001"]["seats"] == 10
    # The new buying model has no agreement to ask about.
    assert subs["72000000009"]["unknown"] == []


def test_show_from_the_export(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv")
    result = run("subs", "show", "72000000003", "--from", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["contract_subscriptions"] == [
        {"id": "72000000004", "product": "Revit", "seats": 10, "plan": "standard"}
    ]
    assert data["support_level"].startswith("Standard support")
    missing = run("subs", "show", "72000000099", "--from", str(path))
    assert missing.exit_code == 4
    assert "No subscription 72000000099 in the export" in one_error_line(missing)


def test_the_table_has_the_store_s_columns(run: Run, tmp_path: Path) -> None:
    result = run("subs", "list", "--from", str(write(tmp_path / "e.csv")))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].split("\t") == [
        "ID",
        "Contract",
        "Product",
        "Seats",
        "Term end",
        "Days left",
        "Auto-renew",
        "Partners",
        "Pending change",
        "Can change partner",
    ]


# --- what cannot be read: exit 4, one sentence naming the column and the row ----------


@pytest.mark.parametrize("column", ["subscription_id", "contract_number", "end_date"])
def test_a_missing_essential_column(run: Run, tmp_path: Path, column: str) -> None:
    path = write(tmp_path / "e.csv", columns=tuple(c for c in COLUMNS if c != column))
    result = run("subs", "list", "--from", str(path))
    assert result.exit_code == 4
    assert f"row 1: no {column} column" in one_error_line(result)


def test_a_bad_date_names_the_column_and_the_row(run: Run, tmp_path: Path) -> None:
    rows = [*ACCOUNT[:2], row("72000000099", "110000000099", "31/12/2027")]
    path = write(tmp_path / "e.csv", rows)
    result = run("subs", "list", "--from", str(path))
    assert result.exit_code == 4
    message = one_error_line(result)
    assert "row 4, column end_date: '31/12/2027' is not a date" in message
    assert "--date-format" in message


def test_other_date_forms_with_date_format(run: Run, tmp_path: Path) -> None:
    rows = [row("72000000001", "110000000001", "30/09/2027", autorenew="")]
    path = write(tmp_path / "e.csv", rows)
    result = run("subs", "list", "--from", str(path), "--date-format", "%d/%m/%Y", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["term_end"] == "2027-09-30"
    iso = write(tmp_path / "iso.csv")
    wrong = run("subs", "list", "--from", str(iso), "--date-format", "%d/%m/%Y")
    assert wrong.exit_code == 4
    assert "row 2, column end_date: '2027-09-30' is not a date in the form %d/%m/%Y" in (
        one_error_line(wrong)
    )
    useless = run("subs", "list", "--from", str(iso), "--date-format", "dd/mm/yyyy")
    assert useless.exit_code == 2


@pytest.mark.parametrize(
    ("field", "value", "column"),
    [
        ("contract_number", "1.1E+11", "contract_number"),  # a spreadsheet's number
        ("subscription_id", "", "subscription_id"),
        ("seat_quantity", "ten", "seat_quantity"),
        ("autorenew_date", "soon", "autorenew_date"),
    ],
)
def test_an_unreadable_value(run: Run, tmp_path: Path, field: str, value: str, column: str) -> None:
    bad = row("72000000099", "110000000099", "2027-09-30") | {field: value}
    path = write(tmp_path / "e.csv", [ACCOUNT[0], bad])
    result = run("subs", "list", "--from", str(path))
    assert result.exit_code == 4
    assert f"row 3, column {column}:" in one_error_line(result)


def test_a_subscription_twice(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", [ACCOUNT[0], ACCOUNT[1], ACCOUNT[0]])
    result = run("subs", "list", "--from", str(path))
    assert result.exit_code == 4
    assert "row 4, column subscription_id: 72000000001 is already on row 2" in (
        one_error_line(result)
    )


def test_blank_lines_at_the_end_are_skipped(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes(render(ACCOUNT[:1], separator=";") + b";;;;;\r\n\r\n")
    assert list(listing(run, path)) == ["72000000001"]


def garbage(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "export.csv"
    if kind == "invalid-utf8":
        path.write_bytes(render(ACCOUNT[:1]) + b"72000000002,1100\xff\xfe,Revit\r\n")
    elif kind == "utf16":
        path.write_bytes(render(ACCOUNT[:1]).decode().encode("utf-16"))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "directory":
        path.mkdir()
    elif kind == "missing":
        pass
    elif kind == "huge-field":
        path.write_bytes(render(ACCOUNT[:1]) + b'"' + b"x" * 200_000 + b'",1,2\r\n')
    elif kind == "huge-header":
        path.write_bytes(b"subscription_id," + b"y" * 100_000 + b"\r\n")
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 10)
    return path


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("invalid-utf8", "is not UTF-8 text"),
        ("utf16", "is not UTF-8 text"),
        ("empty", "is empty"),
        ("directory", "is a folder"),
        ("missing", "Cannot read the export"),
        ("huge-field", "row 3: cannot be read as CSV"),
        ("huge-header", "row 1 (the header) is too long"),
        ("binary", "is not UTF-8 text"),
    ],
)
def test_garbage_is_one_sentence_and_exit_4(run: Run, tmp_path: Path, kind: str, says: str) -> None:
    path = garbage(tmp_path, kind)
    for command in (("subs", "list"), ("subs", "deadlines"), ("partner", "verify")):
        result = run(*command, "--from", str(path))
        assert result.exit_code == 4, (command, result.stderr)
        assert says in one_error_line(result)
    assert not (tmp_path / "never.db").exists()  # the store was never opened


def test_a_fifo_is_refused_rather_than_waited_on(run: Run, tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    result = run("subs", "list", "--from", str(fifo))
    assert result.exit_code == 4
    assert "is not a regular file" in one_error_line(result)


# --- the rules' "unknown" notion, without the CLI -----------------------------------


def test_rules_leave_unknown_facts_undecided() -> None:
    from datetime import date

    from acctctl.domain import Terms
    from acctctl.rules import Facts, eligibility, undecided

    terms = Terms("110000000001", "", date(2027, 9, 30), True, "eba-token-flex", ("x",))
    known = Facts(date(2026, 12, 1), "72000000001", terms, actor="a@b.example")
    assert [r.code for r in eligibility(known)] == ["unknown-user", "auto-renew", "token-flex"]
    assert undecided(known) == []
    unknown = Facts(
        date(2026, 12, 1),
        "72000000001",
        terms,
        actor="a@b.example",
        unknown=frozenset({"contract-manager", "auto-renew", "token-flex"}),
    )
    assert eligibility(unknown) == []
    assert [u.fact for u in undecided(unknown)] == ["contract-manager", "auto-renew", "token-flex"]
    assert all("unknown — check" in u.message for u in undecided(unknown))
