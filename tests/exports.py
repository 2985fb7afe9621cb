"""Made-up Subscriptions exports, written the ways spreadsheets and the portal save them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from acctctl.cli.app import app

NOW = "2026-12-01T09:00:00Z"  # 2027-03-02 is 91 days away, 2027-03-01 90
MANAGER = "claire@dupont.example"

# The documented column names (snake_case); the old exports also have
# contract_manager_email and plan, the 2026 ones spell the headers out.
COLUMNS = (
    "subscription_id",
    "contract_number",
    "offering_name",
    "plan",
    "seat_quantity",
    "start_date",
    "end_date",
    "autorenew_date",
    "subscription_status",
    "term",
    "reseller_name",
    "reseller_email",
    "contract_manager_email",
    "team",
)
OLD_NAMES = {name: name for name in COLUMNS} | {
    "team": "team_alias",
    "reseller_csn": "reseller_csn",
}
NEW_NAMES = {
    "subscription_id": "Subscription ID",
    "contract_number": "Contract Number",
    "offering_name": "Offering Name",
    "plan": "Plan",
    "seat_quantity": "Seat quantity",
    "start_date": "Start Date",
    "end_date": "End date",
    "autorenew_date": "AutoRenew Date",
    "subscription_status": "Subscription Status",
    "term": "Term",
    "reseller_name": "Reseller Name",
    "reseller_email": "Reseller e-mail",
    "contract_manager_email": "Contract Manager Email",
    "team": "Team",
    "reseller_csn": "Reseller CSN",
}

CADPRO = ("CADpro Lyon", "ventes@cadpro.example")
BUREAU = ("Bureau Numérique; Paris", "contact@bureau.example")  # a separator in a name


def row(
    sub: str,
    contract: str,
    end: str,
    *,
    offering: str = "AutoCAD",
    plan: str = "Standard",
    seats: str = "10",
    autorenew: str = "",
    reseller: tuple[str, str] = CADPRO,
    manager: str = MANAGER,
) -> dict[str, str]:
    return {
        "subscription_id": sub,
        "contract_number": contract,
        "offering_name": offering,
        "plan": plan,
        "seat_quantity": seats,
        "start_date": "2025-01-01",
        "end_date": end,
        "autorenew_date": autorenew,
        "subscription_status": "Active",
        "term": "Annual",
        "reseller_name": reseller[0],
        "reseller_email": reseller[1],
        "contract_manager_email": manager,
        "team": "Atelier Dupont",
    }


# One of each case the rules know, as the export shows it (today: NOW).
ACCOUNT = [
    row("72000000001", "110000000001", "2027-09-30", offering='AutoCAD "LT", 2027'),
    row("72000000002", "110000000002", "2027-06-30", autorenew="2027-06-30"),
    row("72000000003", "110000000003", "2028-01-31", offering="AEC Collection"),
    row("72000000004", "110000000003", "2028-01-31", offering="Revit", reseller=BUREAU),
    row("72000000005", "110000000004", "2027-12-31", offering="Flex", plan="Token Flex"),
    row("72000000006", "110000000005", "2027-03-01"),  # 90 days left: expiring-soon
    row("72000000007", "110000000006", "2027-03-02"),  # 91 days left: still eligible
    row("72000000008", "110000000007", "2026-11-30"),  # expired yesterday
    row("72000000009", "", "2027-08-01", offering="Fusion"),  # new buying model
]


def render(
    rows: Sequence[dict[str, str]],
    *,
    separator: str = ",",
    bom: bool = False,
    names: dict[str, str] | None = None,
    columns: Sequence[str] = COLUMNS,
    extra: bool = False,
) -> bytes:
    names = names or OLD_NAMES
    text = io.StringIO()
    writer = csv.writer(text, delimiter=separator, lineterminator="\r\n")
    header = [names[c] for c in columns]
    if extra:
        header = ["Region", *header, "Notes"]
    writer.writerow(header)
    for values in rows:
        cells = [values[c] for c in columns]
        if extra:
            cells = ["EMEA", *cells, "whatever, really"]
        writer.writerow(cells)
    data = text.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def write(path: Path, rows: Sequence[dict[str, str]] = ACCOUNT, **options: Any) -> Path:
    path.write_bytes(render(rows, **options))
    return path


Run = Callable[..., Any]


def make_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """acctctl in-process, at NOW, with a store that is never created unless asked
    (each test module's ``run`` fixture)."""
    monkeypatch.setenv("ACCTCTL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ACCTCTL_NOW", NOW)
    monkeypatch.setenv("ACCTCTL_NO_PROMPT", "1")
    monkeypatch.setenv("ACCTCTL_STORE", str(tmp_path / "never.db"))
    for var in ("ACCTCTL_USER", "LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: bytes | str | None = None) -> Any:
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """The ``run`` fixture of the export tests: import it beside the helpers."""
    return make_runner(tmp_path, monkeypatch)


def one_error_line(result: Any) -> str:
    """The error on stderr: one `acctctl: …` sentence (and at most a hint), no traceback."""
    lines = result.stderr.strip().splitlines()
    assert lines and lines[0].startswith("acctctl: "), result.stderr
    assert len(lines) <= 2 and all(line.startswith(("acctctl: ", "hint: ")) for line in lines)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    return lines[0]


def by_id(data: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for item in data:
        yield item["id"], item
