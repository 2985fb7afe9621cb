"""`subs deadlines`: the last day to change partner (term end − 91 days), its boundaries,
the order, what must happen first, and the .ics a calendar parser reads back."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from acctctl.ics import AllDayEvent, calendar, escape_text, fold
from acctctl.rules import last_day_to_change
from exports import (
    COLUMNS,
    MANAGER,
    NOW,
    Run,
    one_error_line,
    row,
    write,
)
from exports import run as run  # the fixture

TODAY = date(2026, 12, 1)  # NOW's date


def deadlines(run: Run, path: Path, *extra: str) -> list[dict[str, Any]]:
    result = run(*extra, "subs", "deadlines", "--from", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


@pytest.mark.parametrize(
    ("term_end", "last_day"),
    [
        (date(2027, 9, 30), date(2027, 7, 1)),
        (date(2027, 3, 1), date(2026, 11, 30)),
        (date(2028, 5, 30), date(2028, 2, 29)),  # a leap year
        (date(2027, 5, 30), date(2027, 2, 28)),
    ],
)
def test_last_day_is_term_end_minus_91_days(term_end: date, last_day: date) -> None:
    assert last_day_to_change(term_end) == last_day
    assert (term_end - last_day).days == 91


@pytest.mark.parametrize(
    ("days_to_last_day", "locked", "code"),
    [(1, False, None), (0, False, None), (-1, True, "expiring-soon")],
    ids=["day-before", "last-day", "day-after"],
)
def test_the_boundary_agrees_with_the_rules(
    run: Run, tmp_path: Path, days_to_last_day: int, locked: bool, code: str | None
) -> None:
    """On the last day the partner can still change; the next day `expiring-soon` says no
    and the deadline says locked since that very day."""
    term_end = TODAY + timedelta(days=91 + days_to_last_day)
    path = write(tmp_path / "e.csv", [row("72000000001", "110000000001", term_end.isoformat())])
    (deadline,) = deadlines(run, path)
    assert deadline["last_day"] == (TODAY + timedelta(days=days_to_last_day)).isoformat()
    assert deadline["days_left"] == days_to_last_day
    assert deadline["locked"] is locked
    assert deadline["locked_since"] == (TODAY.isoformat() if locked else None)
    listed = run("subs", "list", "--from", str(path), "--json")
    reasons = [r["code"] for r in json.loads(listed.stdout)[0]["reasons"]]
    assert reasons == ([code] if code else [])


def test_order_and_what_must_happen_first(run: Run, tmp_path: Path) -> None:
    rows = [
        row("72000000001", "110000000001", "2027-09-30"),
        row("72000000002", "110000000002", "2027-06-30", autorenew="2027-06-30"),
        row("72000000003", "110000000003", "2027-12-31", plan="Token Flex"),
        row("72000000004", "110000000004", "2027-01-15"),  # locked 2026-10-17
        row("72000000005", "110000000005", "2026-12-20"),  # locked 2026-09-21
        row("72000000006", "110000000002", "2027-06-30", autorenew="2027-06-30"),
        row("72000000007", "", "2027-06-30"),  # new buying model: no deadline
        row("72000000008", "110000000006", "2028-01-31"),
        row("72000000009", "110000000006", "2028-01-31", reseller=("Autre", "a@b.example")),
    ]
    found = deadlines(run, write(tmp_path / "e.csv", rows))
    assert [d["contract"] for d in found] == [
        "110000000002",
        "110000000001",
        "110000000003",
        "110000000006",
        "110000000004",  # the locked ones last, most recently locked first
        "110000000005",
    ]
    first = {d["contract"]: [s["code"] for s in d["first"]] for d in found}
    assert first["110000000002"] == ["auto-renew"]
    assert first["110000000001"] == []
    assert first["110000000003"] == ["token-flex"]
    assert first["110000000006"] == ["multiple-partners"]
    assert found[0]["subscriptions"] == ["72000000002", "72000000006"]
    assert found[0]["last_day"] == "2027-03-31"
    assert found[0]["days_left"] == 120
    assert found[4]["locked_since"] == "2026-10-17"
    assert found[5]["locked_since"] == "2026-09-21"


def test_unknown_facts_are_things_to_check_first(run: Run, tmp_path: Path) -> None:
    columns = tuple(c for c in COLUMNS if c != "autorenew_date")
    path = write(
        tmp_path / "e.csv", [row("72000000001", "110000000001", "2027-09-30")], columns=columns
    )
    (deadline,) = deadlines(run, path, "--as", "marc@dupont.example")
    assert [s["code"] for s in deadline["first"]] == ["contract-manager", "auto-renew"]
    assert deadline["unknown"] == ["contract-manager", "auto-renew"]
    assert "check automatic renewal in the portal" in deadline["first"][1]["message"]
    (same,) = deadlines(run, path, "--as", MANAGER)
    assert same["unknown"] == ["auto-renew"]


def test_the_human_table_says_since_when(run: Run, tmp_path: Path) -> None:
    rows = [
        row("72000000001", "110000000001", "2027-06-30", autorenew="2027-06-30"),
        row("72000000002", "110000000002", "2027-01-15"),
    ]
    result = run("subs", "deadlines", "--from", str(write(tmp_path / "e.csv", rows)))
    assert result.exit_code == 0, result.stderr
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert lines[0] == [
        "Contract",
        "Products",
        "Term end",
        "Last day",
        "Days left",
        "Locked since",
        "Before that",
    ]
    assert lines[1] == [
        "110000000001",
        "AutoCAD",
        "2027-06-30",
        "2027-03-31",
        "120",
        "",
        "auto-renew",
    ]
    assert lines[2][5] == "2026-10-17"


def test_deadlines_from_the_store(run: Run, tmp_path: Path) -> None:
    assert run("store", "init", "--demo").exit_code == 0
    result = run("subs", "deadlines", "--json")
    assert result.exit_code == 0, result.stderr
    found = {d["contract"]: d for d in json.loads(result.stdout)}
    # The demo's contracts end so many days from today: 400 → 309 days to the last day.
    assert found["110000000001"]["days_left"] == 400 - 91
    assert [s["code"] for s in found["110000000002"]["first"]] == ["auto-renew"]
    assert found["110000000004"]["locked"] is True
    assert "72000000010" not in json.dumps(found)  # the new buying model has no deadline


# --- the calendar -------------------------------------------------------------------


def test_the_ics_reads_back_in_a_calendar_parser(run: Run, tmp_path: Path) -> None:
    icalendar = pytest.importorskip("icalendar")
    rows = [
        row("72000000001", "110000000001", "2027-09-30", offering="AutoCAD; LT, \\ 2027"),
        row("72000000002", "110000000002", "2027-06-30", autorenew="2027-06-30"),
        row("72000000003", "110000000003", "2027-01-15"),  # locked: no event
    ]
    target = tmp_path / "deadlines.ics"
    result = run(
        "subs", "deadlines", "--from", str(write(tmp_path / "e.csv", rows)), "--ics", str(target)
    )
    assert result.exit_code == 0, result.stderr
    assert "Wrote 2 deadlines" in result.stderr
    raw = target.read_bytes()
    lines = raw.split(b"\r\n")
    assert lines[-1] == b"" and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    assert all(len(line) <= 75 for line in lines)
    for line in lines:
        line.decode("utf-8")  # folding never cuts a UTF-8 sequence
    parsed = icalendar.Calendar.from_ical(raw)
    events = list(parsed.walk("VEVENT"))
    assert [e.decoded("DTSTART") for e in events] == [date(2027, 3, 31), date(2027, 7, 1)]
    assert [e.decoded("DTEND") for e in events] == [date(2027, 4, 1), date(2027, 7, 2)]
    assert [str(e["UID"]) for e in events] == [
        "partner-deadline-110000000002@acctctl",
        "partner-deadline-110000000001@acctctl",
    ]
    assert all(e.decoded("DTSTAMP").isoformat() == "2026-12-01T09:00:00+00:00" for e in events)
    assert str(events[0]["SUMMARY"]) == "Last day to change the partner of contract 110000000002"
    assert "Before that: turn automatic renewal off." in str(events[0]["DESCRIPTION"])
    assert "AutoCAD; LT, \\ 2027" in str(events[1]["DESCRIPTION"])  # escaped and back
    assert parsed["VERSION"] == "2.0" and parsed["PRODID"]


def test_no_open_deadline_writes_no_file(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "d.ics"
    path = write(tmp_path / "e.csv", [row("72000000001", "110000000001", "2027-01-15")])
    result = run("subs", "deadlines", "--from", str(path), "--ics", str(target))
    assert result.exit_code == 0
    assert "No open deadline" in result.stderr
    assert not target.exists()


def test_an_ics_that_cannot_be_written(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", [row("72000000001", "110000000001", "2027-09-30")])
    result = run("subs", "deadlines", "--from", str(path), "--ics", str(tmp_path / "no" / "d.ics"))
    assert result.exit_code == 1
    assert "Cannot write" in one_error_line(result)


@pytest.mark.parametrize(
    "text",
    ["a" * 200, "é" * 100, "a" + "€" * 80, "x" * 74 + "é" + "y" * 80, ""],
)
def test_folding_unfolds_to_the_same_line(text: str) -> None:
    folded = fold("DESCRIPTION:" + text)
    assert folded.endswith("\r\n")
    parts = folded[:-2].split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == "DESCRIPTION:" + text


def test_text_escaping() -> None:
    assert escape_text("a;b,c\\d\ne\r\nf") == "a\\;b\\,c\\\\d\\ne\\nf"


def test_calendar_stamps_every_event() -> None:
    from datetime import UTC, datetime

    text = calendar(
        [AllDayEvent("u1@acctctl", date(2027, 1, 2), "s", "d")],
        stamp=datetime(2026, 12, 1, 10, 30, tzinfo=UTC),
        name="n",
    )
    assert "DTSTAMP:20261201T103000Z\r\n" in text
    assert "DTSTART;VALUE=DATE:20270102\r\nDTEND;VALUE=DATE:20270103\r\n" in text
    assert NOW.startswith("2026-12-01")
