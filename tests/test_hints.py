"""Every command a message tells the user to run, run as printed (issue 11).

The store is not the default one (`--store` names a folder with a space in it) and
the user comes from `--as`: a hint that forgot either, or quoted the path wrong, acts on
another store — or on none — and fails here. Hints are run by a POSIX shell, from the
text the program printed, in a pseudo-terminal (a hint may ask for a confirmation, as
it would for the person who pastes it).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from acctctl import hints
from real_program import run, terminal_environment

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.timeout(180)

CLAIRE = "claire@dupont.example"
BUREAU = "5550002222"
HINT = re.compile(r"`(acctctl [^`]+)`")
PLACEHOLDER = re.compile(r"\b(FILE|EMAIL|ID|CSN)\b")


@pytest.fixture
def world(tmp_path: Path) -> tuple[dict[str, str], str]:
    """An environment where `acctctl` is this program, and a store path needing quotes."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "acctctl"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m acctctl "$@"\n')
    launcher.chmod(0o755)
    env = terminal_environment(
        tmp_path / "home", None, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    )
    env["COLUMNS"] = "80"
    store = tmp_path / "team stores" / "account.db"
    store.parent.mkdir()
    return env, str(store)


def acctctl(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(env, *args)


# A command longer than the screen, set apart on lines of its own (acctctl.wrapping).
SET_APART = re.compile(r"^[ \t]*(acctctl (?:[^\n`]* \\\n)*[^\n`]*)$", re.M)


def runnable_hints(text: str) -> list[str]:
    """The commands ``text`` tells to run, as printed: in backticks (a message wrapped at
    spaces is one line again), or set apart on lines ending with ``\\`` (kept as they
    are: the shell joins them, as it would for the person who pastes them)."""
    text = text.replace("\r\n", "\n")
    apart: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        apart.append(match.group(1))
        return f"`acctctl #{len(apart) - 1}`"

    text = SET_APART.sub(placeholder, text)
    found = [
        apart[int(h[len("acctctl #") :])] if h.startswith("acctctl #") else h
        for h in HINT.findall(" ".join(text.split()))  # a wrapped message is one line again
    ]
    return [h for h in found if not PLACEHOLDER.search(joined(h))]


def joined(command: str) -> str:
    """``command`` on one line, as the shell reads its continuation lines."""
    return re.sub(r" \\\n\s*", " ", command)


def run_as_printed(env: dict[str, str], hint: str) -> tuple[int, str]:
    """``hint`` through ``sh -c`` at a terminal, answering yes to a confirmation."""
    child = pexpect.spawn("sh", ["-c", hint], env=env, encoding="utf-8", timeout=90)
    seen = ""
    while True:
        index = child.expect([r"\?", pexpect.EOF])
        seen += child.before or ""
        if index == 1:
            break
        child.send("y")
    child.close()
    return child.exitstatus if child.exitstatus is not None else -1, seen


def run_in_a_script(env: dict[str, str], hint: str) -> subprocess.CompletedProcess[str]:
    """``hint`` through ``sh -c`` as a line of a script: no terminal anywhere."""
    return subprocess.run(
        ["sh", "-c", hint], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True
    )


def test_a_command_that_asks_carries_yes_when_this_run_cannot_ask() -> None:
    hints.remember({"store": "/a b/c.db"}, {"store": "flag"})
    try:
        assert hints.confirming("partner", "cancel", "CHG-1") == (
            "acctctl partner cancel CHG-1 --store '/a b/c.db'"
        )
        hints.cannot_prompt()
        assert hints.confirming("partner", "cancel", "CHG-1") == (
            "acctctl partner cancel CHG-1 --yes --store '/a b/c.db'"
        )
        assert hints.command("partner", "history") == "acctctl partner history --store '/a b/c.db'"
    finally:
        hints.forget()
    assert hints.confirming("partner", "cancel", "CHG-1") == "acctctl partner cancel CHG-1"


@pytest.mark.parametrize("option", ["--yes", "--json"])
def test_the_rules_commands_printed_by_a_run_that_cannot_ask_run_in_a_script(
    world: tuple[dict[str, str], str], option: str
) -> None:
    """At a terminal: `--yes` (or `--json`) means this run asks nothing; its auto-renew
    hint, pasted into a script, must not stop at "Pass --yes …"."""
    env, store = world
    assert acctctl(env, "store", "init", "--demo", "--store", store).returncode == 0
    child = pexpect.spawn(
        sys.executable,
        ["-m", "acctctl", "--store", store, "--as", CLAIRE, "partner", "change",
         "72000000004", "--csn", BUREAU, option, *(["--yes"] if option == "--json" else [])],
        env=env, encoding="utf-8", timeout=60,
    )  # fmt: skip
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 3, child.before
    printed = runnable_hints(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.before or ""))
    assert [joined(hint) for hint in printed] == [
        f"acctctl subs auto-renew 72000000004 --off --yes --store '{store}' --as {CLAIRE}"
    ]
    done = run_in_a_script(env, printed[0])
    assert done.returncode == 0, done.stderr


