"""A yes/no question that speaks the administrator's language.

questionary's ``confirm`` shows ``(Y/n)``, knows only the keys y and n, and echoes
``Yes``/``No``. Here the hint is the catalog's (``(O/n)`` in French), the answer is
typed and confirmed with Enter — ``o``, ``oui``, ``y``, ``yes`` or ``n``, ``non``,
``no``, in any case and in either language — and echoed as the catalog's « Oui » /
« Non ». Enter alone takes the default. Typing a whole word needs Enter: a question
answered by its first letter would hand the rest of ``oui`` to the next question.
"""

from __future__ import annotations

from typing import Any

from acctctl.i18n import _

YES = frozenset({"y", "yes", "o", "oui"})
NO = frozenset({"n", "no", "non"})


def answer_of(typed: str) -> bool | None:
    """``True``/``False`` for a yes or a no in English or French, ``None`` otherwise."""
    word = typed.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    return None


def yes_no_question(message: str, default: bool) -> Any:
    """A questionary ``Question`` (ask it with ``unsafe_ask``) whose answer is a bool."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.formatted_text import to_formatted_text
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.keys import Keys
    from questionary.constants import DEFAULT_QUESTION_PREFIX
    from questionary.question import Question
    from questionary.styles import merge_styles_default

    status: dict[str, Any] = {"typed": "", "answer": None, "wrong": False}

    def tokens() -> Any:
        parts: list[Any] = [
            ("class:qmark", DEFAULT_QUESTION_PREFIX),
            ("class:question", f" {message} "),
        ]
        if status["answer"] is not None:
            parts.append(("class:answer", _("Yes") if status["answer"] else _("No")))
        else:
            parts.append(("class:instruction", (_("(Y/n)") if default else _("(y/N)")) + " "))
            parts.append(("", status["typed"]))
            if status["wrong"]:
                parts.append(("class:instruction", "  " + _("Answer y (yes) or n (no).")))
        return to_formatted_text(parts)

    bindings = KeyBindings()

    @bindings.add(Keys.ControlC, eager=True)
    @bindings.add(Keys.ControlQ, eager=True)
    def _interrupt(event: Any) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    @bindings.add(Keys.Any)
    def _type(event: Any) -> None:
        text = event.data
        if text.isprintable() and len(status["typed"]) < 8:
            status["typed"] += text
            status["wrong"] = False

    @bindings.add(Keys.ControlH)
    @bindings.add(Keys.Backspace)
    def _erase(event: Any) -> None:
        status["typed"] = status["typed"][:-1]
        status["wrong"] = False

    @bindings.add(Keys.ControlM, eager=True)
    def _enter(event: Any) -> None:
        answer = default if not status["typed"].strip() else answer_of(status["typed"])
        if answer is None:
            status["wrong"] = True
            status["typed"] = ""
            return
        status["answer"] = answer
        event.app.exit(result=answer)

    session: Any = PromptSession(tokens, key_bindings=bindings, style=merge_styles_default([]))
    return Question(session.app)
