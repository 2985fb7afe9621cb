"""The real program in a real pseudo-terminal (pexpect), and what only a process shows.

Each walk starts from nothing: `acctctl store init --demo` in a fresh ACCTCTL_HOME,
then `acctctl partner change` at a terminal, answered key by key as an administrator
would. What was written is read back with `acctctl partner history --json`.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from real_program import on_terminal, run, terminal_environment

pexpect = pytest.importorskip("pexpect")

ACCTCTL = [sys.executable, "-m", "acctctl"]
CLAIRE = "claire@dupont.example"
BUREAU = "5550002222"
ENTER = "\r"
DOWN = "\x1b[B"
CTRL_U = "\x15"
CTRL_C = "\x03"
ESC = "\x1b"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r")

pytestmark = [pytest.mark.timeout(90), pytest.mark.slow]  # pseudo-terminal walks


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A fresh demo account and the environment of a plain xterm without colour."""
    environ = terminal_environment(tmp_path / "home", None, COLUMNS="120", LINES="40")
    assert run(environ, "store", "init", "--demo").returncode == 0
    return environ


class Terminal:
    """`acctctl ARGS` in a 40×120 pseudo-terminal, with everything it drew kept."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.screen = io.StringIO()
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "acctctl", *args],
            env=env,
            dimensions=(40, 120),
            encoding="utf-8",
            timeout=60,
        )
        self.child.logfile_read = self.screen

    def wait(self, text: str) -> None:
        self.child.expect_exact(text)

    def answer(self, question: str, keys: str) -> None:
        self.wait(question)
        self.child.send(keys)

    def exit_code(self) -> int:
        self.child.expect(pexpect.EOF)
        self.child.close()
        status = self.child.exitstatus
        assert status is not None, f"killed by signal {self.child.signalstatus}"
        return int(status)

    def text(self) -> str:
        return ANSI.sub("", self.screen.getvalue())

    def lines(self) -> list[str]:
        """The screen as it stands now, read by a terminal emulator (pyte): a menu drawn
        again after a move shows its options once, as a person sees them."""
        pyte = pytest.importorskip("pyte")
        screen = pyte.Screen(120, 40)
        pyte.Stream(screen).feed(self.screen.getvalue())
        return [line.rstrip() for line in screen.display]

    def menu(self, question: str, last: str = "Cancel") -> list[str]:
        """The options shown under the last ``? question`` once ``last`` is drawn, without
        the pointer (the raw output interleaves them with escape sequences)."""
        deadline = time.monotonic() + 30
        while True:
            lines = self.lines()
            asked = [i for i, line in enumerate(lines) if line.startswith("? " + question)]
            if asked:
                below = lines[asked[-1] + 1 :]
                options = [line[3:] for line in below if line.startswith(("   ", " » "))]
                if last in options:
                    return options
            assert time.monotonic() < deadline, "\n".join(lines)
            with contextlib.suppress(pexpect.TIMEOUT):
                self.child.read_nonblocking(4096, timeout=0.2)


def history(env: dict[str, str]) -> list[dict[str, Any]]:
    done = run(env, "partner", "history", "--json")
    assert done.returncode == 0, done.stderr
    changes = json.loads(done.stdout)
    assert isinstance(changes, list)
    return changes


def headings(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"Step (\d)/8 — ", text)]


def first_five_steps(term: Terminal) -> None:
    """Claire (settled before step 1), the notice's partner, the first subscription,
    Update, Find."""
    term.answer("Who is signing in?", ENTER)
    term.answer("New partner's account number:", ENTER)
    term.answer("Select a subscription:", ENTER)
    term.answer("Actions:", ENTER)
    term.answer("Account number 5550002222:", ENTER)


def test_eight_steps_from_nothing_to_a_submitted_change(env: dict[str, str]) -> None:
    term = Terminal(env, "partner", "change")
    first_five_steps(term)
    term.wait("Bureau Numérique Paris")
    term.answer("Is this the right partner?", ENTER)
    term.answer("Submit?", ENTER)
    term.wait("Step 8/8 — Done")
    term.answer("Close the confirmation window:", ENTER)  # Done
    assert term.exit_code() == 0

    text = term.text()
    assert headings(text) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert "From the email of 20 Nov: Bureau Numérique Paris, 5550002222" in text
    assert "CHG-000001" in text.split("Step 8/8")[1]
    assert "2026-11-26 10:30 UTC" in text.split("Step 8/8")[1]
    [change] = history(env)
    assert (change["contract"], change["to"], change["by"], change["status"]) == (
        "110000000001",
        "5550002222",
        "claire@dupont.example",
        "pending",
    )


def test_no_at_step_6_then_back_at_step_7(env: dict[str, str]) -> None:
    term = Terminal(env, "partner", "change")
    first_five_steps(term)
    term.answer("Is this the right partner?", DOWN + ENTER)  # No: enter another number
    term.answer("then Enter to Find:", CTRL_U + "5550004444" + ENTER)
    term.wait("Solutions BIM Nantes")
    term.answer("Is this the right partner?", ENTER)
    term.answer("Submit?", DOWN + ENTER)  # Back to step 6
    term.answer("Is this the right partner?", ENTER)
    term.answer("Submit?", ENTER)
    term.answer("Close the confirmation window:", ENTER)
    assert term.exit_code() == 0

    assert headings(term.text()) == [1, 2, 3, 4, 5, 6, 5, 6, 7, 6, 7, 8]
    assert [c["to"] for c in history(env)] == ["5550004444"]


def test_no_at_submit_exits_130_and_writes_nothing(env: dict[str, str]) -> None:
    term = Terminal(env, "partner", "change")
    first_five_steps(term)
    term.answer("Is this the right partner?", ENTER)
    term.answer("Submit?", DOWN + DOWN + ENTER)  # Cancel
    assert term.exit_code() == 130

    assert "Cancelled; nothing was written." in term.text()
    assert "Step 8/8" not in term.text()
    assert history(env) == []


@pytest.mark.parametrize("key", [CTRL_C, ESC], ids=["ctrl-c", "esc"])
def test_ctrl_c_or_esc_exits_130_and_writes_nothing(env: dict[str, str], key: str) -> None:
    term = Terminal(env, "partner", "change")
    term.answer("Who is signing in?", ENTER)
    term.answer("New partner's account number:", ENTER)
    term.answer("Select a subscription:", key)
    assert term.exit_code() == 130

    assert "Cancelled; nothing was written." in term.text()
    assert "Traceback" not in term.text()
    assert history(env) == []


def test_arguments_fill_their_steps_and_the_wizard_still_asks_at_6_and_7(
    env: dict[str, str],
) -> None:
    term = Terminal(env, "--as", CLAIRE, "partner", "change", "72000000008", "--csn", BUREAU)
    term.wait("Account number from the command line: 5550002222")
    term.wait("Signed in as Claire Dupont")
    term.wait("From the command line: 72000000008")
    term.answer("Actions:", ENTER)
    term.answer("Account number 5550002222:", ENTER)
    term.answer("Is this the right partner?", ENTER)
    term.wait("to change only one of them, contact support")
    term.answer("Replace all 2 partners with Bureau Numérique Paris?", "y")
    term.answer("Submit?", ENTER)
    term.answer("Close the confirmation window:", ENTER)
    assert term.exit_code() == 0

    [change] = history(env)
    assert (change["contract"], change["from"]) == ("110000000006", ["5550001111", "5550004444"])


def test_in_french_the_yes_no_question_takes_oui_and_step_8_offers_terminer(
    env: dict[str, str],
) -> None:
    term = Terminal(
        env, "--lang", "fr", "--as", CLAIRE, "partner", "change", "72000000008", "--csn", BUREAU
    )
    term.answer("Actions", ENTER)
    term.answer("5550002222", ENTER)  # Rechercher
    term.answer("Est-ce le bon partenaire", ENTER)  # Oui : Suivant
    term.wait("(o/N)")
    term.child.send("oui" + ENTER)
    term.wait("Oui")
    term.answer("Soumettre", ENTER)
    term.wait("Terminer")
    term.child.send(ENTER)
    assert term.exit_code() == 0

    text = term.text()
    assert "(y/N)" not in text and "Yes" not in text
    [change] = history(env)
    assert (change["contract"], change["from"]) == ("110000000006", ["5550001111", "5550004444"])


def test_piped_answer_is_never_read_as_a_yes(env: dict[str, str]) -> None:
    """`echo y | acctctl partner change ID --csn CSN` at a terminal: stdout and stderr are
    the terminal, stdin is a pipe; no prompt, no hang: exit 2 naming --yes."""
    code, text = on_terminal(
        env, "--as", CLAIRE, "partner", "change", "72000000001", "--csn", BUREAU, input=b"y\n"
    )
    assert code == 2
    assert "--yes" in text
    assert "?" not in text.split("acctctl:")[0]  # no question was drawn before the error
    assert history(env) == []


def test_result_status_in_french_at_a_terminal_and_the_code_when_piped(
    env: dict[str, str],
) -> None:
    env = {**env, "TZ": "Asia/Tokyo"}  # UTC+9, no summer time
    args = ("--lang", "fr", "--as", CLAIRE, "partner", "change", "72000000001")
    term = Terminal(env, *args, "--csn", BUREAU, "--yes")
    assert term.exit_code() == 0
    line = re.search(r"72000000001\tsoumise\tCHG-000001\t(.*)", term.text().replace("\r", ""))
    assert line is not None
    assert re.fullmatch(r"\d\d/\d\d/\d{4} à \d\d:\d\d JST", line[1].strip()), line[1]
    again = run(env, *args, "--csn", BUREAU, "--yes")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("72000000001\tunchanged\tCHG-000001")
    other = ("--lang", "fr", "--as", CLAIRE, "partner", "change", "72000000009")
    piped = run(env, *other, "--csn", BUREAU, "--yes")
    assert piped.returncode == 0, piped.stderr
    assert re.fullmatch(
        r"72000000009\tsubmitted\tCHG-000002\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00\n",
        piped.stdout,
    ), piped.stdout


def test_back_at_step_5_returns_to_step_4_and_back_at_step_6_to_step_5(
    env: dict[str, str],
) -> None:
    term = Terminal(env, "partner", "change")
    term.answer("Who is signing in?", ENTER)
    term.answer("New partner's account number:", ENTER)
    term.answer("Select a subscription:", ENTER)
    term.answer("Actions:", ENTER)  # Update reseller information
    term.wait("Account number 5550002222:")
    assert term.menu("Account number 5550002222:") == [
        "Find",
        "Enter another account number",
        "Back",
        "Cancel",
    ]
    term.child.send(DOWN + DOWN + ENTER)  # Back: step 4 again
    term.answer("Actions:", ENTER)
    term.answer("Account number 5550002222:", ENTER)  # Find
    term.wait("Bureau Numérique Paris")
    term.wait("Is this the right partner?")
    assert term.menu("Is this the right partner?")[2] == "Back"
    term.child.send(DOWN + DOWN + ENTER)  # Back: step 5 again
    term.answer("Account number 5550002222:", ENTER)
    term.answer("Is this the right partner?", ENTER)
    term.answer("Submit?", ENTER)
    term.answer("Close the confirmation window:", ENTER)
    assert term.exit_code() == 0

    assert headings(term.text()) == [1, 2, 3, 4, 5, 4, 5, 6, 5, 6, 7, 8]
    assert [(c["contract"], c["to"]) for c in history(env)] == [("110000000001", BUREAU)]


def test_a_pending_change_is_marked_at_step_3_and_offers_details_and_its_cancelling(
    env: dict[str, str],
) -> None:
    done = run(env, "--as", CLAIRE, "partner", "change", "72000000001", "--csn", BUREAU, "--yes")
    assert done.returncode == 0, done.stderr
    term = Terminal(env, "partner", "change")
    term.answer("Who is signing in?", ENTER)
    term.answer("New partner's account number:", ENTER)
    term.wait("Select a subscription:")
    term.wait("72000000010")  # the last row: the whole list is drawn
    [row] = [line for line in term.lines() if "72000000001 " in line and "seats" in line]
    assert "(pending: Bureau Numérique Paris from 2026-11-26 10:30 UTC)" in row
    term.child.send(ENTER)
    term.wait("Cancel the pending change")
    assert term.menu("Actions:") == [
        "View details",
        "Cancel the pending change",
        "Choose another subscription",
        "Cancel",
    ]
    term.child.send(ENTER)  # View details: the full card, then the same menu
    term.wait("Can change partner")
    term.wait("Actions:")
    term.child.send(DOWN + ENTER)  # Cancel the pending change
    term.answer("Withdraw change CHG-000001 (110000000001 → Bureau Numérique Paris)?", "y")
    term.wait("Change CHG-000001 is cancelled; the contract keeps its partners.")
    assert term.menu("Actions:")[0] == "Update reseller information"
    term.child.send(DOWN * 3 + ENTER)  # Cancel
    assert term.exit_code() == 130

    assert "already written: change CHG-000001 cancelled" in term.text()
    [change] = history(env)
    assert (change["id"], change["status"]) == ("CHG-000001", "cancelled")


def test_no_to_replace_all_partners_returns_to_step_5(env: dict[str, str]) -> None:
    term = Terminal(env, "--as", CLAIRE, "partner", "change", "72000000008", "--csn", BUREAU)
    term.answer("Actions:", ENTER)
    term.answer("Account number 5550002222:", ENTER)
    term.answer("Is this the right partner?", ENTER)
    term.answer("Replace all 2 partners with Bureau Numérique Paris?", "n")
    term.wait("Step 5/8")
    term.answer("Account number 5550002222:", DOWN * 3 + ENTER)  # Cancel
    assert term.exit_code() == 130

    assert headings(term.text()) == [1, 2, 3, 4, 5, 6, 7, 5]
    assert history(env) == []