def test_the_hint_builder_repeats_the_options_in_effect() -> None:
    hints.remember(
        {"store": "postgresql://marc:secret@db/acct?password=x&sslmode=require", "user": "m@x"},
        {"store": "flag", "user": "environment", "lang": "default"},
    )
    try:
        assert hints.command("partner", "cancel", "CHG-1") == (
            "acctctl partner cancel CHG-1 --store "
            "'postgresql://marc@db/acct?sslmode=require' --as m@x"
        )
        hints.remember({"store": "/a b/c.db", "lang": "fr"}, {"store": "config", "lang": "flag"})
        assert hints.command("subs", "list") == "acctctl subs list --lang fr"
    finally:
        hints.forget()
    assert hints.command("subs", "list") == "acctctl subs list"


@pytest.mark.slow
def test_every_hint_runs_as_printed_against_the_store_in_use(
    world: tuple[dict[str, str], str],
) -> None:
    env, store = world
    printed: list[str] = []

    # A store that does not exist yet: the hint creates it — there, not at the default.
    missing = acctctl(env, "subs", "list", "--store", store)
    assert missing.returncode == 6
    printed += runnable_hints(missing.stderr)
    assert printed == [f"acctctl store init --demo --store '{store}'"]
    code, _ = run_as_printed(env, printed[0])
    assert code == 0 and Path(store).exists()

    # An unknown subscription: the hint lists the subscriptions of this store.
    unknown = acctctl(env, "subs", "show", "99999", "--store", store)
    assert unknown.returncode == 4
    listing = runnable_hints(unknown.stderr)
    assert listing == [f"acctctl subs list --store '{store}'"]

    # Automatic renewal on: the hint turns it off, as the same user, on the same store.
    auto = acctctl(
        env, "partner", "change", "72000000004", "--csn", BUREAU, "--yes", "--as", CLAIRE,
        "--store", store,
    )  # fmt: skip
    assert auto.returncode == 3
    turn_off = runnable_hints(auto.stderr)
    # The run could not ask (--yes, no terminal): nor can the pasted command, so it
    # carries --yes (without it: "Pass --yes to change automatic renewal …", exit 2).
    assert turn_off == [
        f"acctctl subs auto-renew 72000000004 --off --yes --store '{store}' --as {CLAIRE}"
    ]

    # A change pending to another partner: the hint withdraws it.
    first = acctctl(
        env, "--as", CLAIRE, "--store", store, "partner", "change", "72000000001",
        "--csn", BUREAU, "--yes",
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    other = acctctl(
        env, "partner", "change", "72000000002", "--csn", "5550003333", "--yes",
        "--store", store, "--as", CLAIRE,
    )  # fmt: skip
    assert other.returncode == 3
    withdraw = runnable_hints(other.stderr)
    assert withdraw == [f"acctctl partner cancel CHG-000001 --yes --store '{store}' --as {CLAIRE}"]

    code, seen = run_as_printed(env, listing[0])
    assert code == 0, (listing[0], seen)
    for hint in (*turn_off, *withdraw):  # pasted into the script: no terminal
        done = run_in_a_script(env, hint)
        assert done.returncode == 0, (hint, done.stderr)
    history = acctctl(env, "partner", "history", "--json", "--store", store)
    assert '"status": "cancelled"' in history.stdout
    shown = acctctl(env, "subs", "show", "72000000004", "--json", "--store", store)
    assert '"auto_renew": false' in shown.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["subs", "list", "--lang", "fr"], ["--lang", "fr", "subs", "list"]),
        (
            ["partner", "change", "7", "--csn", "1", "--yes", "--as", "m@x", "--store=s.db"],
            ["--as", "m@x", "--store=s.db", "partner", "change", "7", "--csn", "1", "--yes"],
        ),
        # a value of another option, and what follows --, are left alone
        (["partner", "change", "7", "--csn", "--as"], ["partner", "change", "7", "--csn", "--as"]),
        (
            ["--store", "a.db", "subs", "show", "--", "--as"],
            ["--store", "a.db", "subs", "show", "--", "--as"],
        ),
        (["config", "set", "store", "x.db"], ["config", "set", "store", "x.db"]),
    ],
)
def test_global_options_are_moved_before_the_command(args: list[str], expected: list[str]) -> None:
    import typer

    from acctctl.cli.app import app
    from acctctl.cli.global_options import hoist_global_options

    assert hoist_global_options(args, typer.main.get_command(app)) == expected


def test_global_options_after_the_subcommand_reach_the_store(
    world: tuple[dict[str, str], str],
) -> None:
    env, store = world
    assert acctctl(env, "store", "init", "--demo", "--store", store).returncode == 0
    shown = acctctl(env, "subs", "show", "72000000001", "--json", "--store", store, "--lang", "fr")
    assert shown.returncode == 0 and '"id": "72000000001"' in shown.stdout
    french = acctctl(env, "subs", "show", "99999", "--store", store, "--lang", "fr")
    assert french.returncode == 4 and "Aucun abonnement" in french.stderr


