"""Tables and messages at the widths people have (issue 11): layout, cards, COLUMNS,
local times, messages wrapped at words. The screens of the real program at 60–120
columns are read in tests/test_screens.py."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from acctctl import terminal_text
from acctctl.i18n import set_language
from acctctl.local_time import days_left, local_time, relative
from acctctl.output import fit_message, table
from acctctl.tables import Column, plan
from acctctl.terminal_text import glue
from conftest import TerminalStream

ANSI = re.compile(r"\x1b\[[0-9;]*m")
ROWS = [
    ("72000000001", "Architecture, Engineering & Construction Collection", "2028-01-05"),
    ("72000000002", "Revit", "2027-06-19"),
]
COLUMNS: list[Column[tuple[str, str, str]]] = [
    Column("ID", "ID", lambda r: r[0], lambda r: r[0], whole=True),
    Column("Product", "Product", lambda r: r[1], lambda r: r[1], keep=50),
    Column("Term end", "Term end", lambda r: r[2], lambda r: r[2], whole=True, keep=80),
]


@pytest.fixture(autouse=True)
def plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TZ", "UTC")
    import time

    time.tzset()
    set_language("en")


def drawn(width: int, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    stream = TerminalStream()
    table(COLUMNS, ROWS, title="Subscriptions", stream=stream)
    return ANSI.sub("", stream.getvalue())


@pytest.mark.parametrize("width", [20, 30, 40, 60, 80, 120])
def test_ids_and_dates_are_never_split_and_no_line_is_wider_than_the_terminal(
    width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = drawn(width, monkeypatch)
    for line in screen.splitlines():
        assert len(line.rstrip()) <= width, (width, line)
    for row in ROWS:
        assert row[0] in screen
        if width >= 40:
            assert row[2] in screen
    if width >= 40:
        assert all(word in screen.split() for word in ROWS[0][1].split())  # wrapped at words


def test_the_least_useful_column_goes_first_and_the_footer_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = drawn(36, monkeypatch)  # 11 + 13 + 10 + gaps > 36: the product goes
    assert "2028-01-05" in screen and "Revit" not in screen
    assert "Not shown at this width: Product. A wider terminal shows it." in " ".join(
        screen.split()
    )


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("en", "A wider terminal shows it.", "A wider terminal shows them."),
        (
            "fr",
            "Colonne masquée à cette largeur\u202f: Product. "
            "Élargissez le terminal pour l’afficher.",
            "Élargissez le terminal pour les afficher.",
        ),
    ],
)
def test_the_footer_says_it_for_one_column_and_them_for_several(
    lang: str, one: str, two: str
) -> None:
    set_language(lang)
    try:
        single = plan(COLUMNS, ROWS, 36).footer()
        both = plan(COLUMNS, ROWS, 11).footer()
    finally:
        set_language("en")
    assert single is not None and one in single
    assert both is not None and two in both and "Product, Term end" in both


def test_when_the_essential_columns_do_not_fit_each_record_is_a_card() -> None:
    essential = [Column(c.name, c.label, c.human, c.plain, whole=c.whole) for c in COLUMNS]
    layout = plan(essential, ROWS, 30)
    assert layout.cards
    stream = TerminalStream()
    layout.draw(ROWS, stream)
    lines = ANSI.sub("", stream.getvalue()).splitlines()
    assert "ID        72000000001" in lines and "Term end  2028-01-05" in lines
    assert max(len(line) for line in lines) <= 30


def test_columns_take_the_width_their_content_needs() -> None:
    layout = plan(COLUMNS, ROWS, 200)
    assert layout.widths == [11, len(ROWS[0][1]), 10]
    assert not layout.dropped and not layout.cards


def test_a_glued_value_stays_on_one_line_when_its_cell_wraps() -> None:
    text = "→ CADpro Lyon from " + glue("2026-11-26 10:30 CET (in 59 min)")
    lines = terminal_text.wrap(text, 34)
    assert "2026-11-26 10:30 CET (in 59 min)" in lines
    assert all(terminal_text.GLUE not in line for line in lines)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", 80), ("abc", 80), ("99999", 80), ("-5", 80), ("19", 80), ("60", 60), ("132", 132)],
)
def test_columns_that_make_no_sense_mean_80(
    value: str, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", value)
    assert terminal_text.terminal_width(TerminalStream()) == expected


def test_piped_output_is_tab_separated_with_one_header_line_of_english_names() -> None:
    stream = io.StringIO()
    set_language("fr")
    try:
        table(COLUMNS, ROWS, title="Abonnements", stream=stream)
    finally:
        set_language("en")
    assert stream.getvalue().splitlines() == [
        "ID\tProduct\tTerm end",
        "\t".join(ROWS[0]),
        "\t".join(ROWS[1]),
    ]


def test_an_empty_table_says_so_at_a_terminal_and_gives_the_header_in_a_pipe() -> None:
    screen = TerminalStream()
    table(COLUMNS, [], empty="No changes yet.", stream=screen)
    assert ANSI.sub("", screen.getvalue()).strip() == "No changes yet."
    pipe = io.StringIO()
    table(COLUMNS, [], empty="No changes yet.", stream=pipe)
    assert pipe.getvalue() == "ID\tProduct\tTerm end\n"


NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def test_times_are_local_with_the_zone_and_how_far_away(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    assert local_time(datetime(2026, 11, 26, 10, 30, tzinfo=UTC)) == "2026-11-26 11:30 CET"
    assert local_time(datetime(2026, 7, 1, 10, 30, tzinfo=UTC)) == "2026-07-01 12:30 CEST"
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    assert local_time(NOW) == "2026-11-26 15:00 IST"
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (59, "in 59 min"),
        (0, "now"),
        (-3, "3 min ago"),
        (180, "in 3 h"),
        (-60 * 24 * 20, "20 days ago"),
    ],
)
def test_relative_phrases(minutes: int, expected: str) -> None:
    from datetime import timedelta

    assert relative(NOW + timedelta(minutes=minutes), NOW) == expected


def test_days_left_never_reads_negative() -> None:
    assert days_left(400) == "400 days"
    assert days_left(1) == "1 day"
    assert days_left(0) == "ends today"
    assert days_left(-20) == "ended 20 days ago"


def test_messages_wrap_at_words_and_never_inside_a_command() -> None:
    command = "`acctctl partner cancel CHG-000001 --store /tmp/a-long/path/account.db`"
    text = f"acctctl: No change CHG-000009 in this account. Withdraw the other: {command}"
    for width in (30, 40, 60, 80):
        wrapped = fit_message(text, width)
        # The command ends the sentence: set apart on lines of its own, no backticks, broken
        # between arguments when longer than a line (tests/test_wrapping.py).
        shell = re.sub(r" \\\n\s*", " ", wrapped)
        assert shell.splitlines()[-1].strip() == command.strip("`")
        assert re.findall(r"\S+", shell) == re.findall(r"\S+", text.replace("`", ""))
        for line in wrapped.splitlines():
            assert len(line) <= width or len(line.removesuffix(" \\").split()) == 1


def test_a_command_in_parentheses_at_the_end_of_a_sentence_goes_on_a_bare_line() -> None:
    command = "acctctl subs auto-renew 72000000004 --off --as claire@dupont.example --lang fr"
    text = f"  ✗ auto-renew on: Automatic renewal is on: turn it off first (`{command}`)."
    for width in (60, 100, 120):
        wrapped = fit_message(text, width)
        shell = re.sub(r" \\\n\s*", " ", wrapped)
        assert shell.splitlines()[-1].strip() == command, wrapped
        assert "`" not in wrapped and "(" not in wrapped


def test_a_command_inside_a_sentence_stays_whole_in_its_backticks() -> None:
    command = "`acctctl partner cancel CHG-000001 --store /tmp/account.db`"
    text = f"acctctl: Run {command} to withdraw it, or wait until it is applied."
    for width in (80, 100):
        wrapped = fit_message(text, width)
        assert any(command in line for line in wrapped.splitlines())
        assert re.findall(r"\S+", wrapped) == re.findall(r"\S+", text)


def test_a_narrow_column_dropped_before_a_wide_one_comes_back_when_the_wide_one_goes() -> None:
    rows = [("72000000001", "x" * 40, "10")]
    columns: list[Column[tuple[str, str, str]]] = [
        Column("ID", "ID", lambda r: r[0], lambda r: r[0], whole=True),
        Column("Wide", "Wide", lambda r: r[1], lambda r: r[1], whole=True, keep=50),
        Column("Seats", "Seats", lambda r: r[2], lambda r: r[2], whole=True, keep=10),
    ]
    layout = plan(columns, rows, 30)  # Seats goes first, then Wide: Seats fits again
    assert [c.name for c in layout.columns] == ["ID", "Seats"]
    assert [c.name for c in layout.dropped] == ["Wide"]


@pytest.mark.parametrize("width", [60, 80, 100, 120])
@pytest.mark.parametrize(
    ("lang", "placeholder"), [("en", "subscription ID"), ("fr", "ID d’abonnement")]
)
def test_the_new_buying_models_contract_placeholder_stays_on_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, width: int, lang: str, placeholder: str
) -> None:
    """`subs list` and wizard step 2: "subscription ID" is one term in the Contract
    column, never "subscription" over "ID"."""
    from acctctl import service
    from acctctl.demo import CLAIRE
    from acctctl.presentation import subscription_columns
    from conftest import demo_context

    monkeypatch.setenv("ACCTCTL_NOW", "2026-11-26T09:30:00Z")
    monkeypatch.setenv("COLUMNS", str(width))
    ctx = demo_context(tmp_path / "account.db", CLAIRE)
    try:
        views = service.list_subscriptions(ctx)
        set_language(lang)
        stream = TerminalStream()
        table(subscription_columns(ctx.now), views, stream=stream)
    finally:
        set_language("en")
        ctx.store.close()
    screen = ANSI.sub("", stream.getvalue())
    [line] = [line for line in screen.splitlines() if "72000000010" in line]
    assert placeholder in line, screen
