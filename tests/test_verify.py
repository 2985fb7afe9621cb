"""`partner verify --from NEWER.csv`: the changes recorded in the store against the
resellers of a newer export — confirmed (exit 0), not yet visible (exit 4), different
(exit 3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from exports import (
    COLUMNS,
    Run,
    one_error_line,
    row,
    write,
)
from exports import run as run  # the fixture

CLAIRE = "claire@dupont.example"
BUREAU = "5550002222"  # Bureau Numérique Paris, in the demo store
OLD = ("CADpro Lyon", "ventes@cadpro.example")
NEW = ("bureau numérique  PARIS", "contact@bureau-numerique.example")  # case and spaces
OTHER = ("Solutions BIM Nantes", "bonjour@bim-nantes.example")


@pytest.fixture
def changed(run: Run) -> Run:
    """A demo store where Claire moved contract 110000000001 to Bureau Numérique Paris."""
    assert run("store", "init", "--demo").exit_code == 0
    result = run("--as", CLAIRE, "partner", "change", "72000000001", "--csn", BUREAU, "--yes")
    assert result.exit_code == 0, result.stderr
    return run


def export_with(tmp_path: Path, *resellers: tuple[str, str], **options: Any) -> Path:
    rows = [
        row(f"7200000000{i + 1}", "110000000001", "2027-12-31", reseller=reseller)
        for i, reseller in enumerate(resellers)
    ]
    rows.append(row("72000000009", "110000000007", "2027-12-31"))
    return write(tmp_path / "newer.csv", rows, **options)


def verify(run: Run, path: Path) -> tuple[int, list[dict[str, Any]], str]:
    result = run("partner", "verify", "--from", str(path), "--json")
    data = json.loads(result.stdout) if result.stdout else []
    return result.exit_code, data, result.stderr


def test_confirmed(changed: Run, tmp_path: Path) -> None:
    code, data, _ = verify(changed, export_with(tmp_path, NEW, NEW))
    assert code == 0
    (item,) = data
    assert item["outcome"] == "confirmed"
    assert item["contract"] == "110000000001"
    assert item["to"] == {"csn": BUREAU, "name": "Bureau Numérique Paris"}
    assert item["from"] == [{"csn": "5550001111", "name": "CADpro Lyon"}]


def test_not_yet_visible(changed: Run, tmp_path: Path) -> None:
    code, data, stderr = verify(changed, export_with(tmp_path, OLD))
    assert code == 4
    assert data[0]["outcome"] == "not-yet-visible"
    assert data[0]["export_partners"] == [{"csn": None, "name": "CADpro Lyon"}]
    assert "at least one hour: export again after" in data[0]["message"]
    assert "1 change is not yet visible in the export." in stderr


@pytest.mark.parametrize(
    "resellers",
    [(OTHER,), (NEW, OLD)],
    ids=["another-partner", "new-and-old"],
)
def test_different(changed: Run, tmp_path: Path, resellers: tuple[tuple[str, str], ...]) -> None:
    code, data, stderr = verify(changed, export_with(tmp_path, *resellers))
    assert code == 3
    assert data[0]["outcome"] == "different"
    assert "1 change differs from the portal." in stderr


def test_contract_missing_from_the_export_is_different(changed: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "other.csv", [row("72000000009", "110000000007", "2027-12-31")])
    code, data, _ = verify(changed, path)
    assert code == 3
    assert data[0]["export_partners"] is None
    assert "not in the export" in data[0]["message"]
    piped = changed("partner", "verify", "--from", str(path))  # not a terminal: the pipe format
    assert piped.stdout.splitlines()[1].split("\t")[3] == ""  # Export shows: empty, no dash


def test_matched_by_csn_when_the_export_has_one(changed: Run, tmp_path: Path) -> None:
    rows = [
        row("72000000001", "110000000001", "2027-12-31", reseller=("Renamed SAS", "x@y.example"))
        | {"reseller_csn": "555 000 2222"}
    ]
    path = write(tmp_path / "csn.csv", rows, columns=(*COLUMNS, "reseller_csn"))
    code, data, _ = verify(changed, path)
    assert code == 0, data
    assert data[0]["export_partners"] == [{"csn": BUREAU, "name": "Renamed SAS"}]


def test_human_output_and_exit_code(changed: Run, tmp_path: Path) -> None:
    result = changed("partner", "verify", "--from", str(export_with(tmp_path, OLD)))
    assert result.exit_code == 4
    header, line = result.stdout.splitlines()
    assert header.split("\t") == ["Change", "Contract", "New partner", "Export shows", "Result"]
    # Piped: the CSN and the outcome's code (SPEC §8), whatever the language.
    assert line.split("\t")[1:] == ["110000000001", BUREAU, "CADpro Lyon", "not-yet-visible"]
    assert "hint: The portal can take at least one hour" in result.stderr


def test_nothing_to_verify(run: Run, tmp_path: Path) -> None:
    assert run("store", "init", "--demo").exit_code == 0
    result = run("partner", "verify", "--from", str(export_with(tmp_path, OLD)))
    assert result.exit_code == 4
    assert "No partner change is recorded" in one_error_line(result)


def test_from_is_required(run: Run) -> None:
    result = run("partner", "verify")
    assert result.exit_code == 2
    assert "--from FILE" in one_error_line(result)


def test_an_export_without_reseller_columns_is_refused_not_called_different(
    changed: Run, tmp_path: Path
) -> None:
    columns = [c for c in COLUMNS if not c.startswith("reseller_")]
    path = export_with(tmp_path, NEW, columns=columns)
    result = changed("partner", "verify", "--from", str(path), "--json")
    assert result.exit_code == 4
    assert "has no reseller column (reseller_name or reseller_csn)" in one_error_line(result)
