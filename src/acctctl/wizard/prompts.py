"""Asking the administrator: a small ``Prompter`` protocol and its questionary implementation.

This is the only module that imports questionary or prompt_toolkit, and only when a
question is actually asked: `acctctl subs list --json` never pays for them. Every
question is asked with ``unsafe_ask`` so Ctrl-C reaches us; Ctrl-C, Esc and end of
input all become ``CancelledError`` (exit 130).

The terminal would wrap a question, a choice or questionary's echo of the answer by
character (a contract number split at 60 columns): questions and choices are wrapped
here at spaces, and once answered the question is erased and written again with a
short echo of the answer (``Option.echo``), fitted the same way (``answered``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from acctctl.flow.prompter import Option, Prompter, Validator, cancelled
from acctctl.i18n import _
from acctctl.output import inert

T = TypeVar("T")

__all__ = ["Option", "Prompter", "QuestionaryPrompter", "Validator", "confirm"]


class QuestionaryPrompter:
    """Questions at a terminal, drawn by questionary on the current prompt_toolkit session.
    ``flag`` (the flag that answers without prompts) is not needed here.

    Every yes/no question of the program is asked by ``confirm`` below: the one place
    that knows how a yes and a no are typed."""

    interactive = True

    def ready(self) -> None:
        """Nothing to check: a value not given is asked."""

    def select(
        self,
        message: str,
        options: Sequence[Option[T]],
        default: T | None = None,
        *,
        flag: str = "",
    ) -> T:
        import questionary

        if not any(option.disabled is None for option in options):
            raise ValueError("select() needs at least one enabled option")
        # questionary writes "- " before a disabled title: indent the others to match.
        indent = "  " if any(option.disabled is not None for option in options) else ""
        # Indexes as values: questionary compares values and replaces None by the title.
        width = _width()
        choices = [
            questionary.Choice(
                _fit_choice(
                    inert(option.title)
                    if option.disabled is not None
                    else indent + inert(option.title),
                    option.disabled,
                    width,
                ),
                value=index,
                disabled=inert(option.disabled) if option.disabled is not None else None,
            )
            for index, option in enumerate(options)
        ]
        start = next(
            (
                index
                for index, option in enumerate(options)
                if default is not None and option.value == default and option.disabled is None
            ),
            None,
        )
        shown, instruction = _fit_question(
            inert(message), _("(arrow keys, Enter; Esc cancels)"), width
        )
        question = questionary.select(
            shown,
            choices=choices,
            default=choices[start] if start is not None else None,
            instruction=instruction,
        )
        chosen = options[int(_ask(question, message))]
        answered(message, chosen.echo if chosen.echo is not None else chosen.title)
        return chosen.value

    def text(
        self,
        message: str,
        default: str = "",
        validate: Validator | None = None,
        *,
        flag: str = "",
    ) -> str:
        import questionary

        def check(answer: str) -> bool | str:
            if validate is None:
                return True
            problem = validate(answer)
            return True if problem is None else problem

        shown, _instruction = _fit_question(inert(message), "", _width())
        question = questionary.text(shown, default=default, validate=check)
        typed = str(_ask(question, message))
        answered(message, typed)
        return typed

    def confirm(self, message: str, default: bool = False, *, flag: str = "") -> bool:
        """In English, questionary's own single-key ``(Y/n)`` question (y or n answers at
        once). In any other language, the catalog's question (``(O/n)``, « Oui »/« Non »),
        where ``o``/``oui``/``y`` or ``n``/``non`` is typed then Enter (``wizard.yes_no``):
        a whole word answered by its first letter would leave the rest for the next
        question."""
        from acctctl.i18n import language

        shown, _instruction = _fit_question(inert(message), "(Y/n)", _width())
        if language() != "en":
            from acctctl.wizard.yes_no import yes_no_question

            yes = bool(_ask(yes_no_question(shown, default), message))
        else:
            import questionary

            question = questionary.confirm(shown, default=default, auto_enter=True)
            yes = bool(_ask(question, message))
        answered(message, _("Yes") if yes else _("No"))
        return yes


def _width() -> int:
    import sys

    from acctctl.terminal_text import terminal_width

    return terminal_width(sys.stdout)


def _lines(text: str, width: int, indent: str = "  ") -> list[str]:
    """``text`` wrapped at spaces to ``width``, the lines after the first indented by
    ``indent``; an id or any word longer than the line stays whole."""
    from acctctl.output import fit_message

    return fit_message(text, width, indent=indent).split("\n")


def _fit_question(message: str, instruction: str, width: int) -> tuple[str, str]:
    """The question's text wrapped at spaces (questionary writes ``? `` before it), and
    its instruction, which starts a line of its own when it does not fit after it."""
    from acctctl.terminal_text import cell_width

    lines = _lines("? " + message, width)
    shown = "\n".join(lines)[2:]
    if instruction and cell_width(lines[-1]) + 1 + cell_width(instruction) > width:
        instruction = "\n  " + instruction
    return shown, instruction


def _fit_choice(title: str, disabled: str | None, width: int) -> str:
    """A choice wrapped at spaces below its first line (questionary writes `` » `` or
    `` - `` before a title, and `` (reason)`` after a disabled one): a CSN at the end of
    a long notice goes to the next line whole, not cut at the terminal's edge."""
    from acctctl.terminal_text import cell_width

    room = width - 3 - (cell_width(disabled) + 3 if disabled is not None else 0)
    if cell_width(title) <= room:
        return title
    lines = _lines(title, max(room, 20), indent="")
    return "\n   ".join(lines)


def answered(message: str, answer: str) -> None:
    """The question written again once answered (``_ask`` erased it), with ``answer``
    after it, wrapped at spaces: questionary's own echo would be the whole choice,
    wrapped by the terminal at any character."""
    from prompt_toolkit import print_formatted_text
    from prompt_toolkit.formatted_text import FormattedText
    from questionary.styles import merge_styles_default

    from acctctl.terminal_text import cell_width

    width = _width()
    lines = _lines("? " + inert(message), width)
    answer = " ".join(inert(answer).split())
    parts = [("class:qmark", "?"), ("class:question", "\n".join(lines)[1:])]
    if answer and cell_width(lines[-1]) + 1 + cell_width(answer) <= width:
        parts.append(("class:answer", " " + answer))
    elif answer:
        parts.append(("class:answer", "\n" + "\n".join(_lines("  " + answer, width))))
    print_formatted_text(FormattedText(parts), style=merge_styles_default([]))


def _ask(question: Any, message: str) -> Any:
    """Ask with Esc bound to cancel; Ctrl-C, Esc and end of input raise ``CancelledError``
    (the question, erased when done, is written again without an answer)."""
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
    from prompt_toolkit.keys import Keys

    escape = KeyBindings()

    # eager: do not wait to see whether Esc starts a longer (Alt-) key sequence.
    @escape.add(Keys.Escape, eager=True)
    def _cancel(event: Any) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    application = question.application
    application.erase_when_done = True  # ``answered`` writes it again, fitted
    if application.key_bindings is None:
        application.key_bindings = escape
    else:
        application.key_bindings = merge_key_bindings([application.key_bindings, escape])
    try:
        return question.unsafe_ask()
    except (KeyboardInterrupt, EOFError):
        answered(message, "")
        raise cancelled() from None


def confirm(question: str, default: bool = False) -> bool:
    """A yes/no question at a terminal (`partner cancel`, `subs auto-renew`).
    Ctrl-C or Esc raise ``CancelledError``."""
    return QuestionaryPrompter().confirm(question, default)