@pytest.mark.slow
@pytest.mark.parametrize("width", [60, 100])
def test_the_wizard_follow_and_withdraw_hints_point_at_the_same_store(
    world: tuple[dict[str, str], str], width: int
) -> None:
    env, store = world
    assert acctctl(env, "store", "init", "--demo", "--store", store).returncode == 0
    child = pexpect.spawn(
        sys.executable,
        ["-m", "acctctl", "partner", "change", "--store", store, "--as", CLAIRE],
        env={**env, "COLUMNS": str(width)},
        dimensions=(60, width),
        encoding="utf-8",
        timeout=60,
    )
    questions = (
        "New partner",
        "Select a subscription",
        "Actions",
        "Find",
        "right partner",
        "Submit?",
        "Close the confirmation window:",
    )
    screen = io.StringIO()
    child.logfile_read = screen  # the hints come before the last question
    for question in questions:  # Enter takes each default: Find, "Yes: Next", Submit, Done
        child.expect(re.escape(question))
        child.send("\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    printed = runnable_hints(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue()))
    if width == 60:  # longer than the screen: set apart, broken between arguments
        assert all(" \\\n" in hint for hint in printed), printed
    assert [joined(hint) for hint in printed] == [
        f"acctctl partner history 72000000001 --store '{store}' --as {CLAIRE}",
        f"acctctl partner cancel CHG-000001 --store '{store}' --as {CLAIRE}",
    ]
    for hint in printed:
        code, seen = run_as_printed(env, hint)
        assert code == 0, (hint, seen)
    history = acctctl(env, "partner", "history", "--json", "--store", store)
    assert '"status": "cancelled"' in history.stdout


def test_the_export_hints_read_the_same_export_as_the_same_user(
    world: tuple[dict[str, str], str],
) -> None:
    """`--from`: the hints carry the export, its --date-format and the options in effect."""
    env, store = world
    export = Path(store).parent / "portal export.csv"
    export.write_text(
        (Path(__file__).parent.parent / "docs" / "sample-subscriptions-export.csv").read_text(
            encoding="utf-8"
        ),
        encoding="utf-8",
    )
    missing = acctctl(
        env, "subs", "show", "99999", "--from", str(export), "--date-format", "%Y-%m-%d",
        "--as", CLAIRE, "--lang", "fr",
    )  # fmt: skip
    assert missing.returncode == 4
    listing = runnable_hints(missing.stderr)
    assert listing == [
        f"acctctl subs list --from '{export}' --date-format %Y-%m-%d --as {CLAIRE} --lang fr"
    ]
    assert acctctl(env, "store", "init", "--demo", "--store", store).returncode == 0
    nothing = acctctl(env, "partner", "verify", "--from", str(export), "--store", store)
    assert nothing.returncode == 4
    history = runnable_hints(nothing.stderr)
    assert history == [f"acctctl partner history --store '{store}'"]
    for hint in (*listing, *history):
        done = subprocess.run(["sh", "-c", hint], env=env, capture_output=True, text=True)
        assert done.returncode == 0, (hint, done.stderr)
    shown = subprocess.run(["sh", "-c", listing[0]], env=env, capture_output=True, text=True)
    assert "72000000101" in shown.stdout


def test_ids_from_a_terminal_are_refused_before_any_step_with_a_pipe_to_paste(
    world: tuple[dict[str, str], str],
) -> None:
    """`partner change -` with standard input a terminal: nothing to read. Refused before
    Step 1/8, with the pipe that gives it the ids, on the same store as the same user
    (a contract of the demo has two partners: --replace-all is repeated)."""
    env, store = world
    assert acctctl(env, "store", "init", "--demo", "--store", store).returncode == 0
    child = pexpect.spawn(
        sys.executable,
        ["-m", "acctctl", "partner", "change", "-", "--csn", BUREAU, "--replace-all",
         "--store", store, "--as", CLAIRE],
        env=env, encoding="utf-8", timeout=60,
    )  # fmt: skip
    child.expect(pexpect.EOF)
    child.close()
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.before or "")
    assert child.exitstatus == 2, shown
    assert "Step" not in shown and "but it is a terminal" in shown
    printed = runnable_hints(shown)
    options = f"--store '{store}' --as {CLAIRE}"
    assert [joined(hint) for hint in printed] == [
        f"acctctl subs list --eligible --ids {options} | "
        f"acctctl partner change - --csn {BUREAU} --yes --replace-all {options}"
    ]
    done = run_in_a_script(env, printed[0])
    assert done.returncode == 0, done.stderr
    history = acctctl(env, "partner", "history", "--json", "--store", store)
    assert '"status": "pending"' in history.stdout
