"""The screens people see, read back from a terminal emulator (pyte) at 60, 80, 100 and
120 columns (issue 11): every subscription id, contract number, CSN, change id and date
of the sample account is found whole on one line — never split by a wrap, never cut.

The program runs in a real pseudo-terminal of that width; what it writes is fed to a
pyte screen tall enough that nothing scrolls away, and the test reads the screen as a
person would read it.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import real_program
from real_program import terminal_environment

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")

pytestmark = [pytest.mark.timeout(240), pytest.mark.slow]

CLAIRE = "claire@dupont.example"
BUREAU = "5550002222"
WIDTHS = (60, 80, 100, 120)
ROWS = 200  # tall: the test reads everything that was drawn; the width is what matters


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], dict[str, list]]:
    """The sample account with a change submitted, and what the screens must show whole."""
    home = tmp_path_factory.mktemp("screens")
    env = terminal_environment(
        home / "home", str(home / "account.db"), user=CLAIRE, TZ="Europe/Paris"
    )
    env.pop("COLUMNS", None)
    env.pop("LINES", None)

    def run(*args: str) -> str:
        done = real_program.run(env, *args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("store", "init", "--demo")
    run("partner", "change", "72000000001", "--csn", BUREAU, "--yes")
    import json

    subs = json.loads(run("subs", "list", "--json"))
    changes = json.loads(run("partner", "history", "--json"))
    return env, {"subs": subs, "changes": changes}


def screen_of(env: dict[str, str], width: int, *args: str) -> list[str]:
    screen = pyte.Screen(width, ROWS)
    stream = pyte.Stream(screen)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "acctctl", *args],
        env=env,
        dimensions=(ROWS, width),
        encoding="utf-8",
        timeout=120,
    )
    child.expect(pexpect.EOF)
    stream.feed((child.before or "").replace("\n", "\r\n").replace("\r\r\n", "\r\n"))
    child.close()
    assert child.exitstatus == 0, "\n".join(screen.display)
    return [line.rstrip() for line in screen.display]


def whole(token: str, lines: list[str]) -> bool:
    pattern = re.compile(rf"(?<![\w-]){re.escape(token)}(?![\w-])")
    return any(pattern.search(line) for line in lines)


def missing(tokens: set[str], lines: list[str]) -> list[str]:
    return sorted(t for t in tokens if not whole(t, lines))


@pytest.mark.parametrize("width", WIDTHS)
def test_subs_list_shows_every_id_contract_and_date_whole(
    account: tuple[dict[str, str], dict[str, list]], width: int
) -> None:
    env, facts = account
    lines = screen_of(env, width, "subs", "list")
    assert all(len(line) <= width for line in lines)
    tokens = {s["id"] for s in facts["subs"]}
    tokens |= {s["contract"] for s in facts["subs"] if s["contract"]}
    tokens |= {s["term_end"] for s in facts["subs"]}
    assert missing(tokens, lines) == [], "\n".join(lines)
    assert whole("change pending", lines)  # the reason in words, whole
    assert not whole("change-pending", lines)  # codes are for scripts


@pytest.mark.parametrize("width", WIDTHS)
def test_partner_history_shows_every_id_csn_and_time_whole(
    account: tuple[dict[str, str], dict[str, list]], width: int
) -> None:
    env, facts = account
    lines = screen_of(env, width, "partner", "history")
    assert all(len(line) <= width for line in lines)
    tokens: set[str] = set()
    for change in facts["changes"]:
        tokens |= {change["id"], change["contract"], change["to"], *change["from"]}
    assert missing(tokens, lines) == [], "\n".join(lines)
    # effective 10:30 UTC is 11:30 in Paris; the zone is named, the time never split from it
    assert whole("2026-11-26 11:30 CET", lines)
    if "Submitted" in lines[1]:  # the header line (at 60, cards: a line per field)
        assert whole("2026-11-26 10:30 CET", lines)
    if any(line.startswith("Submitted") for line in lines):
        assert whole("2026-11-26 10:30 CET", lines)
    assert whole("Bureau Numérique Paris (5550002222)", lines) or whole("(5550002222)", lines)


def test_an_absurd_columns_value_draws_at_80(
    account: tuple[dict[str, str], dict[str, list]],
) -> None:
    env, _ = account
    lines = screen_of({**env, "COLUMNS": "0"}, 120, "subs", "list")
    assert max(len(line) for line in lines) <= 80
    assert max(len(line) for line in lines) > 60


def wizard_screen(env: dict[str, str], width: int) -> tuple[list[str], list[str]]:
    """The wizard walked at ``width`` columns up to the Submit question (then Esc: nothing
    is written), as the emulator shows it: the screen while step 3's list is open, and
    the screen at Submit."""
    screen = pyte.Screen(width, ROWS)
    stream = pyte.ByteStream(screen)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "acctctl", "partner", "change"],
        env={**env, "ACCTCTL_STORE": env["ACCTCTL_STORE"] + ".wizard.db"},
        dimensions=(ROWS, width),
        timeout=60,
    )

    def until(text: str) -> None:
        child.expect(re.escape(text).encode())
        stream.feed(child.before + child.after)

    until("New partner")  # step 1: the partner from the vendor's e-mail
    child.send("\r")
    until("Select a subscription")  # steps 2 and 3
    until("Esc")
    child.expect(pexpect.TIMEOUT, timeout=1)  # the whole list drawn
    stream.feed(child.before or b"")
    at_step_3 = [line.rstrip() for line in screen.display]
    child.send("\r")
    until("Actions")  # step 4: Update reseller information
    child.send("\r")
    until("Find")  # step 5: the CSN, prefilled
    child.send("\r")
    until("right partner")  # step 6
    child.send("\r")
    until("Submit?")  # step 7
    child.expect(pexpect.TIMEOUT, timeout=1)
    stream.feed(child.before or b"")
    child.send("\x1b")  # Esc at the Submit menu: cancelled, nothing written
    child.expect(pexpect.EOF)
    child.close()
    return at_step_3, [line.rstrip() for line in screen.display]


def step_lines(lines: list[str], number: int) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.startswith(f"Step {number}/8"))
    end = next(
        (i for i, line in enumerate(lines) if line.startswith(f"Step {number + 1}/8")),
        len(lines),
    )
    return lines[start:end]


@pytest.mark.parametrize("width", WIDTHS)
def test_wizard_steps_2_3_and_7_show_ids_contracts_csns_and_dates_whole(
    account: tuple[dict[str, str], dict[str, list]], width: int
) -> None:
    env, facts = account
    subprocess.run(
        [sys.executable, "-m", "acctctl", "store", "init", "--demo", "--force"],
        env={**env, "ACCTCTL_STORE": env["ACCTCTL_STORE"] + ".wizard.db"},
        check=True,
        capture_output=True,
        timeout=120,
    )
    open_list, lines = wizard_screen(env, width)
    assert all(len(line) <= width for line in lines)
    assert "\\x" not in "\n".join(lines)  # a wrapped line break is a break, not an escape
    ids = {s["id"] for s in facts["subs"]}
    contracts = {s["contract"] for s in facts["subs"] if s["contract"]}
    step_2, step_7 = step_lines(lines, 2), step_lines(lines, 7)
    step_3 = step_lines(open_list, 3)
    dates = {s["term_end"] for s in facts["subs"]}
    assert missing(ids | contracts | dates, step_2) == [], "\n".join(step_2)
    assert missing(ids | contracts, step_3) == [], "\n".join(step_3)
    assert whole("expires ≤ 90 days", step_3) and whole("new buying model", step_3)
    moved = {"72000000001", "72000000002", "72000000003"}
    csns = {"110000000001", "5550001111", "5550002222"}
    assert missing(moved | csns, step_7) == [], "\n".join(step_7)
    assert whole("2026-11-26 11:30 CET", step_7)  # takes effect, local time, whole
