"""A terminal table that streams (issue 16): the layout is planned on a first batch,
the rest is drawn line by line as the records come — the same lines Rich would draw —
and a table longer than the screen goes through the pager."""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from acctctl import output, pager
from acctctl.i18n import set_language
from acctctl.output import table
from acctctl.tables import Column, plan
from conftest import TerminalStream

ANSI = re.compile(r"\x1b\[[0-9;]*m")
Row = tuple[str, str, str, str]
COLUMNS: list[Column[Row]] = [
    Column("ID", "ID", lambda r: r[0], lambda r: r[0], whole=True),
    Column("Product", "Product", lambda r: r[1], lambda r: r[1], keep=50),
    Column("Seats", "Seats", lambda r: r[2], lambda r: r[2], whole=True, justify="right"),
    Column("Term end", "Term end", lambda r: r[3], lambda r: r[3], whole=True, keep=80),
]
PRODUCTS = ["Revit", "AutoCAD LT", "Architecture, Engineering & Construction Collection", "Ü日本"]


def rows(n: int) -> list[Row]:
    return [
        (f"72{i:09d}", PRODUCTS[i % len(PRODUCTS)], str(i % 97), "2027-06-19") for i in range(n)
    ]


@pytest.fixture(autouse=True)
def plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    set_language("en")


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_streamed_rows_are_the_lines_rich_draws(width: int) -> None:
    records = rows(30)
    layout = plan(COLUMNS, records, width)
    assert not layout.cards
    drawn = TerminalStream()
    layout.draw(records, drawn, header=False)
    assert "".join(layout.rows(records)) == ANSI.sub("", drawn.getvalue())


@pytest.mark.parametrize("kept", [2, 4096])
def test_cells_made_once_per_value_are_the_lines_rich_draws(
    kept: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Layout.rows makes a column's cell once per value (a few thousand kept): the same
    lines however often values repeat or the kept ones are forgotten, escapes included."""
    from acctctl import tables

    monkeypatch.setattr(tables, "_CELLS_KEPT", kept)
    records = [
        (r[0], r[1] + (" \x1b[31mred" if i % 5 == 0 else ""), r[2], r[3])
        for i, r in enumerate(rows(200))
    ]
    layout = plan(COLUMNS, records, 60)
    drawn = TerminalStream()
    layout.draw(records, drawn, header=False)
    made = "".join(layout.rows(records))
    assert made == ANSI.sub("", drawn.getvalue())
    assert "\x1b" not in made and "\\x1b[31mred" in made


def test_a_long_table_is_drawn_from_the_first_batch_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records are read as they are drawn: the table has written its header and first rows
    before the listing is over (and never holds it all)."""
    monkeypatch.setenv("COLUMNS", "80")
    stream = TerminalStream()
    seen: list[int] = []

    def listing() -> Iterator[Row]:
        for n, row in enumerate(rows(5 * output.TABLE_SAMPLE)):
            if n == 2 * output.TABLE_SAMPLE:
                seen.append(stream.getvalue().count("\n"))
            yield row

    table(COLUMNS, listing(), title="Subscriptions", stream=stream)
    assert seen and seen[0] > output.TABLE_SAMPLE  # the first batches were already out
    screen = ANSI.sub("", stream.getvalue())
    for row in rows(5 * output.TABLE_SAMPLE):
        assert row[0] in screen  # every id, whole
    for line in screen.splitlines():
        assert len(line.rstrip()) <= 80


def test_a_whole_value_longer_than_the_sample_is_never_split() -> None:
    records = rows(output.TABLE_SAMPLE + 5)
    records[-1] = ("72000000001234567", "Revit", "1", "2027-06-19")
    stream = TerminalStream()
    table(COLUMNS, records, stream=stream)
    assert "72000000001234567" in stream.getvalue()


# --- the pager ---------------------------------------------------------------------------

# A pager that keeps what it is given (CAPTURE becomes a file name).
CAPTURING = f'{sys.executable} -c \'import sys; open("CAPTURE", "w").write(sys.stdin.read())\''


def run_paged(tmp_path: Path, lines: int, env: dict[str, str], rows_on_screen: int = 10) -> str:
    """Write ``lines`` through ``paged`` on a pseudo-terminal; what the pager received."""
    import pty

    capture = tmp_path / "paged.txt"
    main, secondary = pty.openpty()
    environment = {"LINES": str(rows_on_screen), "COLUMNS": "80", **env}
    environment["PAGER"] = environment["PAGER"].replace("CAPTURE", str(capture))
    saved = {k: os.environ.get(k) for k in environment}
    os.environ.update(environment)
    try:
        with os.fdopen(secondary, "w", closefd=True) as terminal, pager.paged(terminal) as target:
            for n in range(lines):
                target.write(f"line {n}\n")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        os.close(main)
    return capture.read_text() if capture.exists() else ""


def test_longer_than_the_screen_goes_through_the_pager(tmp_path: Path) -> None:
    received = run_paged(
        tmp_path,
        50,
        {"PAGER": CAPTURING},
    )
    assert received == "".join(f"line {n}\n" for n in range(50))


def test_a_screenful_or_less_is_written_straight(tmp_path: Path) -> None:
    received = run_paged(
        tmp_path,
        5,
        {"PAGER": CAPTURING},
    )
    assert received == ""


@pytest.mark.parametrize("value", ["cat", "", " "])
def test_pager_cat_or_empty_means_no_pager(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGER", value)
    import pty

    main, secondary = pty.openpty()
    with os.fdopen(secondary, "w") as terminal:
        assert pager.pager_command(terminal) is None
    os.close(main)


def test_no_pager_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PAGER", "less")
    with (tmp_path / "out.txt").open("w") as file:
        assert pager.pager_command(file) is None
    assert pager.pager_command(io.StringIO()) is None


def test_quitting_the_pager_early_ends_the_table_quietly(tmp_path: Path) -> None:
    # A pager that reads one line and quits, as `q` in less does.
    quitter = f"{sys.executable} -c 'import sys; sys.stdin.readline()'"
    received = run_paged(tmp_path, 200_000, {"PAGER": quitter})
    assert received == ""  # and no BrokenPipeError reached here
