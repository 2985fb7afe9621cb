"""Messages wrapped at a terminal's width (issue 11, point 3): words whole, and a command
longer than the screen broken only between arguments, with shell continuations — the
lines as printed, given to a shell, are the one command the message names.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Iterator

import pytest

from acctctl import hints
from acctctl.i18n import _, set_language
from acctctl.output import fit_message

STORE = "/srv/team stores/o'brien account.db"  # a space and a quote: quoting must survive
USER = "claire.dupont-lefebvre@atelier-dupont.example"


@pytest.fixture
def in_effect() -> Iterator[None]:
    hints.remember(
        {"store": STORE, "user": USER, "lang": "fr"},
        {"store": "flag", "user": "flag", "lang": "flag"},
    )
    yield
    hints.forget()


def commands_of(wrapped: str) -> list[str]:
    """The commands set apart in ``wrapped``: from a line starting ``acctctl`` to the
    first line that does not end with a continuation, as they were printed."""
    found: list[str] = []
    lines = iter(wrapped.splitlines())
    for line in lines:
        if line.lstrip().startswith("acctctl "):
            block = [line]
            while block[-1].endswith(" \\"):
                block.append(next(lines))
            found.append("\n".join(block))
    return found


def arguments_run(command_text: str) -> list[str]:
    """The arguments ``acctctl`` receives when bash runs ``command_text`` as printed."""
    script = "acctctl() { printf '%s\\0' \"$@\"; }\n" + command_text
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    return done.stdout.split("\0")[:-1]


def messages() -> list[tuple[str, list[str]]]:
    """Messages as the program writes them (in the language in effect), with the
    arguments of the command each names."""
    words = ["--store", STORE, "--as", USER, "--lang", "fr"]
    return [
        (
            _("Follow it: `{command}`").format(command=hints.command("partner", "history", "7")),
            ["partner", "history", "7", *words],
        ),
        (
            "  ✗ "
            + _("Automatic renewal is on for {holder}: turn it off first (`{command}`).").format(
                holder="contract 110000000002",
                command=hints.command("subs", "auto-renew", "72000000004", "--off"),
            ),
            ["subs", "auto-renew", "72000000004", "--off", *words],
        ),
        (
            _("hint: {hint}").format(
                hint=_("`{command}` shows the account's subscriptions.").format(
                    command=hints.command("subs", "list")
                )
            ),
            ["subs", "list", *words],
        ),
    ]


@pytest.mark.usefixtures("in_effect")
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("width", [40, 60, 80, 100])
@pytest.mark.parametrize("indent", ["  ", ""])
def test_a_long_command_breaks_between_arguments_and_runs_as_printed(
    language: str, width: int, indent: str
) -> None:
    set_language(language)
    for message, arguments in messages():
        wrapped = fit_message(message, width, indent)
        # only an argument longer than a line (the e-mail at 40 columns) runs past it
        too_long = [line for line in wrapped.splitlines() if len(line) > width]
        assert all(len(shlex.split(line.removesuffix(" \\"))) == 1 for line in too_long), wrapped
        printed = commands_of(wrapped)
        assert len(printed) == 1, wrapped
        assert arguments_run(printed[0]) == arguments, wrapped
        # nothing of the sentence is lost but the backticks (and the parentheses around
        # the command set apart); no word is split
        assert set(wrapped.split()) >= set(message.replace("`", " ").replace("(", " ").split()) - {
            ").",
            "(",
            "",
        } - {w for w in message.split() if w.startswith(("(`", "`"))}


def test_a_command_that_fits_stays_on_one_line_in_backticks() -> None:
    message = "hint: `acctctl subs list` shows the account's subscriptions."
    assert fit_message(message, 40) == (
        "hint: `acctctl subs list` shows the\n  account's subscriptions."
    )


def test_what_is_not_a_shell_command_is_left_whole() -> None:
    message = "Type `it's` " + "x" * 70
    assert "it's" in fit_message(message, 40)


def test_a_result_line_at_a_terminal_counts_its_tab_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`partner change --yes` at 60 columns: the tabs take the terminal to column 40, so
    the time went past the edge and was cut by the terminal."""
    import io

    from acctctl import output

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setattr(output.sys, "stdout", Terminal())
    output.out("72000000001\tsoumise\tCHG-000001\t2026-12-01T08:42:39+00:00")
    lines = output.sys.stdout.getvalue().splitlines()
    assert all(len(line) <= 60 for line in lines), lines
    assert any(line.strip() == "2026-12-01T08:42:39+00:00" for line in lines), lines


def test_a_reason_label_is_never_split_across_lines() -> None:
    import io

    from acctctl.cli.change_lines import why_not
    from acctctl.rules import Reason

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    set_language("fr")
    reasons = [Reason("auto-renew", "…"), Reason("expiring-soon", "…")]
    line = "Étape 7/8 — Vérifiez les nouvelles informations : non soumise : " + why_not(
        reasons, Terminal()
    )
    for width in (40, 60, 80):
        wrapped = fit_message(line, width)
        assert any("renouv. auto activé" in row for row in wrapped.splitlines()), wrapped
        assert any("expire d’ici 90 jours" in row for row in wrapped.splitlines()), wrapped
    assert why_not(reasons, io.StringIO()) == "auto-renew,expiring-soon"
