"""A question once answered, as the terminal shows it at 60 columns (issue 11): the
question is erased and written again with a short echo of the answer, wrapped at
spaces, so a contract number or a CSN is never split by the terminal's own wrap.

The prompter runs in-process on a prompt_toolkit pipe input and a VT100 output of the
given width; what it wrote is read back through a terminal emulator (pyte).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pyte = pytest.importorskip("pyte")

pytestmark = pytest.mark.timeout(30)

DOWN, ENTER = "\x1b[B", "\r"
ROW = "72000000008  Navisworks Manage  110000000006"


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., tuple[Any, list[str]]]]:
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output

    def ask(width: int, keys: str, question: Callable[[], Any]) -> tuple[Any, list[str]]:
        monkeypatch.setenv("COLUMNS", str(width))
        written = io.StringIO()
        output = Vt100_Output(written, lambda: Size(rows=40, columns=width), term="xterm")
        with create_pipe_input() as keyboard, create_app_session(input=keyboard, output=output):
            keyboard.send_text(keys)
            answer = question()
        screen = pyte.Screen(width, 40)
        pyte.Stream(screen).feed(written.getvalue().replace("\n", "\r\n"))
        return answer, [line.rstrip() for line in screen.display if line.strip()]

    yield ask


def whole(token: str, lines: list[str]) -> bool:
    return any(re.search(rf"(?<!\d){token}(?!\d)", line) for line in lines)


def test_a_chosen_row_is_echoed_by_its_id_on_one_line(terminal: Any) -> None:
    from acctctl.flow.prompter import Option
    from acctctl.wizard.prompts import QuestionaryPrompter

    rows = [
        Option("72000000001  AutoCAD            110000000001", "72000000001", echo="72000000001"),
        Option(ROW, "72000000008", echo="72000000008"),
    ]
    answer, lines = terminal(
        60, DOWN + ENTER, lambda: QuestionaryPrompter().select("Select a subscription:", rows)
    )
    assert answer == "72000000008"
    assert lines == ["? Select a subscription: 72000000008"]


def test_a_long_choice_is_wrapped_at_spaces_and_echoed_whole(terminal: Any) -> None:
    from acctctl.flow.prompter import Option
    from acctctl.wizard.prompts import QuestionaryPrompter

    notice = "From the email of 25 Nov: Bureau Numérique Paris, 5550002222"
    options = [Option(notice, "5550002222"), Option("Type another account number", "")]
    answer, lines = terminal(
        60, ENTER, lambda: QuestionaryPrompter().select("New partner's account number:", options)
    )
    assert answer == "5550002222"
    assert all(len(line) <= 60 for line in lines)
    assert whole("5550002222", lines) and lines[0] == "? New partner's account number:"


def test_french_questions_and_yes_no_echo_wrap_at_spaces(terminal: Any) -> None:
    from acctctl.i18n import set_language
    from acctctl.wizard.prompts import QuestionaryPrompter

    set_language("fr")
    try:
        question = (
            "Désactiver le renouvellement automatique du contrat 110000000002 ? C’est "
            "enregistré tout de suite, quoi que vous décidiez ensuite."
        )
        answer, lines = terminal(60, "o" + ENTER, lambda: QuestionaryPrompter().confirm(question))
    finally:
        set_language("en")
    assert answer is True
    assert all(len(line) <= 60 for line in lines)
    assert whole("110000000002", lines)
    assert lines[-1].endswith(" Oui") and "ensuite." in lines[-1]
