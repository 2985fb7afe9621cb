"""Asking the administrator: a small ``Prompter`` protocol and its questionary implementation.

This is the only module that imports questionary or prompt_toolkit, and only when a
question is actually asked: `acctctl subs list --json` never pays for them. Every
question is asked with ``unsafe_ask`` so Ctrl-C reaches us; Ctrl-C, Esc and end of
input all become ``CancelledError`` (exit 130).
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
        choices = [
            questionary.Choice(
                inert(option.title)
                if option.disabled is not None
                else indent + inert(option.title),
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
        question = questionary.select(
            inert(message),
            choices=choices,
            default=choices[start] if start is not None else None,
            instruction=_("(arrow keys, Enter; Esc cancels)"),
        )
        return options[int(_ask(question))].value

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

        question = questionary.text(inert(message), default=default, validate=check)
        return str(_ask(question))

    def confirm(self, message: str, default: bool = False, *, flag: str = "") -> bool:
        """In English, questionary's own single-key ``(Y/n)`` question (y or n answers at
        once). In any other language, the catalog's question (``(O/n)``, « Oui »/« Non »),
        where ``o``/``oui``/``y`` or ``n``/``non`` is typed then Enter (``wizard.yes_no``):
        a whole word answered by its first letter would leave the rest for the next
        question."""
        from acctctl.i18n import language

        if language() != "en":
            from acctctl.wizard.yes_no import yes_no_question

            return bool(_ask(yes_no_question(inert(message), default)))
        import questionary

        question = questionary.confirm(inert(message), default=default, auto_enter=True)
        return bool(_ask(question))


def _ask(question: Any) -> Any:
    """Ask with Esc bound to cancel; Ctrl-C, Esc and end of input raise ``CancelledError``."""
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
    from prompt_toolkit.keys import Keys

    escape = KeyBindings()

    # eager: do not wait to see whether Esc starts a longer (Alt-) key sequence.
    @escape.add(Keys.Escape, eager=True)
    def _cancel(event: Any) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    application = question.application
    if application.key_bindings is None:
        application.key_bindings = escape
    else:
        application.key_bindings = merge_key_bindings([application.key_bindings, escape])
    try:
        return question.unsafe_ask()
    except (KeyboardInterrupt, EOFError):
        raise cancelled() from None


def confirm(question: str, default: bool = False) -> bool:
    """A yes/no question at a terminal (`partner cancel`, `subs auto-renew`).
    Ctrl-C or Esc raise ``CancelledError``."""
    return QuestionaryPrompter().confirm(question, default)
